"""Skip articles already exported; stop paginating channels that hold nothing new."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl.clock import CHINA_TZ, utc_now
from newscrawl.state import KnownArticle, StateStore, incremental_enabled, store_for

ARTICLE_META = "newscrawl_article"
LIST_PAGE_META = "list_page"
KNOWN_STREAK_META = "newscrawl_known_streak"
RECHECK_META = "newscrawl_recheck"


def is_full_run(crawler: Crawler) -> bool:
    """``-a full=1`` or ``NEWSCRAWL_FULL_RUN``: ignore the state store for this run."""
    spider_flag = str(getattr(crawler.spider, "full", "") or "").lower()
    return crawler.settings.getbool("NEWSCRAWL_FULL_RUN") or spider_flag in ("1", "true", "yes")


class IncrementalMiddleware:
    """Spider middleware: drop requests for known articles unless due for a re-check.

    Articles published (or first exported) less than
    ``NEWSCRAWL_RECHECK_WINDOW_HOURS`` ago are fetched again at most every
    ``NEWSCRAWL_RECHECK_INTERVAL_HOURS``. A channel's pagination stops after
    ``NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP`` list pages holding only known articles.
    """

    def __init__(
        self,
        crawler: Crawler,
        recheck_window: dt.timedelta,
        recheck_interval: dt.timedelta,
        known_pages_before_stop: int,
    ) -> None:
        self.crawler = crawler
        self.recheck_window = recheck_window
        self.recheck_interval = recheck_interval
        self.known_pages_before_stop = known_pages_before_stop

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        settings = crawler.settings
        if not incremental_enabled(settings):
            raise NotConfigured
        return cls(
            crawler,
            dt.timedelta(hours=settings.getfloat("NEWSCRAWL_RECHECK_WINDOW_HOURS")),
            dt.timedelta(hours=settings.getfloat("NEWSCRAWL_RECHECK_INTERVAL_HOURS")),
            max(1, settings.getint("NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP")),
        )

    @property
    def store(self) -> StateStore:
        return store_for(self.crawler)

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newscrawl/{key}")

    def due_for_recheck(self, known: KnownArticle, now: dt.datetime) -> bool:
        """True when a known article is young enough and was last fetched long enough ago."""
        born = known.first_exported_at
        if known.published_date:
            published = dt.datetime.fromisoformat(known.published_date)
            born = published.replace(tzinfo=CHINA_TZ)
        young = now - born < self.recheck_window
        return young and now - known.last_checked_at >= self.recheck_interval

    def _filter(self, response: Response, outputs: Iterable[Any]) -> Iterator[Any]:
        if LIST_PAGE_META not in response.meta or is_full_run(self.crawler):
            yield from outputs
            return
        now = utc_now()
        articles = wanted = 0
        pagination: list[Request] = []
        for output in outputs:
            if isinstance(output, Request) and output.meta.get(ARTICLE_META):
                articles += 1
                known = self.store.get(output.url)
                if known is None:
                    wanted += 1
                    yield output
                elif self.due_for_recheck(known, now):
                    wanted += 1
                    self._count("articles_rechecked")
                    output.meta[RECHECK_META] = True
                    yield output
                else:
                    self._count("articles_skipped_known")
            elif isinstance(output, Request) and LIST_PAGE_META in output.meta:
                pagination.append(output)
            else:
                yield output
        settled = articles and not wanted
        streak = response.meta.get(KNOWN_STREAK_META, 0) + 1 if settled else 0
        if streak >= self.known_pages_before_stop:
            if pagination:
                self._count("pagination_stopped_known")
            return
        for request in pagination:
            request.meta[KNOWN_STREAK_META] = streak
            yield request

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self._filter(response, list(result))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [output async for output in result]
        for output in self._filter(response, outputs):
            yield output
