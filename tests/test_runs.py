"""The run state store's interface and the health verdict (plain values, no crawl)."""

from __future__ import annotations

import sqlite3

import pytest

from newscrawl.crawling.extensions.manifest import run_counts
from newscrawl.runs.monitor import (
    EXIT_ERROR_RATE,
    EXIT_FAILED,
    EXIT_HEALTHY,
    EXIT_LOW_COVERAGE,
    EXIT_NO_ARTICLES,
    EXIT_PORTAL_UNREACHABLE,
    RunCounts,
    Thresholds,
    assess,
)
from newscrawl.runs.state import RunStatus, SQLiteStateStore, StateStore

LIMITS = Thresholds(max_error_rate=0.2, min_coverage=0.8, min_records_for_coverage=5)
FULL = {"title": 1.0, "published_date": 1.0, "body": 1.0, "source": 1.0}


def test_sqlite_store_implements_the_store_interface(tmp_path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite3")
    try:
        assert isinstance(store, StateStore)
        store.start_run("r1", "dzwww")
        store.add_pending("r1", {"url": "http://x/t1.htm", "id": "dzwww-1", "content_hash": "h"})
        store.mark_committing("r1", str(tmp_path / "a.jsonl"))
        assert store.commit_run("r1", [str(tmp_path / "a.jsonl")]) == 1
        store.finish_run("r1", RunStatus.FINISHED, list_items=3, articles=1)
        status = store.db.execute("SELECT status FROM runs WHERE run_id = 'r1'").fetchone()[0]
        assert status == RunStatus.COMMITTED
        assert store.previous_runs_found_articles("dzwww", "r2")
        assert store.get("http://x/t1.htm").version == 1
    finally:
        store.close()


def test_healthy_run() -> None:
    counts = RunCounts(list_pages=2, list_items=10, article_pages=10)
    verdict = assess(counts, FULL, records=10, earlier_runs_found_articles=True, thresholds=LIMITS)
    assert verdict.exit_code == EXIT_HEALTHY and verdict.reasons == []


@pytest.mark.parametrize(
    ("counts", "coverage", "code"),
    [
        (RunCounts(finish_reason="shutdown"), FULL, EXIT_FAILED),
        (RunCounts(finish_reason="closespider_itemcount"), FULL, EXIT_HEALTHY),
        (RunCounts(list_pages=3, list_items=0), FULL, EXIT_NO_ARTICLES),
        (RunCounts(article_pages=6, articles_failed=4), FULL, EXIT_ERROR_RATE),
        (RunCounts(article_pages=10), {**FULL, "source": 0.5}, EXIT_LOW_COVERAGE),
        # list pages: none read is its own code; a channel page lost, or many list pages
        # among few articles, is a degraded run
        (RunCounts(list_pages_failed=3, channels_failed=3), FULL, EXIT_PORTAL_UNREACHABLE),
        (RunCounts(list_pages_ignored=2), FULL, EXIT_PORTAL_UNREACHABLE),
        (
            RunCounts(
                list_pages=4, list_items=9, article_pages=9, channels_failed=1, list_pages_failed=1
            ),
            FULL,
            EXIT_ERROR_RATE,
        ),
        (
            RunCounts(list_pages=1, list_items=2, article_pages=2, list_pages_failed=2),
            FULL,
            EXIT_ERROR_RATE,
        ),
        (
            RunCounts(list_pages=5, list_items=20, article_pages=20, list_pages_failed=1),
            FULL,
            EXIT_HEALTHY,
        ),
    ],
)
def test_verdicts(counts: RunCounts, coverage: dict, code: int) -> None:
    verdict = assess(
        counts, coverage, records=10, earlier_runs_found_articles=True, thresholds=LIMITS
    )
    assert verdict.exit_code == code


def test_a_feed_that_could_not_be_stored_fails_the_run() -> None:
    """Scrapy counts a feed it could not store as feedexport/failed_count/<storage>."""
    stats = {"newscrawl/article_pages": 4, "feedexport/failed_count/AtomicFileFeedStorage": 1}
    verdict = assess(run_counts(stats, "finished"), FULL, 4, True, LIMITS)
    assert verdict.exit_code == EXIT_FAILED
    assert "a data file could not be written" in verdict.reasons[0]


def test_a_store_of_an_earlier_version_gains_the_new_columns(tmp_path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the tables of the first release
        db.execute(
            "CREATE TABLE runs (run_id TEXT PRIMARY KEY, spider TEXT NOT NULL, started_at TEXT "
            "NOT NULL, finished_at TEXT, status TEXT NOT NULL, data_file TEXT, list_items "
            "INTEGER, articles INTEGER)"
        )
        db.execute(
            "CREATE TABLE articles (url TEXT PRIMARY KEY, id TEXT NOT NULL, content_hash TEXT "
            "NOT NULL, version INTEGER NOT NULL, published_date TEXT, first_exported_at TEXT "
            "NOT NULL, last_exported_at TEXT NOT NULL, last_checked_at TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO articles VALUES ('http://x/t1.htm', 'dzwww-1', 'h', 1, NULL, "
            "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', "
            "'2026-01-01T00:00:00+00:00')"
        )
        db.execute(
            "INSERT INTO runs VALUES ('run-1', 'old', '2026-01-01T00:00:00+00:00', "
            "'2026-01-01T00:01:00+00:00', 'committed', 'out.jsonl', 1, 1)"
        )
    store = SQLiteStateStore(path)
    try:
        known = store.get("http://x/t1.htm")
        assert known is not None and not known.incomplete
        assert store.previous_run_complete("old", "run-2")  # its committed run was whole
    finally:
        store.close()


def test_the_unreachable_portal_is_named_with_the_reasons() -> None:
    stats = {
        "newscrawl/list_pages_failed": 2,
        "newscrawl/channels_failed": 2,
        "newscrawl/failed/connection_refused": 2,
        "newscrawl/failed_urls": [
            {"url": "http://x/a/", "kind": "list_page", "reason": "connection_refused"},
            {"url": "http://x/b/", "kind": "list_page", "reason": "connection_refused"},
        ],
    }
    verdict = assess(run_counts(stats, "finished"), FULL, 0, True, LIMITS)
    assert verdict.exit_code == EXIT_PORTAL_UNREACHABLE
    assert verdict.reasons[0] == (
        "none of the 2 list pages could be read (connection_refused ×2): the portal is "
        "down, unreachable from here or refusing the crawl"
    )
