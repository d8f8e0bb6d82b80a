"""Decide whether a finished run was healthy, and the exit code that says so (pure values)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EXIT_HEALTHY = 0
EXIT_FAILED = 1
EXIT_NO_ARTICLES = 3
EXIT_ERROR_RATE = 4
EXIT_LOW_COVERAGE = 5
EXIT_DRIFT = 6
#: No list page of the run could be read (refused, timed out, 5xx …): the portal is down,
#: unreachable from here, or refusing the crawl.
EXIT_PORTAL_UNREACHABLE = 7
#: sysexits.h EX_UNAVAILABLE: a worker of a shared crawl lost the shared state (Redis
#: unreachable for too long, or the worker was presumed dead and its work handed to others);
#: nothing it exported was marked known, other workers or the next run do its work.
EXIT_SHARED_STATE_UNAVAILABLE = 69
#: sysexits.h EX_TEMPFAIL: another run of the spider holds the lock; try again later.
EXIT_LOCKED = 75

#: Every exit code of a run, as ``newscrawl run --help`` and the README list them.
EXIT_CODES = {
    EXIT_HEALTHY: "healthy",
    EXIT_FAILED: "failed",
    EXIT_NO_ARTICLES: "list pages held no articles",
    EXIT_ERROR_RATE: "degraded: too many failed fetches, or a channel page unreadable",
    EXIT_LOW_COVERAGE: "field coverage too low",
    EXIT_DRIFT: "template drift",
    EXIT_PORTAL_UNREACHABLE: "portal unreachable: no list page could be read",
    EXIT_SHARED_STATE_UNAVAILABLE: "the shared Redis state was unavailable (shared crawls)",
    EXIT_LOCKED: "another run holds the lock (shared crawls: or a live worker has this worker id)",
}

#: Fields whose coverage is checked (share of exported records that have them).
COVERED_FIELDS = ("title", "published_date", "body", "source")

#: Finish reasons of a run that ended as planned (Scrapy's CloseSpider limits included).
_NORMAL_FINISH = "finished"
#: The finish reason of a crawl stopped because a file could not be written or read
#: (the file failures it lists say which).
FILE_ERROR_FINISH = "file_error"
_LIMIT_FINISH_PREFIX = "closespider_"
#: Finish reason of a shared-crawl worker that stopped because the shared state was lost.
FINISH_SHARED_STATE_UNAVAILABLE = "shared_state_unavailable"
#: Finish reasons with an exit code and a sentence of their own (others exit 1).
_FINISH_REASON_VERDICTS = {
    FINISH_SHARED_STATE_UNAVAILABLE: (
        EXIT_SHARED_STATE_UNAVAILABLE,
        "the shared crawl state (Redis) was unavailable: this worker's articles were left "
        "to the other workers or the next run",
    ),
}


@dataclass(frozen=True)
class Thresholds:
    """Health limits (``NEWSCRAWL_MAX_ERROR_RATE``, ``NEWSCRAWL_MIN_FIELD_COVERAGE``,
    ``NEWSCRAWL_MIN_RECORDS_FOR_COVERAGE``; defaults in ``newscrawl.settings``)."""

    max_error_rate: float
    min_coverage: float
    min_records_for_coverage: int


@dataclass(frozen=True)
class RunCounts:
    """What the verdict needs to know of a run's counters."""

    finish_reason: str = _NORMAL_FINISH
    list_pages: int = 0
    list_items: int = 0
    article_pages: int = 0
    articles_failed: int = 0
    article_pages_failed: int = 0
    spider_exceptions: int = 0
    feed_store_failures: int = 0
    critical_errors: int = 0
    list_pages_failed: int = 0
    list_pages_ignored: int = 0
    channels_failed: int = 0
    list_page_reasons: Mapping[str, int] = field(default_factory=dict)
    """Why list pages failed or were left out: reason → pages (as far as they are listed)."""
    shared_commits_failed: int = 0
    """Data files of a shared-crawl worker whose commit the shared state refused or lost."""
    file_failures: tuple[Mapping[str, str], ...] = ()
    """Files the run could not write or read: ``{"kind", "file", "error"}`` each."""


@dataclass
class Verdict:
    exit_code: int = EXIT_HEALTHY
    reasons: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.exit_code == EXIT_HEALTHY

    def fail(self, code: int, reason: str) -> None:
        if self.exit_code == EXIT_HEALTHY:
            self.exit_code = code
        self.reasons.append(reason)


#: How each kind of file is named in a reason.
_FILE_KINDS = {
    "feed": "data file",
    "archive": "archive file",
    "state": "state store",
    "manifest": "run manifest",
    "stats": "stats file",
}


def file_failure_reason(failure: Mapping[str, str]) -> str:
    """``data file /out/a.jsonl could not be written: [Errno 28] No space left on device``."""
    kind = _FILE_KINDS.get(failure.get("kind", ""), "file")
    verb = "could not be used" if failure.get("kind") == "state" else "could not be written"
    return f"{kind} {failure.get('file')} {verb}: {failure.get('error')}"


def error_rate(counts: RunCounts) -> float:
    """Failed fetches (list pages, articles and their pages) and spider errors over the
    pages asked for."""
    failures = (
        counts.articles_failed
        + counts.article_pages_failed
        + counts.list_pages_failed
        + counts.spider_exceptions
    )
    attempts = counts.article_pages + counts.list_pages + failures
    return failures / attempts if attempts else 0.0


def _reasons(reasons: Mapping[str, int]) -> str:
    """``{"http_502": 6}`` → ``http_502 ×6``."""
    return ", ".join(f"{reason} ×{n}" for reason, n in sorted(reasons.items(), key=lambda i: -i[1]))


def assess(
    counts: RunCounts,
    coverage: dict[str, float],
    records: int,
    earlier_runs_found_articles: bool,
    thresholds: Thresholds,
    drift_alarms: Sequence[Mapping[str, Any]] = (),
) -> Verdict:
    """The run's verdict from its counters, the coverage of its exported records and the
    template-drift alarms raised against the site's history (:mod:`newscrawl.runs.drift`)."""
    verdict = Verdict()
    for failure in counts.file_failures:
        verdict.fail(EXIT_FAILED, file_failure_reason(failure))
    reason = counts.finish_reason
    explained = reason == FILE_ERROR_FINISH and counts.file_failures
    normal = reason == _NORMAL_FINISH or reason.startswith(_LIMIT_FINISH_PREFIX)
    if reason in _FINISH_REASON_VERDICTS:
        verdict.fail(*_FINISH_REASON_VERDICTS[reason])
    elif not normal and not explained:
        verdict.fail(EXIT_FAILED, f"run did not finish normally: {reason}")
    if counts.shared_commits_failed:
        verdict.fail(
            EXIT_SHARED_STATE_UNAVAILABLE,
            f"{counts.shared_commits_failed} data files were not committed to the shared crawl "
            "state (Redis unreachable, or this worker was presumed dead): their articles are "
            "exported by the other workers or the next run",
        )
    if (counts.feed_store_failures and not counts.file_failures) or counts.critical_errors:
        verdict.fail(EXIT_FAILED, "a data file could not be written or a critical error occurred")
    unread = counts.list_pages_failed + counts.list_pages_ignored
    if not counts.list_pages and unread:
        why = f" ({_reasons(counts.list_page_reasons)})" if counts.list_page_reasons else ""
        verdict.fail(
            EXIT_PORTAL_UNREACHABLE,
            f"none of the {unread} list pages could be read{why}: "
            "the portal is down, unreachable from here or refusing the crawl",
        )
    elif counts.channels_failed:
        verdict.fail(
            EXIT_ERROR_RATE,
            f"{counts.channels_failed} channel pages could not be read: their new articles "
            "were not seen (the manifest lists them under failures)",
        )
    if counts.list_pages and not counts.list_items and earlier_runs_found_articles:
        verdict.fail(
            EXIT_NO_ARTICLES,
            f"{counts.list_pages} list pages were read but held no article links, "
            "although earlier runs found some: the site layout may have changed",
        )
    rate = error_rate(counts)
    if rate > thresholds.max_error_rate:
        verdict.fail(
            EXIT_ERROR_RATE,
            f"error rate {rate:.0%} is above {thresholds.max_error_rate:.0%}",
        )
    if records >= thresholds.min_records_for_coverage:
        for name in COVERED_FIELDS:
            share = coverage.get(name, 0.0)
            if share < thresholds.min_coverage:
                verdict.fail(
                    EXIT_LOW_COVERAGE,
                    f"field {name} is filled in {share:.0%} of records, "
                    f"below {thresholds.min_coverage:.0%}",
                )
    for alarm in drift_alarms:
        urls = " ".join(example["url"] for example in alarm.get("examples", ()))
        verdict.fail(EXIT_DRIFT, f"template drift: {alarm['message']} (e.g. {urls})")
    return verdict
