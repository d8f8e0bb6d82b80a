"""Every request-meta key and every stats key newscrawl uses, in one place.

Components write and read ``request.meta`` and the crawl stats only through
these names; no other module spells them. The ``newscrawl/…`` stats are part of
what a user sees (``NEWSCRAWL_STATS_FILE``, the manifest, Scrapy's stats dump),
so their values do not change lightly.
"""

from __future__ import annotations

# -- request.meta -------------------------------------------------------------------------

#: Position of a list page in its channel (0 for the channel page itself).
META_LIST_PAGE = "newscrawl_list_page"
#: Marks the request of an article's first page.
META_ARTICLE = "newscrawl_article"
#: The :class:`~newscrawl.assemble.ArticleAssembly` a later article page belongs to.
META_ASSEMBLY = "newscrawl_assembly"
#: List pages in a row that held only known articles (incremental runs).
META_KNOWN_STREAK = "newscrawl_known_streak"
#: Marks a known article fetched again to see whether it changed.
META_RECHECK = "newscrawl_recheck"
#: ``{"file", "record_id"}`` of the WARC record holding the response.
META_ARCHIVE = "newscrawl_warc"
#: ISO 8601 UTC time the response was fetched (as archived).
META_FETCHED_AT = "newscrawl_fetched_at"

#: Response flag of a response answered from the archives, not the network.
FLAG_REPLAYED = "replayed"

# -- stats written by newscrawl -----------------------------------------------------------

STAT_LIST_PAGES = "newscrawl/list_pages"
STAT_LIST_ITEMS = "newscrawl/list_items"
STAT_LIST_ITEMS_OLDER = "newscrawl/list_items_older"
STAT_ARTICLE_PAGES = "newscrawl/article_pages"
STAT_ARTICLE_PAGES_FAILED = "newscrawl/article_pages_failed"
STAT_ARTICLES = "newscrawl/articles"
STAT_ARTICLES_FAILED = "newscrawl/articles_failed"
STAT_ARTICLES_IGNORED = "newscrawl/articles_ignored"

STAT_ARTICLES_NEW = "newscrawl/articles_new"
STAT_ARTICLES_UPDATED = "newscrawl/articles_updated"
STAT_ARTICLES_RECHECKED = "newscrawl/articles_rechecked"
STAT_ARTICLES_SKIPPED_KNOWN = "newscrawl/articles_skipped_known"
STAT_PAGINATION_STOPPED_KNOWN = "newscrawl/pagination_stopped_known"
STAT_DROPPED_UNCHANGED = "newscrawl/dropped/unchanged"
STAT_DROPPED_DUPLICATE = "newscrawl/dropped/duplicate"

STAT_ARCHIVE_FILES = "newscrawl/archive/files"
STAT_ARCHIVE_RESPONSES = "newscrawl/archive/responses"
#: Responses archived as ``revisit`` records (payload identical to an earlier capture).
STAT_ARCHIVE_REVISITS = "newscrawl/archive/revisits"
#: Payload bytes the revisit records did not store again.
STAT_ARCHIVE_REVISIT_PAYLOAD_BYTES = "newscrawl/archive/revisit_payload_bytes"
STAT_REPLAY_RESPONSES = "newscrawl/replay/responses"
STAT_REPLAY_MISSING = "newscrawl/replay/missing"

#: Template drift (newscrawl.runs.drift): the check's status, its alarms (list of dicts with
#: field, message, before/after figures and examples), and the baseline it compared with.
STAT_DRIFT_STATUS = "newscrawl/drift/status"
STAT_DRIFT_ALARMS = "newscrawl/drift/alarms"
STAT_DRIFT_BASELINE_RUNS = "newscrawl/drift/baseline_runs"
STAT_DRIFT_BASELINE_RECORDS = "newscrawl/drift/baseline_records"

#: Requests refused by the address check (all, and ``…/<reason>`` per reason).
STAT_ADDRESS_REFUSED = "newscrawl/address_refused"

#: Files the run could not write or read (feed, archive, state store, manifest): a list of
#: ``{"kind", "file", "error"}`` (the OS error as ``[Errno N] text``), in the order met.
STAT_FILE_FAILURES = "newscrawl/file_failures"
#: Responses not archived (and so not processed) because the archive could not be written.
STAT_ARCHIVE_WRITE_FAILED = "newscrawl/archive/write_failed"

#: The run's health as an exit code (set when the run ends; the crawl command exits with it).
STAT_EXIT_CODE = "newscrawl/exit_code"
#: Why the run is unhealthy (list of sentences; empty when healthy).
STAT_HEALTH_REASONS = "newscrawl/health_reasons"

_STAT_WARNING_PREFIX = "newscrawl/warnings/"


def warning_stat(warning: str) -> str:
    """Stats key counting records flagged with ``warning`` (``newscrawl/warnings/no_author``)."""
    return _STAT_WARNING_PREFIX + warning


# -- stats written by Scrapy that newscrawl reads -----------------------------------------

SCRAPY_FINISH_REASON = "finish_reason"
SCRAPY_REQUEST_COUNT = "downloader/request_count"
SCRAPY_ITEMS_SCRAPED = "item_scraped_count"
SCRAPY_SPIDER_EXCEPTIONS = "spider_exceptions/count"
SCRAPY_CRITICAL_LOGS = "log_count/CRITICAL"
#: Prefix of Scrapy's per-storage count of feeds that could not be stored.
SCRAPY_FEED_FAILED_PREFIX = "feedexport/failed_count/"
