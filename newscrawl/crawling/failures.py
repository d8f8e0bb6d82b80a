"""Why a fetch failed, in one word, and the record of it in the crawl stats.

Every page the crawl asked for and did not use ends here with a reason
(docs/reliability.md lists them): the count per reason goes into the stats
(``newscrawl/failed/<reason>``), and the URL with its reason into a bounded list
that the run manifest shows (``NEWSCRAWL_MANIFEST_MAX_FAILED_URLS``; the rest are
counted). Fetches left out on purpose (robots.txt refusals, replays of pages never
archived) and responses a disk error kept from the archive are *ignored* rather than
failed (the run fails on the file error itself); they are listed too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.internet.defer import TimeoutError as DeferTimeoutError
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from newscrawl.crawling import keys
from newscrawl.crawling.middlewares.addresses import AddressRefused
from newscrawl.crawling.middlewares.archive import ArchiveWriteFailed, NotArchived
from newscrawl.crawling.middlewares.scope import OutOfScope

logger = logging.getLogger(__name__)

#: Kinds of page a failure is about.
LIST_PAGE = "list_page"
ARTICLE = "article"
ARTICLE_PAGE = "article_page"

#: Failure reasons and what they mean (docs/reliability.md copies this table).
REASONS = {
    "http_<code>": "the server answered with an error status (after the retries)",
    "timeout": "no complete answer within DOWNLOAD_TIMEOUT (after the retries)",
    "connection_refused": "nothing listens on the portal's port",
    "connection_lost": "the connection was reset or closed before the answer was complete",
    "truncated": "the body was shorter than its Content-Length",
    "dns": "the host name does not resolve",
    "too_large": "the body (or its decompressed size) passed DOWNLOAD_MAXSIZE",
    "too_many_redirects": "more than REDIRECT_MAX_TIMES redirects",
    "redirect_loop": "a redirect back to a URL of its own redirect chain",
    "offsite": "a redirect to a host outside the crawl's domains",
    "other_port": "a redirect (or link) to another port than the start URLs name",
    "address_refused": "the host resolves to a loopback/private/metadata address (the "
    "address check; NEWSCRAWL_ALLOWED_ADDRESSES)",
    "empty_page": "a 200 with an empty body, or a page with neither title nor body",
    "not_html": "a body that is not HTML: an image, PDF, JSON, binary bytes",
    "parser_limit": "an HTML page whose body the parser dropped at one of its limits "
    "(nesting deeper than 256, a text node over 10 MB)",
    "error": "any other error (the detail names it)",
}
#: Reasons of fetches left out on purpose: counted as ignored, not as failures.
IGNORED_REASONS = {
    "robots": "robots.txt forbids the URL",
    "not_archived": "replay mode: the archives hold no response for the URL",
    "disk_error": "the response could not be archived: the run stops on the file error "
    "(exit 1, the file named) and the next run fetches the page again",
}

_TIMEOUTS = (DownloadTimeoutError, DeferTimeoutError, net_error.TimeoutError)
_REFUSED = (DownloadConnectionRefusedError, net_error.ConnectionRefusedError)
_DNS = (CannotResolveHostError, net_error.DNSLookupError)
_LOST = (
    DownloadFailedError,
    net_error.ConnectionLost,
    net_error.ConnectionDone,
    net_error.ConnectError,
    ResponseFailed,
    ResponseNeverReceived,
)
_DETAIL_CHARS = 300


@dataclass(frozen=True)
class Problem:
    """Why a page was not used: a reason from :data:`REASONS` (or :data:`IGNORED_REASONS`)."""

    reason: str
    detail: str = ""

    @property
    def ignored(self) -> bool:
        return self.reason in IGNORED_REASONS


def _too_large(exc: BaseException) -> bool:
    """Scrapy's size limit: a download cut at DOWNLOAD_MAXSIZE, or decompression stopped there."""
    text = str(exc)
    if isinstance(exc, DownloadCancelledError):
        return "max size" in text
    cause = exc.__cause__
    return cause is not None and type(cause).__name__ == "_DecompressionMaxSizeExceeded"


def classify(exc: BaseException) -> Problem:
    """The reason a request failed with ``exc`` (what an errback receives)."""
    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")[:_DETAIL_CHARS]
    if isinstance(exc, HttpError):
        response = exc.response
        status = getattr(response, "status", 0)
        return Problem(f"http_{status}", f"HTTP {status}")
    if isinstance(exc, AddressRefused):
        return Problem("address_refused", str(exc))
    if isinstance(exc, OutOfScope):
        return Problem(exc.reason, str(exc))
    if isinstance(exc, NotArchived):
        return Problem("not_archived", str(exc))
    if isinstance(exc, ArchiveWriteFailed):
        return Problem("disk_error", str(exc))
    if _too_large(exc):
        return Problem("too_large", detail)
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return Problem("robots", text)
        if "max redirections" in text:
            return Problem("too_many_redirects", text)
        return Problem("error", detail)
    if isinstance(exc, ResponseDataLossError):
        return Problem("truncated", detail)
    if isinstance(exc, _TIMEOUTS):
        return Problem("timeout", detail)
    if isinstance(exc, _REFUSED):
        return Problem("connection_refused", detail)
    if isinstance(exc, _DNS):
        return Problem("dns", detail)
    if isinstance(exc, ResponseFailed) and any(
        "_DataLoss" in type(f.value).__name__ for f in exc.reasons
    ):
        return Problem("truncated", detail)
    if isinstance(exc, _LOST):
        return Problem("connection_lost", detail)
    return Problem("error", detail)


class FetchFailures:
    """Counts and lists failed (and ignored) fetches in the crawl stats.

    Holds no state of its own: any component can make one over the crawler's stats.
    """

    def __init__(self, crawler: Any, limit: int) -> None:
        self.crawler = crawler
        self.limit = max(0, limit)

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchFailures:
        return cls(crawler, crawler.settings.getint("NEWSCRAWL_MANIFEST_MAX_FAILED_URLS"))

    def record(self, kind: str, url: str, problem: Problem) -> None:
        """Count a page of ``kind`` that was not used, and list it while there is room."""
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is None:
            return
        if problem.ignored:
            counter, listed, overflow = (
                keys.ignored_stat(problem.reason),
                keys.STAT_IGNORED_URLS,
                keys.STAT_IGNORED_NOT_LISTED,
            )
        else:
            counter, listed, overflow = (
                keys.failed_stat(problem.reason),
                keys.STAT_FAILED_URLS,
                keys.STAT_FAILED_NOT_LISTED,
            )
        stats.inc_value(counter)
        entries = stats.get_value(listed)
        if entries is None:
            entries = []
            stats.set_value(listed, entries)
        if len(entries) < self.limit:
            entry = {"url": url, "kind": kind, "reason": problem.reason}
            if problem.detail:
                entry["detail"] = problem.detail
            entries.append(entry)
        else:
            stats.inc_value(overflow)


def link_url(request: Any) -> str:
    """The URL a request was first made for (before any redirect)."""
    redirects = request.meta.get("redirect_urls") or ()
    return redirects[0] if redirects else request.url
