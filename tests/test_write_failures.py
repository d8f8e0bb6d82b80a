"""Feeds and archives that cannot be written, met through the real crawler on real filesystems.

Each case: a healthy run exports some articles; a run whose destination fails
(a directory in the way, a read-only directory, a full tmpfs) exits 1 naming the
file and the OS error on stderr and in its manifest, and leaves nothing known
that it did not export; the next healthy run exports exactly the articles still
missing, none twice.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.archive.warc import ArchiveReadLog, iter_archive
from newscrawl.replica import REPLICA_CHANNELS
from newscrawl.runs.monitor import FILE_ERROR_FINISH, RunCounts, Thresholds, assess
from tests.conftest import ROOT, CrawlResult, run_crawl
from tests.filesystems import resize, small_filesystem, without_dac_override

LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text(encoding="utf-8"))
ALL_ARTICLES = set(LISTS["all_articles"])
FIRST_CHANNELS = REPLICA_CHANNELS[:2]


def _crawl(
    replica, tmp: Path, name: str, feed: Path, channels=REPLICA_CHANNELS, prefix=None, **settings
) -> CrawlResult:
    start = "start_urls=" + ",".join(replica.url + c for c in channels)
    return run_crawl(
        tmp / name,
        "-a",
        start,
        "-O",
        str(feed),
        server=replica,
        feed=False,
        prefix=prefix,
        settings={
            "NEWSCRAWL_STATE_DIR": str(tmp / "state"),
            "NEWSCRAWL_ARCHIVE_DIR": str(tmp / "archive"),
            "NEWSCRAWL_MANIFEST_DIR": str(tmp / "manifests"),
            **settings,
        },
    )


def _records(feed: Path) -> list[dict]:
    text = feed.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _paths(records: list[dict]) -> Counter[str]:
    return Counter(urlsplit(r["url"]).path for r in records)


def _manifests(*directories: Path) -> list[dict]:
    found = []
    for directory in directories:
        for path in sorted(directory.glob("*.manifest.json")):
            found.append(json.loads(path.read_text(encoding="utf-8")))
    return found


def _first_run(replica, tmp: Path) -> set[str]:
    first = _crawl(replica, tmp, "first", tmp / "first" / "first.jsonl", FIRST_CHANNELS)
    assert first.returncode == 0, first.log[-3000:]
    exported = _paths(_records(tmp / "first" / "first.jsonl"))
    assert set(exported.values()) == {1} and exported.keys() < ALL_ARTICLES
    return set(exported)


def _assert_failed(result: CrawlResult, reason: str, manifest_dirs: list[Path]) -> None:
    assert result.returncode == 1, result.log[-3000:]
    assert f"newscrawl: run unhealthy: {reason}" in result.log
    assert "Traceback" not in result.log.split("newscrawl: run unhealthy")[-1]
    manifests = _manifests(*manifest_dirs)
    assert len(manifests) == 1, manifest_dirs
    assert manifests[0]["exit_code"] == 1 and not manifests[0]["healthy"]
    assert reason in manifests[0]["reasons"]
    assert not any(r.startswith("error rate") for r in manifests[0]["reasons"])


def _assert_next_run_exports_the_rest(
    replica, tmp: Path, feed: Path, before: set[str], prefix=None
) -> None:
    result = _crawl(replica, tmp, "next", feed, prefix=prefix)
    assert result.returncode == 0, result.log[-3000:]
    exported = _paths(_records(feed))
    assert set(exported.values()) == {1}
    assert set(exported) == ALL_ARTICLES - before


def test_a_directory_in_the_feeds_way(replica, tmp_path) -> None:
    before = _first_run(replica, tmp_path)
    out = tmp_path / "out"
    feed = out / "articles.jsonl"
    feed.mkdir(parents=True)

    failed = _crawl(replica, tmp_path, "failed", feed)
    _assert_failed(
        failed, f"data file {feed} could not be written: [Errno 21] Is a directory", [out]
    )
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []

    again = _crawl(replica, tmp_path, "again", feed)  # still in the way: still nothing known
    assert again.returncode == 1
    feed.rmdir()
    _assert_next_run_exports_the_rest(replica, tmp_path, feed, before)


def test_a_read_only_directory(replica, tmp_path) -> None:
    before = _first_run(replica, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    feed = out / "articles.jsonl"
    out.chmod(0o555)
    try:
        failed = _crawl(replica, tmp_path, "failed", feed, prefix=without_dac_override())
    finally:
        out.chmod(0o755)
    reason = f"data file {feed} could not be written: [Errno 13] Permission denied"
    _assert_failed(failed, reason, [tmp_path / "manifests"])
    assert list(out.iterdir()) == []
    assert failed.stats["finish_reason"] == "file_error"
    _assert_next_run_exports_the_rest(
        replica, tmp_path, feed, before, prefix=without_dac_override()
    )


def test_a_full_filesystem(replica, tmp_path) -> None:
    with small_filesystem(tmp_path / "disk", "24k") as disk:
        before = _first_run(replica, tmp_path)
        feed = disk / "articles.jsonl"
        failed = _crawl(replica, tmp_path, "failed", feed)
        reason = f"data file {feed} could not be written: [Errno 28] No space left on device"
        _assert_failed(failed, reason, [disk, tmp_path / "manifests"])
        assert not feed.exists()
        assert [p.name for p in disk.iterdir() if p.name.startswith(".")] == []
        resize(disk, "8m")
        _assert_next_run_exports_the_rest(replica, tmp_path, feed, before)


def test_a_full_archive_disk(replica, tmp_path) -> None:
    """A disk error, not failed fetches: what was exported is archived, the rest comes next run."""
    with small_filesystem(tmp_path / "archive", "72k") as archive:
        first_feed = tmp_path / "first.jsonl"
        failed = _crawl(replica, tmp_path, "failed", first_feed)
        assert failed.returncode == 1, failed.log[-3000:]
        warcs = sorted(archive.glob("*.warc.gz"))
        assert len(warcs) == 1
        reason = f"archive file {warcs[0]} could not be written: [Errno 28] No space left on device"
        _assert_failed(failed, reason, [tmp_path])
        assert failed.stats["newscrawl/archive/write_failed"] >= 1
        exported = _records(first_feed)
        assert 0 < len(exported) < len(ALL_ARTICLES)
        assert all("missing_pages" not in r["warnings"] for r in exported)
        log = ArchiveReadLog()
        archived = {
            e.record.rec_headers.get_header("WARC-Record-ID") for e in iter_archive(warcs[0], log)
        }
        assert log.problems == []
        assert {r["archive"]["record_id"] for r in exported} <= archived

        resize(archive, "8m")
        _assert_next_run_exports_the_rest(
            replica, tmp_path, tmp_path / "next.jsonl", set(_paths(exported))
        )


def test_the_verdict_names_each_file_once_before_anything_else() -> None:
    failure = {
        "kind": "feed",
        "file": "/out/a.jsonl",
        "error": "[Errno 28] No space left on device",
    }
    counts = RunCounts(
        finish_reason=FILE_ERROR_FINISH,
        article_pages=10,
        feed_store_failures=1,
        file_failures=(failure, {"kind": "state", "file": "/s.sqlite3", "error": "disk I/O error"}),
    )
    verdict = assess(counts, {}, 0, True, Thresholds(0.2, 0.8, 5))
    assert verdict.exit_code == 1
    assert verdict.reasons == [
        "data file /out/a.jsonl could not be written: [Errno 28] No space left on device",
        "state store /s.sqlite3 could not be used: disk I/O error",
    ]
    unexplained = assess(RunCounts(feed_store_failures=1), {}, 0, True, Thresholds(0.2, 0.8, 5))
    assert unexplained.reasons == ["a data file could not be written or a critical error occurred"]


def test_a_full_state_disk(replica, tmp_path) -> None:
    """The state store's disk fills up: a disk error naming the store; nothing half-known."""
    with small_filesystem(tmp_path / "state", "110k") as state:
        feed = tmp_path / "out" / "articles.jsonl"
        failed = _crawl(replica, tmp_path, "failed", feed)
        assert failed.returncode == 1, failed.log[-3000:]
        assert f"newscrawl: run unhealthy: state store {state / 'dzwww.sqlite3'}" in failed.log
        assert "database or disk is full" in failed.log
        assert "Traceback" not in failed.log.split("newscrawl: run unhealthy")[-1]
        assert not feed.exists(), "a feed the state store could not record was committed"
        resize(state, "8m")
        _assert_next_run_exports_the_rest(replica, tmp_path, feed, set())
