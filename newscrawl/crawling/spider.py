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
from scrapy.http import Response
from w3lib.url import canonicalize_url

from newscrawl.assemble import ArticleAssembly, PageExtractor
from newscrawl.clock import utc_iso
from newscrawl.content import body_problem, parser_limit
from newscrawl.crawling import keys
from newscrawl.crawling.failures import (
    ARTICLE,
    ARTICLE_PAGE,
    LIST_PAGE,
    FetchFailures,
    Problem,
    classify,
    link_url,
)
from newscrawl.crawling.middlewares.archive import ArchiveWriteFailed, replayed_start_urls
from newscrawl.crawling.middlewares.scope import port_scope, scope_refusal
from newscrawl.crawling.workers import asyncio_loop_available
from newscrawl.encoding import decode_html
from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.listing import ListPage
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import TRACKING_PARAMS


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

    Article links are requested in their canonical form (:mod:`newscrawl.urls`), at
    most ``NEWSCRAWL_MAX_LINKS_PER_LIST_PAGE`` per list page, in list order. Every
    page asked for and not used is counted and listed with its reason
    (:mod:`newscrawl.crawling.failures`): list pages and articles that failed, pages
    that are empty or not HTML, redirect loops dropped as duplicates.
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
        self.allowed_ports = port_scope(self.start_urls)
        self.max_links: int | None = None
        self.tracking_params: tuple[str, ...] = TRACKING_PARAMS
        self.failures = FetchFailures(None, 0)
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
            spider.allowed_ports = port_scope(spider.start_urls)
        if spider.max_pages is None:
            spider.max_pages = crawler.settings.getint("NEWSCRAWL_MAX_LIST_PAGES")
        if spider.full:
            crawler.settings.set("NEWSCRAWL_FULL_RUN", True, priority="cmdline")
        spider.full = crawler.settings.getbool("NEWSCRAWL_FULL_RUN")
        spider.max_links = crawler.settings.getint("NEWSCRAWL_MAX_LINKS_PER_LIST_PAGE") or None
        spider.tracking_params = tuple(crawler.settings.getlist("NEWSCRAWL_TRACKING_PARAMS"))
        spider.failures = FetchFailures.from_crawler(crawler)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
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
                yield self.list_request(url, 0)

    def canonical_url(self, url: str) -> str:
        """The URL an article is requested, identified and remembered under."""
        return self.profile.canonical_url(url, self.tracking_params)

    def list_request(self, url: str, position: int, priority: int = 0) -> scrapy.Request:
        """The request of a channel's list page ``position`` (0: the channel page)."""
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,
            meta={keys.META_LIST_PAGE: position},
            priority=priority,
        )

    def article_request(self, url: str, priority: int = 0) -> scrapy.Request:
        """The request of an article's first page (``url`` is put in canonical form)."""
        return scrapy.Request(
            self.canonical_url(url),
            callback=self.parse_article,
            errback=self.article_failed,
            meta={keys.META_ARTICLE: True},
            priority=priority,
        )

    async def parse(self, response: Response, **kwargs: Any) -> list[Any]:
        if self.profile.is_article_url(response.url):
            return await self.parse_article(response)
        return list(self.parse_list(response))

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        """Article requests (in list order, at most ``max_links``) and the next list page."""
        decoded = decode_html(response.body, _content_type(response))
        page = ListPage(response.url, decoded.text, self.profile)
        items = page.items()
        self._count(keys.STAT_LIST_PAGES)
        self._count(keys.STAT_LIST_ITEMS, len(items))
        current = response.meta.get(keys.META_LIST_PAGE, 0)
        if self.max_links is not None and len(items) > self.max_links:
            self._count(keys.STAT_LIST_PAGES_CAPPED)
            self._count(keys.STAT_LIST_ITEMS_CAPPED, len(items) - self.max_links)
            self.logger.warning(
                "List page %s holds %d article links: following the first %d "
                "(NEWSCRAWL_MAX_LINKS_PER_LIST_PAGE)",
                response.url,
                len(items),
                self.max_links,
            )
            items = items[: self.max_links]
        stride = self.max_links or len(items)
        older = offsite = 0
        for position, item in enumerate(items):
            if self.since and item.date and item.date < self.since:
                older += 1
                continue
            refusal = scope_refusal(item.url, self.allowed_domains, self.allowed_ports)
            if refusal is not None:
                offsite += 1
                self.logger.debug("Link left out (%s), outside the crawl: %s", refusal, item.url)
                continue
            # list order: the scheduler takes higher priorities first
            yield self.article_request(item.url, priority=-(current * stride + position))
        self._count(keys.STAT_LIST_ITEMS_OLDER, older)
        self._count(keys.STAT_LIST_ITEMS_OFFSITE, offsite)
        if items and older == len(items):
            self.logger.info(
                "Stop paginating at %s: only articles before %s", response.url, self.since
            )
            return
        if self.max_pages is not None and current + 1 >= self.max_pages:
            return
        following = page.next_page(current)
        if following is not None:
            # after this page's articles: the queue holds about one list page of links
            # per channel, however long the channel
            yield self.list_request(following, current + 1, priority=-(current + 1) * stride)

    async def parse_article(self, response: Response) -> list[Any]:
        """First page of an article: extract it, then fetch its other pages in order.

        A coroutine returning its output (rather than an async generator), so
        that the output takes Scrapy's plain path through the spider middlewares.
        """
        fields = await self._usable_page(response, ARTICLE)
        if fields is None:
            self._count(keys.STAT_ARTICLES_FAILED)
            return []
        self._count(keys.STAT_ARTICLE_PAGES)
        assembly = ArticleAssembly(
            fields,
            site=self.profile.name,
            crawled_at=response.meta.get(keys.META_FETCHED_AT) or utc_iso(),
            archive=response.meta.get(keys.META_ARCHIVE),
        )
        response.meta[keys.META_LINK_URLS] = self._link_urls(response)
        return list(self._continue_article(assembly, response.meta[keys.META_LINK_URLS]))

    async def parse_article_page(self, response: Response) -> list[Any]:
        """A later page of a multi-page article; it may name pages not known before."""
        assembly: ArticleAssembly = response.meta[keys.META_ASSEMBLY]
        fields = await self._usable_page(response, ARTICLE_PAGE)
        if fields is None:
            self._count(keys.STAT_ARTICLE_PAGES_FAILED)
            assembly.page_missing()
        else:
            self._count(keys.STAT_ARTICLE_PAGES)
            assembly.add_page(fields)
        return list(self._continue_article(assembly, response.meta.get(keys.META_LINK_URLS, [])))

    def _continue_article(self, assembly: ArticleAssembly, link_urls: list[str]) -> Iterator[Any]:
        """The request for the article's next page, or the finished article."""
        url = assembly.next_url
        if url is not None:
            yield scrapy.Request(
                url,
                callback=self.parse_article_page,
                errback=self.article_page_failed,
                meta={keys.META_ASSEMBLY: assembly, keys.META_LINK_URLS: link_urls},
                dont_filter=True,
                priority=1,  # finish articles under way before starting new ones
            )
            return
        self._count(keys.STAT_ARTICLES)
        yield assembly

    def _link_urls(self, response: Response) -> list[str]:
        """Canonical URLs the article was asked for before the one it was read from."""
        final = self.canonical_url(response.url)
        asked = (self.canonical_url(u) for u in response.meta.get("redirect_urls", ()))
        return [u for u in dict.fromkeys(asked) if u != final]

    async def _usable_page(self, response: Response, kind: str) -> PageFields | None:
        """The page's fields, or None (counted and listed) when it holds no article page:
        not HTML, empty, or lost to the parser's limits."""
        content_type = _content_type(response)
        if "dataloss" in response.flags:  # only with DOWNLOAD_FAIL_ON_DATALOSS off
            self._page_failed(kind, response.request, Problem("truncated", "incomplete body"))
            return None
        found = body_problem(response.body, content_type)
        if found is not None:
            self._page_failed(kind, response.request, Problem(*found))
            return None
        fields = await self.extractor.extract(
            response.url, response.body, content_type, self.profile.selectors
        )
        if fields.paragraphs:
            return fields
        limit = parser_limit(decode_html(response.body, content_type).text)
        if limit is not None:
            self._page_failed(kind, response.request, Problem("parser_limit", limit))
            return None
        if not fields.title:
            self._page_failed(kind, response.request, Problem("empty_page", "no title, no body"))
            return None
        return fields

    def _page_failed(self, kind: str, request: scrapy.Request | None, problem: Problem) -> None:
        url = link_url(request) if request is not None else "?"
        level = logging.INFO if problem.ignored else logging.ERROR
        label = {LIST_PAGE: "List page", ARTICLE: "Article", ARTICLE_PAGE: "Article page"}[kind]
        verb = "not fetched" if problem.ignored else "failed"
        self.logger.log(
            level, "%s %s: %s (%s: %s)", label, verb, url, problem.reason, problem.detail
        )
        self.failures.record(kind, url, problem)

    def list_failed(self, failure: Any) -> None:
        """A list page could not be read: counted (a channel page also as a channel failed)."""
        problem = classify(failure.value)
        request = failure.request
        self._page_failed(LIST_PAGE, request, problem)
        if problem.ignored:
            self._count(keys.STAT_LIST_PAGES_IGNORED)
            return
        self._count(keys.STAT_LIST_PAGES_FAILED)
        if request.meta.get(keys.META_LIST_PAGE, 0) == 0:
            self._count(keys.STAT_CHANNELS_FAILED)

    def article_page_failed(self, failure: Any) -> Iterator[Any]:
        """A later page could not be fetched: export what was fetched, flagged."""
        if failure.check(ArchiveWriteFailed):  # a disk error: the next run fetches it whole
            return
        assembly: ArticleAssembly = failure.request.meta[keys.META_ASSEMBLY]
        self._page_failed(ARTICLE_PAGE, failure.request, classify(failure.value))
        self._count(keys.STAT_ARTICLE_PAGES_FAILED)
        assembly.page_missing()
        yield from self._continue_article(
            assembly, failure.request.meta.get(keys.META_LINK_URLS, [])
        )

    def article_failed(self, failure: Any) -> None:
        """Count a failed article; requests filtered on purpose (robots.txt) are ignored."""
        problem = classify(failure.value)
        self._page_failed(ARTICLE, failure.request, problem)
        self._count(keys.STAT_ARTICLES_IGNORED if problem.ignored else keys.STAT_ARTICLES_FAILED)

    def request_dropped(self, request: scrapy.Request, spider: Any = None) -> None:
        """A redirect of an article back into its own chain, dropped by the duplicate
        filter, is a failed article (``redirect_loop``); nothing else would report it."""
        if not request.meta.get(keys.META_ARTICLE):
            return
        chain = request.meta.get("redirect_urls") or ()
        target = canonicalize_url(request.url)
        if not any(canonicalize_url(url) == target for url in chain):
            return  # an article linked twice, or a redirect to one already fetched
        hops = " -> ".join([*chain, request.url])
        self._page_failed(ARTICLE, request, Problem("redirect_loop", hops[:300]))
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
