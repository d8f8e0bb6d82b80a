"""Keep the state store in step with what the run exports."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.atomic import remove_stale_temp_files
from newscrawl.crawling.feeds import AtomicFileFeedStorage
from newscrawl.crawling.signals import feed_committing
from newscrawl.state import incremental_enabled, run_id_for, store_for

logger = logging.getLogger(__name__)


def feed_directories(crawler: Crawler, spider_name: str) -> list[Path]:
    """Local directories the configured feeds write into."""
    directories = []
    for uri in crawler.settings.getdict("FEEDS"):
        text = str(uri)
        if "://" in text and not text.startswith("file://"):
            continue
        text = text.removeprefix("file://")
        path = Path(text.replace("%(name)s", spider_name))
        directories.append(path.parent)
    return directories


class RunState:
    """Record exported articles as pending and make them known when their file is in place.

    On start, runs that never finished are marked failed and their pending rows
    and leftover temporary feed files are removed.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.data_files: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunState:
        if not incremental_enabled(crawler.settings):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.feed_committing, signal=feed_committing)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        store = store_for(self.crawler)
        dead = store.recover()
        if dead:
            logger.warning(
                "Earlier runs did not finish: %s; their articles will be fetched again", dead
            )
        for directory in feed_directories(self.crawler, spider.name):
            for temp in remove_stale_temp_files(directory):
                logger.warning("Removed the unfinished data file of a killed run: %s", temp)
        store.start_run(run_id_for(self.crawler), spider.name)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, dict) and "url" in item and "content_hash" in item:
            store_for(self.crawler).add_pending(run_id_for(self.crawler), item)

    def feed_committing(self, path: Path) -> None:
        store_for(self.crawler).mark_committing(run_id_for(self.crawler), str(path))

    def feed_slot_closed(self, slot: Any) -> None:
        storage = slot.storage
        if isinstance(storage, AtomicFileFeedStorage):
            if not storage.committed:
                return
            self.data_files.append(str(storage.final_path))
        committed = store_for(self.crawler).commit_run(run_id_for(self.crawler), self.data_files)
        logger.info("%d exported articles are now known to the state store", committed)

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        store_for(self.crawler).finish_run(
            run_id_for(self.crawler),
            "finished" if reason == "finished" else "failed",
            stats.get("newscrawl/list_items", 0),
            stats.get("item_scraped_count", 0),
        )
