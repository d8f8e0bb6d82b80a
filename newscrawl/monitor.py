"""Decide whether a finished run was healthy, and the exit code that says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newscrawl.distributed import EXIT_SHARED_STATE_UNAVAILABLE, FINISH_REASON_UNAVAILABLE

EXIT_HEALTHY = 0
EXIT_FAILED = 1
EXIT_NO_ARTICLES = 3
EXIT_ERROR_RATE = 4
EXIT_LOW_COVERAGE = 5

#: Fields whose coverage is checked (share of exported records that have them).
COVERED_FIELDS = ("title", "published_date", "body", "source")


@dataclass(frozen=True)
class Thresholds:
    max_error_rate: float = 0.2
    min_coverage: float = 0.8
    min_records_for_coverage: int = 5


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


def error_rate(stats: dict[str, Any]) -> float:
    """Failed article fetches and spider errors over article requests."""
    failures = (
        stats.get("newscrawl/articles_failed", 0)
        + stats.get("newscrawl/article_pages_failed", 0)
        + stats.get("spider_exceptions/count", 0)
    )
    attempts = stats.get("newscrawl/article_pages", 0) + failures
    return failures / attempts if attempts else 0.0


def assess(
    stats: dict[str, Any],
    coverage: dict[str, float],
    records: int,
    earlier_runs_found_articles: bool,
    thresholds: Thresholds = Thresholds(),
) -> Verdict:
    """The run's verdict from its stats and the coverage of its exported records."""
    verdict = Verdict()
    reason = stats.get("finish_reason", "finished")
    if reason == FINISH_REASON_UNAVAILABLE:
        verdict.fail(
            EXIT_SHARED_STATE_UNAVAILABLE,
            "the shared crawl state (Redis) was unavailable: this worker's articles "
            "were left to the other workers or the next run",
        )
    elif reason != "finished" and not reason.startswith("closespider_"):
        verdict.fail(EXIT_FAILED, f"run did not finish normally: {reason}")
    if stats.get("newscrawl/feed_store_failed", 0) or stats.get("log_count/CRITICAL", 0):
        verdict.fail(EXIT_FAILED, "a data file could not be written or a critical error occurred")
    list_pages = stats.get("newscrawl/list_pages", 0)
    if list_pages and not stats.get("newscrawl/list_items", 0) and earlier_runs_found_articles:
        verdict.fail(
            EXIT_NO_ARTICLES,
            f"{list_pages} list pages were read but held no article links, "
            "although earlier runs found some: the site layout may have changed",
        )
    rate = error_rate(stats)
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
    return verdict
