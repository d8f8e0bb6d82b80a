"""From fetched pages to one record: the only place an article's pages are stitched together.

The crawl, ``newscrawl reparse``, ``newscrawl extract``, the benchmarks and the tests all
drive an :class:`ArticleAssembly` the same way::

    assembly = ArticleAssembly(first_page, site=..., crawled_at=...)
    url = assembly.next_url
    while url is not None:
        page = fetch_and_extract(url)          # however the caller gets pages
        url = assembly.add_page(page) if page else assembly.page_missing()
    record = assembly.record(RecordOptions.for_profile(profile))

Pages reach the assembly already extracted; :class:`PageExtractor` is where that work
is done: inline, on worker threads or in worker processes, awaited by the crawl so
that the event loop goes on with other responses meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from newscrawl.extraction import extract_page
from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.selectors import PageSelectors
from newscrawl.record import RecordOptions, build_record


@dataclass
class ArticleAssembly:
    """One article being put together from its pages, first page first.

    Every page may name further pages (``PageFields.other_pages``); each named
    URL is fetched once, in the order first named. When a page cannot be
    fetched the assembly stops there: the record is built from the pages that
    were fetched and flagged ``missing_pages``.
    """

    first: PageFields
    site: str
    crawled_at: str
    """ISO 8601 UTC time the first page was fetched."""
    archive: dict[str, str] | None = None
    """WARC location of the first page (the record's ``archive`` field)."""
    pages: list[PageFields] = field(init=False)
    missing: list[str] = field(init=False, default_factory=list)
    """URLs of named pages that were not added (could not be fetched, or never tried)."""
    _named: set[str] = field(init=False, default_factory=set)
    _queue: deque[str] = field(init=False, default_factory=deque)

    def __post_init__(self) -> None:
        self.pages = [self.first]
        self._named = {self.first.url}
        self._take_named_pages(self.first)

    @property
    def next_url(self) -> str | None:
        """The page to fetch next, or None when the article is complete."""
        return self._queue[0] if self._queue else None

    def _take_named_pages(self, page: PageFields) -> None:
        for url in page.other_pages:
            if url not in self._named:
                self._named.add(url)
                self._queue.append(url)

    def add_page(self, page: PageFields) -> str | None:
        """Add the page fetched for :attr:`next_url`; returns the page to fetch next, or None."""
        if self._queue:
            self._queue.popleft()
        self.pages.append(page)
        self._take_named_pages(page)
        return self.next_url

    def page_missing(self) -> None:
        """The page at :attr:`next_url` could not be fetched: stop here and flag the record."""
        self.missing.extend(self._queue)
        self._queue.clear()

    @property
    def missing_pages(self) -> int:
        """Named pages not added: the one that failed, those after it, any not fetched yet."""
        return len(self.missing) + len(self._queue)

    def record(self, options: RecordOptions | None = None) -> dict[str, Any]:
        """The article's record from the pages added so far."""
        return build_record(
            self.pages,
            site=self.site,
            crawled_at=self.crawled_at,
            options=options,
            archive=self.archive,
            missing_pages=self.missing_pages,
        )


#: What identifies a selector set across processes (compiled XPaths do not pickle).
SelectorSpec = tuple[tuple[str, ...], ...]


def selector_spec(selectors: PageSelectors) -> SelectorSpec:
    """The selector texts of a set, field by field, then its label."""
    return (*(getattr(selectors, name) for name in PageSelectors.FIELDS), (selectors.label,))


@functools.cache
def _selectors_from_spec(spec: SelectorSpec) -> PageSelectors:
    *fields, (label,) = spec
    return PageSelectors(**dict(zip(PageSelectors.FIELDS, fields, strict=True)), label=label)


def _extract_in_worker(
    url: str, body: bytes, content_type: str | None, spec: SelectorSpec | None
) -> PageFields:
    """:func:`extract_page` in a worker process, the selectors rebuilt (once) from their texts."""
    selectors = _selectors_from_spec(spec) if spec is not None else None
    return extract_page(url, body, content_type, selectors)


class PageExtractor:
    """Runs :func:`extract_page` inline, on ``threads`` worker threads, or in ``processes``.

    lxml parses and evaluates XPath without holding the GIL, so on worker threads
    that part of an article's extraction runs on another core while the caller's
    event loop goes on; worker processes take all of it, at the price of sending
    each page's bytes and fields across. ``processes`` wins over ``threads``; both
    0 extracts inline. At most ``max_pending`` pages (default: twice the workers)
    wait for or are in extraction; further callers wait their turn, so memory
    stays bounded whatever the crawl's concurrency. What a page extracts to does
    not depend on where it ran.
    """

    def __init__(self, threads: int = 0, processes: int = 0, max_pending: int = 0) -> None:
        if threads < 0 or processes < 0:
            raise ValueError(
                f"extraction workers cannot be negative (threads {threads}, processes {processes})"
            )
        self.threads = 0 if processes else threads
        self.processes = processes
        self._executor: Executor | None = None
        if processes:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(processes, mp_context=context)
        elif threads:
            self._executor = ThreadPoolExecutor(threads, thread_name_prefix="newscrawl-extract")
        workers = processes or threads
        self.max_pending = max_pending or 2 * workers
        self._slots = asyncio.Semaphore(self.max_pending) if workers else None

    @property
    def inline(self) -> bool:
        """True when pages are extracted in the caller's thread."""
        return self._executor is None

    def describe(self) -> str:
        """Where pages are extracted, for the crawl log."""
        if self.processes:
            return f"{self.processes} worker processes"
        if self.threads:
            return f"{self.threads} worker threads"
        return "inline"

    def _job(
        self, url: str, body: bytes, content_type: str | None, selectors: PageSelectors | None
    ) -> tuple[Callable[..., PageFields], tuple[Any, ...]]:
        if self.processes:
            spec = selector_spec(selectors) if selectors is not None else None
            return _extract_in_worker, (url, body, content_type, spec)
        return extract_page, (url, body, content_type, selectors)

    async def extract(
        self,
        url: str,
        body: bytes,
        content_type: str | None = None,
        selectors: PageSelectors | None = None,
    ) -> PageFields:
        """The fields of one page (see :func:`extract_page`), extracted where configured.

        Must be awaited on a running asyncio event loop when workers are configured.
        """
        if self._executor is None or self._slots is None:
            return extract_page(url, body, content_type, selectors)
        function, args = self._job(url, body, content_type, selectors)
        async with self._slots:
            return await asyncio.wrap_future(self._executor.submit(function, *args))

    def close(self) -> None:
        """Stop the workers (after the pages already handed over)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
