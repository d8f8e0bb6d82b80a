"""Export each article once across the workers of a shared run."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.crawling import keys
from newscrawl.crawling.distributed.worker import DistributedWorker, worker_of


class ClaimPipeline:
    """Claim an article's URL for this worker before it is exported; drop it if taken.

    A request is done twice only when a worker was reaped (or killed after
    scheduling children): the first worker to claim the article exports it.
    The claims of a worker reaped before committing are released, so its
    articles are exported by the worker that redoes its requests.
    """

    def __init__(self, crawler: Crawler, worker: DistributedWorker) -> None:
        self.crawler = crawler
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClaimPipeline:
        return cls(crawler, worker_of(crawler))

    def process_item(self, item: Any) -> Any:
        url = item.get("url") if isinstance(item, dict) else None
        if not url:
            return item
        if not self.worker.store.claim(self.worker.run_id, url):
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(keys.STAT_DROPPED_CLAIMED)
            raise DropItem(f"exported by another worker in run {self.worker.run_id}: {url}")
        return item
