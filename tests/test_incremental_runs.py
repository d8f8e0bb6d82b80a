"""Repeated cron runs against a replica that changes between runs (real crawler, real SQLite)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.replica import REPLICA_CHANNELS, ReplicaServer
from newscrawl.replica.server import DEFAULT_ROOT
from newscrawl.runs.monitor import EXIT_ERROR_RATE, EXIT_LOW_COVERAGE, EXIT_NO_ARTICLES
from newscrawl.runs.state import SQLiteStateStore
from tests.conftest import ROOT, run_crawl

LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text(encoding="utf-8"))
ALL_ARTICLES = set(LISTS["all_articles"])
LIST_PATHS = {page["url_path"] for pages in LISTS["list_pages"].values() for page in pages}


@pytest.fixture
def portal(tmp_path):
    """A private, editable copy of the replica site, served on 127.0.0.1."""
    site = tmp_path / "site"
    shutil.copytree(DEFAULT_ROOT, site)
    with ReplicaServer(root=site) as server:
        server.site = site
        yield server


def _crawl(portal, tmp_path: Path, name: str, *args: str, **settings: str):
    state = tmp_path / "state"
    output = tmp_path / "output"
    feeds = json.dumps({str(output / "%(time)s.jsonl"): {"format": "jsonlines"}})
    start = "start_urls=" + ",".join(portal.url + c for c in REPLICA_CHANNELS)
    return run_crawl(
        tmp_path / name,
        "-a",
        start,
        *args,
        server=portal,
        feed=False,
        settings={
            "NEWSCRAWL_STATE_DIR": str(state),
            "NEWSCRAWL_ARCHIVE_DIR": str(tmp_path / "archive"),
            "FEEDS": feeds,
            **settings,
        },
    )


def _exported(tmp_path: Path) -> list[dict]:
    """Every line of every data file in the output directory, checked to be whole JSON."""
    records = []
    for file in sorted((tmp_path / "output").glob("*.jsonl")):
        text = file.read_text(encoding="utf-8")
        assert text.endswith("\n")
        records += [json.loads(line) for line in text.splitlines()]
    return records


def _paths(records: list[dict]) -> Counter[str]:
    return Counter(urlsplit(r["url"]).path for r in records)


def _article_requests(requested: list[str]) -> list[str]:
    return [p for p in requested if "/t20" in p]


def test_unchanged_portal_second_run_requests_no_article(portal, tmp_path) -> None:
    first = _crawl(portal, tmp_path, "run1")
    assert first.returncode == 0, first.log[-2000:]
    assert _paths(_exported(tmp_path)).keys() == ALL_ARTICLES

    second = _crawl(portal, tmp_path, "run2")
    assert second.returncode == 0, second.log[-2000:]
    assert _article_requests(second.requested) == []
    assert set(second.requested) <= LIST_PATHS | {"/robots.txt"} | {
        "/" + c for c in REPLICA_CHANNELS
    }
    assert len(list((tmp_path / "output").glob("*.jsonl"))) == 1, "an empty run wrote a file"
    manifests = sorted((tmp_path / "output").glob("*.manifest.json"))
    assert len(manifests) == 2
    last = json.loads(manifests[-1].read_text(encoding="utf-8"))
    assert last["exit_code"] == 0 and last["data_files"] == []
    assert last["counts"]["articles_skipped_known"] > 0


def test_new_articles_are_exported_exactly_once(portal, tmp_path) -> None:
    assert _crawl(portal, tmp_path, "run1").returncode == 0
    channel = portal.site / "edu/xxdt/zyyx"
    template = (channel / "202505/t20250523_16561234.htm").read_text(encoding="utf-8")
    new_dir = channel / "202511"
    new_dir.mkdir()
    (new_dir / "t20251120_17000001.htm").write_text(
        template.replace("五元协同育匠才", "新增文章五元协同"), encoding="utf-8"
    )
    index = channel / "index.htm"
    index.write_text(
        index.read_text(encoding="gb18030").replace(
            "./202505/t20250523_16561234.htm",
            './202511/t20251120_17000001.htm">新增</a> <a href="./202505/t20250523_16561234.htm',
            1,
        ),
        encoding="gb18030",
    )
    second = _crawl(portal, tmp_path, "run2")
    assert second.returncode == 0
    assert _article_requests(second.requested) == ["/edu/xxdt/zyyx/202511/t20251120_17000001.htm"]
    third = _crawl(portal, tmp_path, "run3")
    assert third.returncode == 0 and _article_requests(third.requested) == []
    counts = _paths(_exported(tmp_path))
    assert counts.keys() == ALL_ARTICLES | {"/edu/xxdt/zyyx/202511/t20251120_17000001.htm"}
    assert set(counts.values()) == {1}


def test_edited_article_gets_a_new_version(portal, tmp_path) -> None:
    recheck = {"NEWSCRAWL_RECHECK_WINDOW_HOURS": "1000000", "NEWSCRAWL_RECHECK_INTERVAL_HOURS": "0"}
    assert _crawl(portal, tmp_path, "run1", **recheck).returncode == 0
    page = portal.site / "sd/sdnews/202505/t20250522_16559012.htm"
    page.write_text(
        page.read_text(encoding="utf-8").replace("同比增长8.6%", "同比增长8.7%"), encoding="utf-8"
    )
    second = _crawl(portal, tmp_path, "run2", **recheck)
    assert second.returncode == 0
    records = _exported(tmp_path)
    versions = [r for r in records if r["url"].endswith("t20250522_16559012.htm")]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["id"] == versions[1]["id"]
    assert versions[1]["updated_at"] and versions[0]["updated_at"] is None
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    assert len(records) == len(ALL_ARTICLES) + 1
    assert second.stats["newscrawl/dropped/unchanged"] == len(ALL_ARTICLES) - 1


def test_full_run_ignores_the_state(portal, tmp_path) -> None:
    assert _crawl(portal, tmp_path, "run1").returncode == 0
    full = _crawl(portal, tmp_path, "run2", "-a", "full=1")
    assert full.returncode == 0
    assert set(_article_requests(full.requested)) >= ALL_ARTICLES


def _spawn_crawl(portal, tmp_path: Path, name: str, **settings: str) -> subprocess.Popen:
    state = tmp_path / "state"
    output = tmp_path / "output"
    feeds = json.dumps({str(output / "%(time)s.jsonl"): {"format": "jsonlines"}})
    start = "start_urls=" + ",".join(portal.url + c for c in REPLICA_CHANNELS)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "dzwww", "-a", start]
    merged = {
        "NEWSCRAWL_STATE_DIR": str(state),
        "NEWSCRAWL_ARCHIVE_DIR": str(tmp_path / "archive"),
        "FEEDS": feeds,
        "AUTOTHROTTLE_ENABLED": "0",
        "CONCURRENT_REQUESTS": "1",
        "DOWNLOAD_DELAY": "0.15",
        "LOG_FILE": str(tmp_path / f"{name}.log"),
        "NEWSCRAWL_ALLOWED_ADDRESSES": f"127.0.0.1:{portal.port}",
        **settings,
    }
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings", PYTHONPATH=str(ROOT))
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)


def _wait_for_articles(portal, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(_article_requests(portal.requests)) < count:
        assert time.monotonic() < deadline, "crawl did not reach the expected point"
        time.sleep(0.05)


@pytest.mark.parametrize("kill_after_articles", [3, 12, 24])
def test_killed_run_then_rerun_gives_everything_once(portal, tmp_path, kill_after_articles) -> None:
    portal.clear_requests()
    proc = _spawn_crawl(portal, tmp_path, "killed")
    _wait_for_articles(portal, kill_after_articles)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert list((tmp_path / "output").glob("*.jsonl")) == []
    assert list((tmp_path / "archive").glob("*.warc.gz")) == []
    assert len(list((tmp_path / "archive").glob(".*.part"))) == 1
    rerun = _crawl(portal, tmp_path, "rerun")
    assert rerun.returncode == 0, rerun.log[-2000:]
    counts = _paths(_exported(tmp_path))
    assert counts.keys() == ALL_ARTICLES and set(counts.values()) == {1}
    assert list((tmp_path / "output").glob(".*.part")) == []
    assert list((tmp_path / "archive").glob(".*.part")) == []
    assert len(list((tmp_path / "archive").glob("*.warc.gz"))) == 1
    again = _crawl(portal, tmp_path, "again")
    assert _article_requests(again.requested) == []


def test_kill_between_rename_and_commit_is_recovered(tmp_path) -> None:
    store = SQLiteStateStore(tmp_path / "state.sqlite3")
    data = tmp_path / "out.jsonl"
    store.start_run("run-a", "dzwww")
    record = {"url": "http://x/t20250101_1.htm", "id": "dzwww-1", "content_hash": "h"}
    store.add_pending("run-a", record)
    store.mark_committing("run-a", str(data))
    data.write_text(json.dumps(record) + "\n", encoding="utf-8")
    store.close()

    reopened = SQLiteStateStore(tmp_path / "state.sqlite3")
    assert reopened.recover() == ["run-a"]
    assert reopened.get(record["url"]) is not None

    reopened.start_run("run-b", "dzwww")
    reopened.add_pending("run-b", {**record, "url": "http://x/t20250101_2.htm"})
    reopened.mark_committing("run-b", str(tmp_path / "never-renamed.jsonl"))
    assert reopened.recover() == ["run-b"]
    assert reopened.get("http://x/t20250101_2.htm") is None


def test_second_concurrent_run_exits_75_and_touches_nothing(portal, tmp_path) -> None:
    first = _spawn_crawl(portal, tmp_path, "first")
    try:
        _wait_for_articles(portal, 2)
        before = sorted(p.name for p in (tmp_path / "output").glob("*"))
        db = tmp_path / "state" / "dzwww.sqlite3"
        db_before = db.stat().st_mtime_ns
        started = time.monotonic()
        second = _spawn_crawl(portal, tmp_path, "second")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 75
        assert "another dzwww run" in err and "Traceback" not in err
        assert time.monotonic() - started < 30
        assert sorted(p.name for p in (tmp_path / "output").glob("*")) == before
        assert db.stat().st_mtime_ns == db_before
    finally:
        first.wait(timeout=120)
    assert first.returncode == 0


def test_list_pages_turning_empty_fail_the_run(portal, tmp_path) -> None:
    assert _crawl(portal, tmp_path, "run1").returncode == 0
    for file in portal.site.rglob("*.htm"):
        if file.name.startswith(("index", "default")):
            file.write_text("<html><body><div id='main2'><ul></ul></div></body></html>", "utf-8")
    broken = _crawl(portal, tmp_path, "run2")
    assert broken.returncode == EXIT_NO_ARTICLES
    assert "held no article links" in broken.log
    manifest = sorted((tmp_path / "output").glob("*.manifest.json"))[-1]
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["exit_code"] == EXIT_NO_ARTICLES and not data["healthy"]
    assert any("held no article links" in r for r in data["reasons"])


def test_many_failed_article_fetches_fail_the_run(portal, tmp_path) -> None:
    gone = [p for p in ALL_ARTICLES if p.startswith("/www/")]
    for path in gone:
        (portal.site / path.lstrip("/")).unlink()
    result = _crawl(portal, tmp_path, "run")
    assert result.returncode == EXIT_ERROR_RATE, result.log[-2000:]
    assert result.stats["newscrawl/articles_failed"] == len(gone)
    manifest = json.loads(sorted((tmp_path / "output").glob("*.manifest.json"))[-1].read_text())
    assert manifest["counts"]["articles_failed"] == len(gone)
    assert any(reason.startswith("error rate") for reason in manifest["reasons"])
    assert any("404" in error for error in manifest["errors"])


def test_low_field_coverage_fails_the_run(portal, tmp_path) -> None:
    for file in portal.site.rglob("t20*.htm*"):
        if file.suffix in (".htm", ".html"):
            raw = file.read_bytes()
            encoding = "utf-8" if b'charset="utf-8"' in raw.lower() else "gb18030"
            text = raw.decode(encoding).replace("来源", "出品")
            file.write_bytes(text.encode(encoding))
    result = _crawl(portal, tmp_path, "run")
    assert result.returncode == EXIT_LOW_COVERAGE, result.log[-2000:]
    manifest = json.loads(sorted((tmp_path / "output").glob("*.manifest.json"))[-1].read_text())
    assert manifest["field_coverage"]["source"] < 0.8
    assert manifest["field_coverage"]["title"] == 1.0
    assert "field source is filled in" in result.log


def test_an_interrupted_run_says_so_and_keeps_what_it_exported(portal, tmp_path) -> None:
    portal.clear_requests()
    proc = _spawn_crawl(portal, tmp_path, "interrupted")
    _wait_for_articles(portal, 6)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "run did not finish normally: shutdown" in err
    exported = _paths(_exported(tmp_path))
    assert exported and set(exported.values()) == {1}
    rerun = _crawl(portal, tmp_path, "rerun")
    assert rerun.returncode == 0
    counts = _paths(_exported(tmp_path))
    assert counts.keys() == ALL_ARTICLES and set(counts.values()) == {1}
