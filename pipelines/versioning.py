"""Give re-fetched articles a version: drop unchanged ones, number changed ones."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.clock import utc_iso
from newscrawl.middlewares.incremental import is_full_run
from newscrawl.state import incremental_enabled, store_for


class VersioningPipeline:
    """Compare a record with the last exported version of the same URL.

    Unchanged content is dropped (and the check time remembered); changed
    content is exported with the same ``id``, ``version`` + 1 and ``updated_at``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VersioningPipeline:
        if not incremental_enabled(crawler.settings):
            raise NotConfigured
        return cls(crawler)

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newscrawl/{key}")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        store = store_for(self.crawler)
        known = store.get(item["url"])
        if known is None:
            self._count("articles_new")
            return item
        if known.content_hash == item["content_hash"]:
            store.touch(item["url"])
            if not is_full_run(self.crawler):
                self._count("dropped/unchanged")
                raise DropItem(f"unchanged since version {known.version}: {item['url']}")
            item["version"] = known.version
            return item
        item["version"] = known.version + 1
        item["updated_at"] = utc_iso()
        self._count("articles_updated")
        return item
