"""Schedule the spider's start pages once per shared run, by the worker that created it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy.crawler import Crawler

from newscrawl.crawling.distributed.worker import DistributedWorker, worker_of

logger = logging.getLogger(__name__)


class SeedOnceMiddleware:
    """Spider middleware: only the run's seeder passes on the output of ``start()``.

    The run is created atomically in Redis by the first worker to arrive, so
    workers started at the same moment seed it once; workers joining later
    take their requests from the shared queue.
    """

    def __init__(self, worker: DistributedWorker) -> None:
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedOnceMiddleware:
        return cls(worker_of(crawler))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.worker.seeder:
            async for item_or_request in start:
                yield item_or_request
            return
        logger.info(
            "Run %s is seeded by worker %s; taking requests from the shared queue",
            self.worker.run_id,
            self.worker.join().seeder,
        )
