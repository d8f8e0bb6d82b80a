"""The portal spider: reads channel list pages, follows article links, stitches pages.

A concrete spider only names its :class:`~newscrawl.sites.profile.SiteProfile`;
what to extract from a page is decided by the extraction package.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from newscrawl.assemble import ArticleAssembly, PageExtractor
from newscrawl.clock import utc_iso
from newscrawl.crawling import keys
from newscrawl.crawling.middlewares.archive import replayed_start_urls
from newscrawl.crawling.workers import asyncio_loop_available
from newscrawl.encoding import decode_html
from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.listing import ListPage
from newscrawl.sites.profile import SiteProfile


class SpiderArgumentError(ValueError):
    """A ``-a`` argument that cannot be used; the message says which and why."""


def _split_urls(value: str | list[str] | tuple[str, ...]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    urls = [u.strip() for u in items if u.strip()]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SpiderArgumentError(f"start_urls: {url!r} is not an http(s) URL")
    return urls


def _positive_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SpiderArgumentError(f"{name}: {value!r} is not a whole number") from None
    if number < 1:
        raise SpiderArgumentError(f"{name}: must be at least 1, got {number}")
    return number


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SpiderArgumentError(f"{name}: {value!r} is not a yes/no value (1, 0, true, false)")


def _date_arg(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise SpiderArgumentError(f"{name}: {value!r} is not a YYYY-MM-DD date") from None


def crawl_scope(profile: SiteProfile, start_urls: list[str]) -> list[str]:
    """Domains requests may go to: the portal's for its own URLs, else the start URLs' hosts.

    Pointed at a replica or mirror, the crawl stays on that host and never
    reaches the live portal.
    """
    scope: list[str] = []
    for url in start_urls:
        if profile.owns(url):
            scope.extend(profile.allowed_domains)
        else:
            scope.append(urlsplit(url).hostname or "")
    return list(dict.fromkeys(d for d in scope if d))


class PortalSpider(scrapy.Spider):
    """Crawl a portal's channels; yields one finished :class:`ArticleAssembly` per article.

    Spider arguments (``-a``): ``start_urls`` (comma-separated list or article
    pages; default ``NEWSCRAWL_START_URLS``, else the profile's channels),
    ``max_pages`` (list pages read per channel, default
    ``NEWSCRAWL_MAX_LIST_PAGES``), ``since`` (YYYY-MM-DD: skip older articles
    and stop paginating a channel at a page holding only older ones), ``full``
    (``1``: ignore what the state store knows for this run, as
    ``NEWSCRAWL_FULL_RUN`` does).
    """

    profile: ClassVar[SiteProfile]

    def __init__(
        self,
        *args: Any,
        start_urls: str | None = None,
        max_pages: str | int | None = None,
        since: str | None = None,
        full: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = _split_urls(start_urls) if start_urls else list(self.profile.start_urls)
        if not self.start_urls:
            raise SpiderArgumentError("start_urls: no URL given")
        self.max_pages = _positive_int("max_pages", max_pages) if max_pages else None
        self.since = _date_arg("since", since) if since else None
        self.full = _flag("full", full) if full is not None else False
        self.allowed_domains = crawl_scope(self.profile, self.start_urls)
        self.extractor = PageExtractor()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        """Export to ``NEWSCRAWL_DEFAULT_FEED`` unless -o/-O or FEEDS name a destination.

        Scrapy merges FEEDS from the command line into the project's, so the
        default destination cannot live in FEEDS itself.
        """
        super().update_settings(settings)
        default = settings.get("NEWSCRAWL_DEFAULT_FEED")
        if default and not settings.getdict("FEEDS"):
            settings.set(
                "FEEDS", {default: {"format": "jsonlines", "encoding": "utf-8"}}, priority="spider"
            )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        configured = crawler.settings.getlist("NEWSCRAWL_START_URLS") or replayed_start_urls(
            crawler.settings
        )
        if configured and not kwargs.get("start_urls"):
            spider.start_urls = _split_urls(configured)
            spider.allowed_domains = crawl_scope(spider.profile, spider.start_urls)
        if spider.max_pages is None:
            spider.max_pages = crawler.settings.getint("NEWSCRAWL_MAX_LIST_PAGES")
        if spider.full:
            crawler.settings.set("NEWSCRAWL_FULL_RUN", True, priority="cmdline")
        spider.full = crawler.settings.getbool("NEWSCRAWL_FULL_RUN")
        spider.extractor = page_extractor(crawler.settings)
        spider.logger.info("Extracting article pages %s", spider.extractor.describe())
        crawler.signals.connect(spider.extractor.close, signal=signals.spider_closed)
        return spider

    def _count(self, key: str, value: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, value)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            if self.profile.is_article_url(url):
                yield self.article_request(url)
            else:
                yield scrapy.Request(url, callback=self.parse_list, meta={keys.META_LIST_PAGE: 0})

    def article_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={keys.META_ARTICLE: True},
        )

    async def parse(self, response: Response, **kwargs: Any) -> list[Any]:
        if self.profile.is_article_url(response.url):
            return await self.parse_article(response)
        return list(self.parse_list(response))

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        """Article requests and further list pages of one channel list page."""
        decoded = decode_html(response.body, _content_type(response))
        page = ListPage(response.url, decoded.text, self.profile)
        items = page.items()
        self._count(keys.STAT_LIST_PAGES)
        self._count(keys.STAT_LIST_ITEMS, len(items))
        older = 0
        for item in items:
            if self.since and item.date and item.date < self.since:
                older += 1
                continue
            yield self.article_request(item.url)
        self._count(keys.STAT_LIST_ITEMS_OLDER, older)
        if items and older == len(items):
            self.logger.info(
                "Stop paginating at %s: only articles before %s", response.url, self.since
            )
            return
        current = response.meta.get(keys.META_LIST_PAGE, 0)
        if self.max_pages is not None and current + 1 >= self.max_pages:
            return
        following = page.next_page(current)
        if following is not None:
            yield scrapy.Request(
                following, callback=self.parse_list, meta={keys.META_LIST_PAGE: current + 1}
            )

    async def _extract(self, response: Response) -> PageFields:
        fields = await self.extractor.extract(
            response.url, response.body, _content_type(response), self.profile.selectors
        )
        self._count(keys.STAT_ARTICLE_PAGES)
        return fields

    async def parse_article(self, response: Response) -> list[Any]:
        """First page of an article: extract it, then fetch its other pages in order.

        A coroutine returning its output (rather than an async generator), so
        that the output takes Scrapy's plain path through the spider middlewares.
        """
        fields = await self._extract(response)
        assembly = ArticleAssembly(
            fields,
            site=self.profile.name,
            crawled_at=response.meta.get(keys.META_FETCHED_AT) or utc_iso(),
            archive=response.meta.get(keys.META_ARCHIVE),
        )
        return list(self._continue_article(assembly))

    async def parse_article_page(self, response: Response) -> list[Any]:
        """A later page of a multi-page article; it may name pages not known before."""
        assembly: ArticleAssembly = response.meta[keys.META_ASSEMBLY]
        assembly.add_page(await self._extract(response))
        return list(self._continue_article(assembly))

    def _continue_article(self, assembly: ArticleAssembly) -> Iterator[Any]:
        """The request for the article's next page, or the finished article."""
        url = assembly.next_url
        if url is not None:
            yield scrapy.Request(
                url,
                callback=self.parse_article_page,
                errback=self.article_page_failed,
                meta={keys.META_ASSEMBLY: assembly},
                dont_filter=True,
            )
            return
        self._count(keys.STAT_ARTICLES)
        yield assembly

    def article_page_failed(self, failure: Any) -> Iterator[Any]:
        """A later page could not be fetched: export what was fetched, flagged."""
        assembly: ArticleAssembly = failure.request.meta[keys.META_ASSEMBLY]
        self.logger.warning("Article page failed: %s (%s)", failure.request.url, failure.value)
        self._count(keys.STAT_ARTICLE_PAGES_FAILED)
        assembly.page_missing()
        yield from self._continue_article(assembly)

    def article_failed(self, failure: Any) -> None:
        """Count a failed article; requests filtered on purpose (robots.txt) are not failures."""
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.logger.info("Article not fetched: %s (%s)", failure.request.url, failure.value)
            self._count(keys.STAT_ARTICLES_IGNORED)
            return
        self.logger.error("Article failed: %s (%s)", failure.request.url, failure.value)
        self._count(keys.STAT_ARTICLES_FAILED)


def page_extractor(settings: Any) -> PageExtractor:
    """Where the crawl extracts article pages: ``NEWSCRAWL_EXTRACT_PROCESSES`` worker
    processes, else ``NEWSCRAWL_EXTRACT_THREADS`` worker threads, else inline.

    Workers need Scrapy's asyncio event loop (the default reactor); with another
    reactor pages are extracted inline and a warning says so.
    """
    threads = settings.getint("NEWSCRAWL_EXTRACT_THREADS")
    processes = settings.getint("NEWSCRAWL_EXTRACT_PROCESSES")
    if (threads or processes) and not asyncio_loop_available():
        logging.getLogger(__name__).warning(
            "NEWSCRAWL_EXTRACT_THREADS/PROCESSES need the asyncio reactor; extracting inline"
        )
        threads = processes = 0
    return PageExtractor(threads=threads, processes=processes)


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None
