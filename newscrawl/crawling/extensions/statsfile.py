"""Write a run's final Scrapy stats to a JSON file (``NEWSCRAWL_STATS_FILE``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.atomic import remove_stale_temp_files, write_atomic
from newscrawl.crawling import keys
from newscrawl.crawling.filefailures import record_file_failure


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class StatsFile:
    """Dump the stats as JSON when the spider closes; off unless the setting names a file.

    Temporary files of killed runs beside it are removed when the spider opens;
    a stats file that cannot be written fails the run (exit 1, naming it).
    """

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NEWSCRAWL_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler, Path(path))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        remove_stale_temp_files(self.path.parent)

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        data = {key: _jsonable(value) for key, value in stats.items()}
        data[keys.SCRAPY_FINISH_REASON] = reason
        try:
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        except OSError as exc:
            record_file_failure(self.crawler, "stats", self.path, exc, stop=False)
