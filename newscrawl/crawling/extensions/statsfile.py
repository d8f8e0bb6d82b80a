"""Write a run's final Scrapy stats to a JSON file (``NEWSCRAWL_STATS_FILE``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.atomic import write_atomic
from newscrawl.crawling import keys


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class StatsFile:
    """Dump the stats as JSON when the spider closes; off unless the setting names a file."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NEWSCRAWL_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler, Path(path))
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        data = {key: _jsonable(value) for key, value in stats.items()}
        data[keys.SCRAPY_FINISH_REASON] = reason
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
