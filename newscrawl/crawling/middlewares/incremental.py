"""Skip articles already exported; stop paginating channels that hold nothing new."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl.clock import CHINA_TZ, utc_now
from newscrawl.crawling import keys
from newscrawl.crawling.extensions.runstate import RunState
from newscrawl.runs.state import KnownArticle, StateStore

logger = logging.getLogger(__name__)


class IncrementalMiddleware:
    """Spider middleware: drop requests for known articles unless due for a re-check.

    Articles published (or first exported) less than
    ``NEWSCRAWL_RECHECK_WINDOW_HOURS`` ago are fetched again at most every
    ``NEWSCRAWL_RECHECK_INTERVAL_HOURS``. A channel's pagination stops after
    ``NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP`` list pages holding only known articles,
    unless the previous run stopped early or was killed (it may have exported a
    channel's newest articles and not the older ones further down): that run's
    successor reads every list page. Articles exported without some of their pages
    are fetched again on every run (whether a list page still links them or not) for
    ``NEWSCRAWL_INCOMPLETE_RETRY_HOURS`` after their first export. Off unless the run is
    incremental (see :class:`RunState`); a full run passes everything through.
    """

    def __init__(
        self,
        crawler: Crawler,
        run_state: RunState,
        recheck_window: dt.timedelta,
        recheck_interval: dt.timedelta,
        known_pages_before_stop: int,
        incomplete_window: dt.timedelta = dt.timedelta(0),
    ) -> None:
        self.crawler = crawler
        self.run_state = run_state
        self.recheck_window = recheck_window
        self.recheck_interval = recheck_interval
        self.known_pages_before_stop = known_pages_before_stop
        self.incomplete_window = incomplete_window
        self._catching_up: bool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        run_state = crawler.get_extension(RunState)
        if run_state is None or not run_state.incremental:
            raise NotConfigured
        settings = crawler.settings
        return cls(
            crawler,
            run_state,
            dt.timedelta(hours=settings.getfloat("NEWSCRAWL_RECHECK_WINDOW_HOURS")),
            dt.timedelta(hours=settings.getfloat("NEWSCRAWL_RECHECK_INTERVAL_HOURS")),
            max(1, settings.getint("NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP")),
            dt.timedelta(hours=settings.getfloat("NEWSCRAWL_INCOMPLETE_RETRY_HOURS")),
        )

    @property
    def store(self) -> StateStore:
        return self.run_state.incremental_store

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)

    @property
    def catching_up(self) -> bool:
        """True when the previous run did not crawl to its end: no pagination stop this run."""
        if self._catching_up is None:
            spider = self.crawler.spidercls.name
            self._catching_up = not self.store.previous_run_complete(spider, self.run_state.run_id)
            if self._catching_up:
                logger.info("The previous run did not finish: reading every list page this time")
        return self._catching_up

    def due_for_recheck(self, known: KnownArticle, now: dt.datetime) -> bool:
        """True when a known article is young enough and was last fetched long enough ago,
        or was exported without some of its pages not too long ago."""
        if known.incomplete and now - known.first_exported_at < self.incomplete_window:
            return True
        born = known.first_exported_at
        if known.published_date:
            published = dt.datetime.fromisoformat(known.published_date)
            born = published.replace(tzinfo=CHINA_TZ)
        young = now - born < self.recheck_window
        return young and now - known.last_checked_at >= self.recheck_interval

    def _filter(self, response: Response, outputs: Iterable[Any]) -> Iterator[Any]:
        if keys.META_LIST_PAGE not in response.meta or self.run_state.full_run:
            yield from outputs
            return
        now = utc_now()
        articles = wanted = 0
        pagination: list[Request] = []
        for output in outputs:
            if isinstance(output, Request) and output.meta.get(keys.META_ARTICLE):
                articles += 1
                known = self.store.get(output.url)
                if known is None:
                    wanted += 1
                    yield output
                elif self.due_for_recheck(known, now):
                    wanted += 1
                    self._count(keys.STAT_ARTICLES_RECHECKED)
                    output.meta[keys.META_RECHECK] = True
                    yield output
                else:
                    self._count(keys.STAT_ARTICLES_SKIPPED_KNOWN)
            elif isinstance(output, Request) and keys.META_LIST_PAGE in output.meta:
                pagination.append(output)
            else:
                yield output
        settled = articles and not wanted
        streak = response.meta.get(keys.META_KNOWN_STREAK, 0) + 1 if settled else 0
        if streak >= self.known_pages_before_stop and not self.catching_up:
            if pagination:
                self._count(keys.STAT_PAGINATION_STOPPED_KNOWN)
            return
        for request in pagination:
            request.meta[keys.META_KNOWN_STREAK] = streak
            yield request

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The start requests, then the incomplete articles still worth completing."""
        async for request in start:
            yield request
        if self.run_state.full_run or self.incomplete_window <= dt.timedelta(0):
            return
        spider = self.crawler.spider
        if not hasattr(spider, "article_request"):
            return
        for url in self.store.incomplete_urls(utc_now() - self.incomplete_window):
            self._count(keys.STAT_ARTICLES_INCOMPLETE_RETRIED)
            request = spider.article_request(url)
            request.meta[keys.META_RECHECK] = True
            yield request

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self._filter(response, list(result))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [output async for output in result]
        for output in self._filter(response, outputs):
            yield output
