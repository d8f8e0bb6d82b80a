"""Honour ``Retry-After``: a 429 or 503 that says when to come back is retried then.

Scrapy's retry middleware retries 429 and 503 at once, which a rate-limited portal
answers with another 429. This middleware sits just before it (priority 560: it
sees responses first) and, for a 429 or 503 carrying ``Retry-After`` (seconds or
an HTTP date), waits that long, at most ``NEWSCRAWL_RETRY_AFTER_MAX`` seconds, and
then retries the request. The retry counts against ``RETRY_TIMES`` like any
other (stats ``retry/count``, ``retry/reason_count/…``); once they are used up the
response goes on to the retry middleware, which gives up, and the page is a
failed fetch (``http_429``). While a request waits it keeps its place among the
``CONCURRENT_REQUESTS`` in flight, so a portal answering everything with 429
slows the whole crawl down, as it asked.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

from newscrawl.crawling import keys

logger = logging.getLogger(__name__)

#: Statuses whose Retry-After is honoured.
STATUSES = frozenset({429, 503})


def retry_after_seconds(value: str, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait (delay-seconds or an HTTP date), or None."""
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class RetryAfterMiddleware:
    """Downloader middleware: wait what ``Retry-After`` asks (capped), then retry."""

    def __init__(self, crawler: Crawler, max_wait: float, max_retry_times: int) -> None:
        self.crawler = crawler
        self.max_wait = max_wait
        self.max_retry_times = max_retry_times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(
            crawler,
            max(0.0, settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX")),
            settings.getint("RETRY_TIMES"),
        )

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in STATUSES or request.meta.get("dont_retry"):
            return response
        header = response.headers.get(b"Retry-After")
        if header is None:
            return response
        asked = retry_after_seconds(header.decode("latin-1"))
        if asked is None:
            return response
        max_times = request.meta.get("max_retry_times", self.max_retry_times)
        if request.meta.get("retry_times", 0) >= max_times:
            return response  # the retry middleware gives up and says so
        assert self.crawler.spider is not None
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=f"{response.status} Retry-After {header.decode('latin-1')}",
            max_retry_times=max_times,
        )
        if retry is None:
            return response
        wait = min(asked, self.max_wait)
        logger.info(
            "%s answered %d with Retry-After %s: retrying in %.1f s",
            request.url,
            response.status,
            header.decode("latin-1"),
            wait,
        )
        if wait > 0:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(keys.STAT_RETRY_AFTER_SECONDS, round(wait, 3))
            await sleep(wait)
        return retry
