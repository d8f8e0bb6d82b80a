"""Drop a second record with an id already exported in this run."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class DuplicateRecordPipeline:
    """Export each article id once per run (the same article can be linked from many lists)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicateRecordPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record_id = item.get("id") if isinstance(item, dict) else None
        if record_id is None:
            return item
        if record_id in self.seen:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newscrawl/dropped/duplicate")
            raise DropItem(f"duplicate record {record_id}")
        self.seen.add(record_id)
        return item
