"""A damaged state store or lock file, met by the real crawler and the real ``newscrawl state``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawl.replica import REPLICA_CHANNELS
from newscrawl.runs.state import SQLiteStateStore
from tests.conftest import ROOT, CrawlResult, run_crawl

LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text(encoding="utf-8"))
ALL_ARTICLES = set(LISTS["all_articles"])


def _newscrawl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("newscrawl")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def _crawl(replica, tmp: Path, name: str) -> CrawlResult:
    start = "start_urls=" + ",".join(replica.url + c for c in REPLICA_CHANNELS)
    feeds = json.dumps({str(tmp / "output" / "%(time)s.jsonl"): {"format": "jsonlines"}})
    return run_crawl(
        tmp / name,
        "-a",
        start,
        server=replica,
        feed=False,
        settings={
            "NEWSCRAWL_STATE_DIR": str(tmp / "state"),
            "NEWSCRAWL_ARCHIVE_DIR": str(tmp / "archive"),
            "FEEDS": feeds,
        },
    )


def _exported(tmp: Path) -> list[dict]:
    return [
        json.loads(line)
        for file in sorted((tmp / "output").glob("*.jsonl"))
        for line in file.read_text(encoding="utf-8").splitlines()
    ]


def _state_args(tmp: Path, action: str, *extra: str) -> list[str]:
    return ["state", action, "dzwww", "-s", f"NEWSCRAWL_STATE_DIR={tmp / 'state'}", *extra]


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory) -> Path:
    """A state directory and output after one healthy crawl of the replica (copied per test)."""
    tmp = tmp_path_factory.mktemp("crawled")
    result = _crawl(replica, tmp, "first")
    assert result.returncode == 0, result.log[-3000:]
    assert len(_exported(tmp)) == len(ALL_ARTICLES)
    return tmp


def _copy(crawled: Path, tmp: Path) -> Path:
    subprocess.run(["cp", "-a", f"{crawled}/state", f"{crawled}/output", str(tmp)], check=True)
    return tmp / "state" / "dzwww.sqlite3"


def _garbage(db: Path) -> None:
    db.write_bytes(os.urandom(8192))


def _truncated(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])


def _emptied(db: Path) -> None:
    db.write_bytes(b"")


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_garbage, "file is not a database"),
        (_truncated, "database disk image is malformed"),
        (_emptied, "empty file (0 bytes)"),
    ],
)
def test_a_damaged_state_stops_the_run_before_it_fetches(
    replica, crawled, tmp_path, damage, problem
) -> None:
    db = _copy(crawled, tmp_path)
    damage(db)
    damaged = db.read_bytes()
    result = _crawl(replica, tmp_path, "damaged")
    assert result.returncode == 1
    assert result.requested == [], "a run with a damaged state fetched pages"
    assert f"state store {db} is damaged: {problem}" in result.log
    assert f"newscrawl state rebuild dzwww -s NEWSCRAWL_STATE_DIR={db.parent}" in result.log
    assert "Traceback" not in result.log
    assert db.read_bytes() == damaged, "the damaged file was changed"

    check = _newscrawl(*_state_args(tmp_path, "check"))
    assert check.returncode == 1 and "DAMAGED" in check.stdout and problem in check.stdout

    rebuilt = _newscrawl(*_state_args(tmp_path, "rebuild", "--from", str(tmp_path / "output")))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{len(ALL_ARTICLES)} articles at their latest version" in rebuilt.stdout
    backups = list(db.parent.glob("dzwww.sqlite3.backup-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == damaged
    assert _newscrawl(*_state_args(tmp_path, "check")).returncode == 0

    after = _crawl(replica, tmp_path, "after")
    assert after.returncode == 0, after.log[-3000:]
    assert len(_exported(tmp_path)) == len(ALL_ARTICLES), "articles were exported twice"
    assert after.stats.get("newscrawl/articles_skipped_known", 0) > 0


def test_rebuild_reads_the_default_feed_directory_and_keeps_the_latest_version(
    tmp_path,
) -> None:
    """Two exports of one article: the state learns version 2 with its content hash."""
    project = tmp_path / "project"
    output = project / "output" / "dzwww"
    output.mkdir(parents=True)
    base = {"site": "dzwww", "url": "https://www.dzwww.com/a/t20250101_1.htm", "id": "dzwww-1"}
    other = {**base, "url": "https://www.dzwww.com/a/t20250101_2.htm", "id": "dzwww-2"}
    lines = {
        "2025-01-01T00-00-00+00-00.jsonl": [
            {**base, "content_hash": "v1", "version": 1, "crawled_at": "2025-01-01T00:00:00+00:00"},
            {
                **other,
                "content_hash": "o1",
                "version": 1,
                "crawled_at": "2025-01-01T00:00:00+00:00",
            },
        ],
        "2025-01-02T00-00-00+00-00.jsonl": [
            {**base, "content_hash": "v2", "version": 2, "updated_at": "2025-01-02T00:00:00+00:00"},
            {**base, "site": "generic", "id": "generic-1", "content_hash": "g", "version": 1},
        ],
    }
    for name, records in lines.items():
        text = "".join(json.dumps(r) + "\n" for r in records)
        (output / name).write_text(text + '{"cut short', encoding="utf-8")
    (output / ".2025-01-03T00-00-00+00-00.jsonl.1.part").write_text(
        json.dumps({**base, "content_hash": "never committed", "version": 3}) + "\n"
    )
    result = _newscrawl("state", "rebuild", "dzwww", cwd=project)
    assert result.returncode == 1, result.stderr  # the unreadable last lines are reported
    assert "2 unreadable lines" in result.stderr
    assert "2 articles at their latest version (1 older lines passed over, 1 lines of other" in (
        result.stdout
    )
    store = SQLiteStateStore(project / "state" / "dzwww.sqlite3")
    known = store.get(base["url"])
    assert known is not None and (known.version, known.content_hash) == (2, "v2")
    assert store.get(other["url"]).content_hash == "o1"
    store.close()


def test_repair_salvages_past_a_damaged_page(tmp_path) -> None:
    state = tmp_path / "state"
    store = SQLiteStateStore(state / "dzwww.sqlite3")
    store.start_run("run-1", "dzwww")
    for n in range(3000):
        store.add_pending(
            "run-1",
            {
                "url": f"https://www.dzwww.com/a/t2025_{n}.htm",
                "id": f"dzwww-{n}",
                "content_hash": "h",
            },
        )
    store.commit_run("run-1", ["a.jsonl"])
    store.close()
    db = state / "dzwww.sqlite3"
    data = bytearray(db.read_bytes())
    page = 4096
    middle = len(data) // page // 2
    data[middle * page : (middle + 1) * page] = os.urandom(page)
    db.write_bytes(bytes(data))

    assert _newscrawl(*_state_args(tmp_path, "check")).returncode == 1
    repaired = _newscrawl(*_state_args(tmp_path, "repair"))
    assert repaired.returncode == 0, repaired.stderr
    assert "articles and 1 runs salvaged" in repaired.stdout
    check = _newscrawl(*_state_args(tmp_path, "check"))
    assert check.returncode == 0, check.stdout
    salvaged = int(check.stdout.split("ok (integrity_check): ")[1].split(" articles")[0])
    assert 2500 < salvaged < 3000
    assert len(list(state.glob("dzwww.sqlite3.backup-*"))) == 1
    again = _newscrawl(*_state_args(tmp_path, "repair"))
    assert again.returncode == 1 and "not damaged" in again.stderr


def test_repair_of_a_file_with_nothing_to_salvage_leaves_it(tmp_path) -> None:
    db = tmp_path / "state" / "dzwww.sqlite3"
    db.parent.mkdir()
    _garbage(db)
    before = db.read_bytes()
    result = _newscrawl(*_state_args(tmp_path, "repair"))
    assert result.returncode == 1 and "state rebuild" in result.stderr
    assert db.read_bytes() == before


def _holder(lock: Path, content: bytes) -> subprocess.Popen[bytes]:
    """Another process holding the run lock (as a running crawl would)."""
    code = (
        "import fcntl, sys, time\n"
        f"h = open({str(lock)!r}, 'wb')\n"
        "fcntl.flock(h.fileno(), fcntl.LOCK_EX)\n"
        f"h.write({content!r}); h.flush()\n"
        "print('locked', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"locked\n"
    return proc


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize(
    "content", [b"\xff\xfe\x00garbage\x80" * 20, b"", lambda: str(_dead_pid()).encode()]
)
def test_a_stale_or_garbled_lock_file_does_not_block_the_next_run(
    replica, crawled, tmp_path, content
) -> None:
    _copy(crawled, tmp_path)
    lock = tmp_path / "state" / "dzwww.lock"
    lock.write_bytes(content() if callable(content) else content)
    result = _crawl(replica, tmp_path, "run")
    assert result.returncode == 0, result.log[-3000:]
    assert lock.read_bytes().isdigit()  # the run wrote its own pid


def test_a_live_holder_with_a_garbled_lock_file_still_gives_75(replica, tmp_path) -> None:
    lock = tmp_path / "state" / "dzwww.lock"
    lock.parent.mkdir()
    holder = _holder(lock, b"\xff\x00not a pid")
    try:
        started = time.monotonic()
        result = _crawl(replica, tmp_path, "second")
        assert result.returncode == 75
        assert f"another dzwww run holds {lock} (pid unknown)" in result.log
        assert "Traceback" not in result.log and result.requested == []
        assert time.monotonic() - started < 60
        for action in ("repair", "rebuild"):
            state = _newscrawl(*_state_args(tmp_path, action))
            assert state.returncode == 75 and "another dzwww run holds" in state.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_path_that_cannot_be_a_lock_fails_the_run_clearly(replica, tmp_path) -> None:
    lock = tmp_path / "state" / "dzwww.lock"
    lock.mkdir(parents=True)
    result = _crawl(replica, tmp_path, "run")
    assert result.returncode == 1
    assert f"cannot use the run lock {lock}: [Errno 21] Is a directory" in result.log
    assert "Traceback" not in result.log and result.requested == []
