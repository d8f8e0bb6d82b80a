"""The run history contract (:class:`~newscrawl.runs.history.RunHistory`), run against the
embedded SQLite file and the shared crawls' Redis history on a real redis-server; and
``newscrawl health`` reading either."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from newscrawl.cli import build_parser
from newscrawl.distributed.connection import connect
from newscrawl.distributed.history import RedisRunHistory
from newscrawl.health.cli import health_command
from newscrawl.health.location import HistoryLocation
from newscrawl.runs.drift import Alarm
from newscrawl.runs.history import RunHistory, RunSummary, SQLiteRunHistory
from tests.drift_records import summary
from tests.redis_support import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


def _open(kind: str, tmp_path: Path, url: str | None, keep_runs: int = 1000) -> RunHistory:
    if kind == "sqlite":
        return SQLiteRunHistory(tmp_path / "health.sqlite3", keep_runs=keep_runs)
    client = connect(url)
    client.flushall()
    return RedisRunHistory(client, "t", keep_runs=keep_runs)


@pytest.fixture(params=["sqlite", "redis"])
def kind(request) -> str:
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    return request.param


@pytest.fixture
def history(kind, tmp_path, request) -> Iterator[RunHistory]:
    url = request.getfixturevalue("redis_url") if kind == "redis" else None
    opened = _open(kind, tmp_path, url)
    try:
        yield opened
    finally:
        opened.close()


def _alarmed(site: str, index: int) -> RunSummary:
    alarm = Alarm(
        field="authors",
        check="coverage",
        message="authors: coverage fell to 0 % of records",
        before=0.95,
        after=0.0,
    )
    return summary(site, index, healthy=False, alarms=[alarm], errors=2, requests=40)


def test_runs_come_back_newest_first_and_whole(history: RunHistory) -> None:
    for index in (3, 1, 4, 0, 2):  # added out of order
        history.add(_alarmed("alpha", index) if index == 4 else summary("alpha", index))
    history.add(summary("beta", 9))
    assert [r.run_id for r in history.recent("alpha", 10)] == [
        f"run-00{i}" for i in (4, 3, 2, 1, 0)
    ]
    assert [r.run_id for r in history.recent("alpha", 2)] == ["run-004", "run-003"]
    assert [r.run_id for r in history.healthy("alpha", 2)] == ["run-003", "run-002"]
    assert history.recent("gamma", 5) == [] and history.sites() == ["alpha", "beta"]
    newest = history.recent("alpha", 1)[0]
    assert newest.to_dict() == _alarmed("alpha", 4).to_dict()  # stats, alarms and all


def test_a_run_added_again_replaces_it(history: RunHistory) -> None:
    history.add(summary("alpha", 1))
    history.add(replace(summary("alpha", 1), exit_code=4, healthy=False))
    (run,) = history.recent("alpha", 5)
    assert (run.exit_code, run.healthy) == (4, False)


def test_an_accepted_run_feeds_the_baseline(history: RunHistory) -> None:
    history.add(summary("alpha", 1))
    history.add(_alarmed("alpha", 2))
    assert [r.run_id for r in history.healthy("alpha", 5)] == ["run-001"]
    assert history.mark_healthy("alpha", "run-002")
    assert not history.mark_healthy("alpha", "run-099")
    assert [r.run_id for r in history.healthy("alpha", 5)] == ["run-002", "run-001"]


def test_only_the_latest_runs_are_kept(kind, tmp_path, request) -> None:
    url = request.getfixturevalue("redis_url") if kind == "redis" else None
    history = _open(kind, tmp_path, url, keep_runs=3)
    try:
        for index in range(6):
            history.add(summary("alpha", index))
            history.add(summary("beta", index))
        assert [r.run_id for r in history.recent("alpha", 10)] == ["run-005", "run-004", "run-003"]
        assert len(history.recent("beta", 10)) == 3
    finally:
        history.close()


def _health(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = health_command(build_parser().parse_args(["health", *args]), out, err)
    return code, out.getvalue(), err.getvalue()


def test_health_reads_the_shared_history_as_it_reads_a_file(redis_url, tmp_path) -> None:
    runs = [summary("alpha", i) for i in range(4)] + [_alarmed("alpha", 4), summary("beta", 0)]
    shared = _open("redis", tmp_path, redis_url)
    with SQLiteRunHistory(tmp_path / "health.sqlite3") as embedded:
        for run in runs:
            shared.add(run)
            embedded.add(run)
    shared.close()
    from_file = _health("--history", str(tmp_path / "health.sqlite3"))
    from_redis = _health("--redis-url", redis_url, "--redis-prefix", "t")
    assert from_file[0] == from_redis[0] == 0
    assert from_redis[1] == from_file[1]
    assert "alpha: 5 latest runs, 4 healthy, 1 with drift alarms" in from_redis[1]
    code, out, _ = _health("--redis-url", redis_url, "--redis-prefix", "t", "alpha", "--accept",
                           "run-004")  # fmt: skip
    assert code == 0 and "run run-004 of alpha now feeds the baseline" in out


def test_an_unreachable_shared_history_is_an_error_not_a_crash(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    location = HistoryLocation(tmp_path / "unused.sqlite3", url, "t")
    history = location.open()
    with pytest.raises(OSError, match=f"run history in Redis at redis://127.0.0.1:{port}/0"):
        history.healthy("alpha", 5)
    history.close()
    code, _, err = _health("--redis-url", url)
    assert code == 2
    assert f"cannot read the run history redis://127.0.0.1:{port}/0 (prefix newscrawl)" in err
    assert not (tmp_path / "unused.sqlite3").exists()


def _damage(history: RunHistory, site: str, run_id: str) -> None:
    """Overwrite one stored run with JSON that does not parse, as a broken write would."""
    if isinstance(history, SQLiteRunHistory):
        with history.db:
            history.db.execute(
                "UPDATE runs SET stats = '{' WHERE site = ? AND run_id = ?", (site, run_id)
            )
    else:
        history.client.hset(f"t:{site}:drift:runs", run_id, "{")


def test_a_damaged_run_is_skipped_and_logged(history: RunHistory, caplog) -> None:
    for index in range(3):
        history.add(summary("alpha", index))
    _damage(history, "alpha", "run-001")
    assert [r.run_id for r in history.recent("alpha", 5)] == ["run-002", "run-000"]
    assert [r.run_id for r in history.healthy("alpha", 5)] == ["run-002", "run-000"]
    assert "run run-001 of alpha is unreadable" in caplog.text
