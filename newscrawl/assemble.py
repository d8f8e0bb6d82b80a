"""From fetched pages to one record: the only place an article's pages are stitched together.

The crawl, ``newscrawl reparse``, ``newscrawl extract``, the benchmarks and the tests all
drive an :class:`ArticleAssembly` the same way::

    assembly = ArticleAssembly(first_page, site=..., crawled_at=...)
    url = assembly.next_url
    while url is not None:
        page = fetch_and_extract(url)          # however the caller gets pages
        url = assembly.add_page(page) if page else assembly.page_missing()
    record = assembly.record(RecordOptions.for_profile(profile))
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from newscrawl.extraction.fields import PageFields
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
