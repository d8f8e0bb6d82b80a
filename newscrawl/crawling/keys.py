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
#: Shared crawl on Redis: ``(domain, token)`` of the politeness slot held while a request is out.
META_POLITENESS_TOKEN = "newscrawl_polite_token"

#: Response flag of a response answered from the archives, not the network.
FLAG_REPLAYED = "replayed"

# -- request.meta: faults and URL identity (docs/reliability.md) ---------------------------

#: Canonical URLs an article was asked for before the URL it was read from (the list
#: link and redirect hops); the state store knows it under all of them.
META_LINK_URLS = "newscrawl_link_urls"

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
#: Re-checked articles not exported because pages their last export had are missing now.
STAT_DROPPED_LOST_PAGES = "newscrawl/dropped/lost_pages"

STAT_ARCHIVE_FILES = "newscrawl/archive/files"
STAT_ARCHIVE_RESPONSES = "newscrawl/archive/responses"
#: Responses archived as ``revisit`` records (payload identical to an earlier capture).
STAT_ARCHIVE_REVISITS = "newscrawl/archive/revisits"
#: Payload bytes the revisit records did not store again.
STAT_ARCHIVE_REVISIT_PAYLOAD_BYTES = "newscrawl/archive/revisit_payload_bytes"
#: Responses not archived because their body is incomplete (``dataloss``).
STAT_ARCHIVE_PARTIAL_SKIPPED = "newscrawl/archive/partial_skipped"
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

# -- stats: failed fetches (docs/reliability.md) -------------------------------------------

#: List pages that could not be read (any page of a channel), and channel pages among them.
STAT_LIST_PAGES_FAILED = "newscrawl/list_pages_failed"
STAT_CHANNELS_FAILED = "newscrawl/channels_failed"
#: List pages not fetched on purpose (robots.txt).
STAT_LIST_PAGES_IGNORED = "newscrawl/list_pages_ignored"
#: Article links beyond ``NEWSCRAWL_MAX_LINKS_PER_LIST_PAGE`` left out, and the pages that
#: had that many.
STAT_LIST_ITEMS_CAPPED = "newscrawl/list_items_capped"
STAT_LIST_PAGES_CAPPED = "newscrawl/list_pages_capped"
#: Article links on a list page that lead outside the crawl (not requested).
STAT_LIST_ITEMS_OFFSITE = "newscrawl/list_items_offsite"
#: Seconds waited for ``Retry-After`` answers, in all.
STAT_RETRY_AFTER_SECONDS = "newscrawl/retry_after/seconds"
#: Known articles fetched again because their last export lacked pages.
STAT_ARTICLES_INCOMPLETE_RETRIED = "newscrawl/articles_incomplete_retried"
#: Failed fetches listed by URL (``[{"url", "kind", "reason", "detail"}]``, at most
#: ``NEWSCRAWL_MANIFEST_MAX_FAILED_URLS``), and how many more were not listed.
STAT_FAILED_URLS = "newscrawl/failed_urls"
STAT_FAILED_NOT_LISTED = "newscrawl/failed_not_listed"
#: The same for fetches left out on purpose (robots.txt, replay without the page).
STAT_IGNORED_URLS = "newscrawl/ignored_urls"
STAT_IGNORED_NOT_LISTED = "newscrawl/ignored_not_listed"
_STAT_FAILED_PREFIX = "newscrawl/failed/"
_STAT_IGNORED_PREFIX = "newscrawl/ignored/"


def failed_stat(reason: str) -> str:
    """Stats key counting failed fetches of one reason (``newscrawl/failed/http_503``)."""
    return _STAT_FAILED_PREFIX + reason


def ignored_stat(reason: str) -> str:
    """Stats key counting fetches left out for one reason (``newscrawl/ignored/robots``)."""
    return _STAT_IGNORED_PREFIX + reason


def stats_by_prefix(stats: dict, prefix_of: str) -> dict[str, int]:
    """``{reason: count}`` of the per-reason counters written by :func:`failed_stat` or
    :func:`ignored_stat` (``prefix_of`` is ``"failed"`` or ``"ignored"``)."""
    prefix = {"failed": _STAT_FAILED_PREFIX, "ignored": _STAT_IGNORED_PREFIX}[prefix_of]
    return {
        key[len(prefix) :]: value
        for key, value in stats.items()
        if key.startswith(prefix) and isinstance(value, int)
    }


#: Shared crawl on Redis (newscrawl.crawling.distributed): items dropped because another
#: worker exports the same article in the run; requests kept in memory while Redis was
#: unreachable; outages waited through; queue entries of dead workers put back in the queue;
#: data files whose commit the shared state refused or could not record (the run exits 69).
STAT_DROPPED_CLAIMED = "newscrawl/dropped/claimed"
STAT_REDIS_OUTBOX = "newscrawl/redis/outbox"
STAT_REDIS_OUTAGES = "newscrawl/redis/outages"
STAT_REDIS_REAPED = "newscrawl/redis/reaped_requests"
STAT_REDIS_COMMITS_FAILED = "newscrawl/redis/commits_failed"
#: Requests sent to / taken from the shared queue (named like Scrapy's scheduler stats).
STAT_SCHEDULER_ENQUEUED_REDIS = "scheduler/enqueued/redis"
STAT_SCHEDULER_DEQUEUED_REDIS = "scheduler/dequeued/redis"

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
