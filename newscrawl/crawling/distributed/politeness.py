"""Per-domain concurrency and delay held across all workers, not per worker."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from newscrawl.crawling import keys
from newscrawl.crawling.distributed.worker import DistributedWorker, worker_of
from newscrawl.distributed.connection import RedisDown
from newscrawl.runs.monitor import FINISH_SHARED_STATE_UNAVAILABLE

logger = logging.getLogger(__name__)


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class SharedPolitenessMiddleware:
    """Downloader middleware: wait for a slot of the request's domain in the shared limiter.

    The limits are the project's ``CONCURRENT_REQUESTS_PER_DOMAIN`` and
    ``DOWNLOAD_DELAY`` (moved aside by the add-on, so that the per-process
    delay does not add to the shared one). Runs last before the download and
    first after it, so the slot is held only while the request is out.
    """

    def __init__(self, worker: DistributedWorker) -> None:
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        return cls(worker_of(crawler))

    async def process_request(self, request: Request) -> None:
        domain = urlsplit(request.url).hostname or ""
        limiter = self.worker.limiter
        token = limiter.new_token()
        refusals = 0
        while True:
            if self.worker.stop_reason == FINISH_SHARED_STATE_UNAVAILABLE:
                raise IgnoreRequest("the shared crawl state is unavailable")
            try:
                wait = self.worker.guard.try_call(limiter.try_acquire, domain, token, refusals)
            except RedisDown:
                wait = 0.5
            if wait == 0:
                request.meta[keys.META_POLITENESS_TOKEN] = (domain, token)
                return
            refusals += 1
            await _sleep(wait)

    def _release(self, request: Request) -> None:
        held = request.meta.pop(keys.META_POLITENESS_TOKEN, None)
        if held is None:
            return
        try:
            self.worker.guard.try_call(self.worker.limiter.release, *held)
        except RedisDown:
            logger.debug("Politeness slot %s not returned (Redis unreachable); it expires", held)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> Any:
        self._release(request)
        return None
