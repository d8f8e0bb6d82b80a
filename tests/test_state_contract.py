"""The state store contract (:class:`~newscrawl.runs.state.StateStore`), run against every
store: the embedded SQLite file and the shared crawl's Redis store on a real redis-server.

Each backend drives runs the way its crawl does: the SQLite store settles killed runs
when the next run opens it; in Redis every run is one worker that joins the shared run
and leaves it, and a killed worker is reaped by the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.clock import utc_iso
from newscrawl.crawling import keys
from newscrawl.distributed.connection import RedisGuard, connect
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.leases import LeaseQueue
from newscrawl.distributed.runs import RunCoordinator, SummaryStats
from newscrawl.distributed.store import RedisStateStore
from newscrawl.runs.state import (
    RunStatus,
    SQLiteStateStore,
    StateStore,
    file_identity,
    new_run_id,
    state_file,
)
from tests.redis_support import redis_server

SPIDER = "dzwww"


class SQLiteBackend:
    """Runs of one process each on ``<state dir>/dzwww.sqlite3``."""

    name = "sqlite"

    def __init__(self, state_dir: Path) -> None:
        self.path = state_file(state_dir, SPIDER)
        self.store: StateStore = SQLiteStateStore(self.path)

    def begin(self) -> str:
        """A new run (earlier killed runs settled first, as a crawl does); its id."""
        self.store.recover()
        run_id = new_run_id()
        self.store.start_run(run_id, SPIDER)
        return run_id

    def end(self, run_id: str, status: RunStatus, list_items: int = 0) -> None:
        self.store.finish_run(run_id, status, list_items, 0)

    def kill(self, run_id: str) -> None:
        """The run's process dies: the next one opens the file again."""
        self.store.close()
        self.store = SQLiteStateStore(self.path)

    def close(self) -> None:
        self.store.close()


class RedisBackend:
    """Runs of one worker each in a shared crawl on a real redis-server."""

    name = "redis"

    def __init__(self, url: str) -> None:
        self.client = connect(url)
        self.client.flushall()
        self.keys = SpiderKeys("t", SPIDER)
        self._workers = 0
        self._new_worker()

    def _new_worker(self) -> None:
        self._workers += 1
        name, token = f"w{self._workers}", f"token-{self._workers}"
        summary = SummaryStats(list_items=keys.STAT_LIST_ITEMS, articles=keys.SCRAPY_ITEMS_SCRAPED)
        self.runs = RunCoordinator(self.client, self.keys, name, token, 30, summary)
        self.queue = LeaseQueue(self.client, self.keys, name, token)
        self.store = RedisStateStore(self.client, self.keys, name, token, RedisGuard(5))

    def begin(self) -> str:
        """The next worker reaps dead ones and joins (or creates) the run; its id."""
        self.runs.reap_dead(self.queue, self.store, self.runs.current_run())
        run_id = self.runs.join(new_run_id(), utc_iso()).run_id
        self.store.start_run(run_id, SPIDER)
        return run_id

    def end(self, run_id: str, status: RunStatus, list_items: int = 0) -> None:
        """The worker ends and leaves: the last one out ends the run."""
        self.store.finish_run(run_id, status, list_items, 0)
        self.runs.add_stats(run_id, {keys.STAT_LIST_ITEMS: list_items}, 60)
        finished = status in (RunStatus.FINISHED, RunStatus.COMMITTED)
        self.runs.leave(run_id, utc_iso(), finished and not self.store.has_pending())
        self._new_worker()

    def kill(self, run_id: str) -> None:
        """The worker dies: its heartbeat key expires (at once here), nobody reaped it yet."""
        self.client.delete(self.keys.alive(self.runs.worker))
        self._new_worker()

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path) -> Iterator[SQLiteBackend | RedisBackend]:
    if request.param == "sqlite":
        chosen: SQLiteBackend | RedisBackend = SQLiteBackend(tmp_path / "state")
    else:
        chosen = RedisBackend(request.getfixturevalue("redis_url"))
    try:
        yield chosen
    finally:
        chosen.close()


def _record(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "url": f"https://portal.example.cn/a/t2025052{n}_1.htm",
        "id": f"dzwww-{n}",
        "content_hash": f"{n:02d}" * 32,
        "version": 1,
        "published_date": "2025-05-23",
        **fields,
    }


def _export(store: StateStore, run_id: str, directory: Path, entries: list[tuple]) -> Path:
    """Export ``(record, aliases)`` entries to a data file the way a crawl does: pending,
    commit mark, rename into place; returns the file (not yet committed)."""
    final = directory / f"out-{run_id}.jsonl"
    temp = directory / f".out-{run_id}.jsonl.part"
    directory.mkdir(parents=True, exist_ok=True)
    with temp.open("w", encoding="utf-8") as handle:
        for record, aliases in entries:
            store.add_pending(run_id, record, aliases)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    store.mark_committing(run_id, str(final), file_identity(temp))
    os.replace(temp, final)
    return final


def test_the_store_implements_the_interface(backend) -> None:
    assert isinstance(backend.store, StateStore)


def test_an_article_is_known_once_its_data_file_is_committed(backend, tmp_path) -> None:
    run = backend.begin()
    record = _record(1)
    final = _export(backend.store, run, tmp_path / "out", [(record, ())])
    assert backend.store.get(record["url"]) is None  # pending is not known
    assert backend.store.commit_run(run, [str(final)]) == 1
    known = backend.store.get(record["url"])
    assert (known.url, known.id, known.content_hash, known.version, known.published_date) == (
        record["url"],
        "dzwww-1",
        "01" * 32,
        1,
        "2025-05-23",
    )
    assert not known.incomplete
    assert known.first_exported_at.tzinfo is not None
    assert abs(known.first_exported_at - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    backend.end(run, RunStatus.FINISHED)

    run = backend.begin()
    changed = {**record, "content_hash": "ff" * 32, "version": 2}
    final = _export(backend.store, run, tmp_path / "out", [(changed, ())])
    assert backend.store.commit_run(run, [str(final)]) == 1
    updated = backend.store.get(record["url"])
    assert (updated.id, updated.content_hash, updated.version) == ("dzwww-1", "ff" * 32, 2)
    assert updated.first_exported_at == known.first_exported_at
    backend.store.touch(record["url"])
    assert backend.store.get(record["url"]).last_checked_at >= updated.last_checked_at
    assert backend.store.get("https://portal.example.cn/a/unknown.htm") is None


def test_an_article_is_known_under_every_url_it_was_asked_for(backend, tmp_path) -> None:
    run = backend.begin()
    record = _record(2)
    asked = "http://portal.example.cn/a/t20250522_1.htm"  # the link, before a redirect
    final = _export(backend.store, run, tmp_path / "out", [(record, [asked, record["url"]])])
    assert backend.store.get(asked) is None
    backend.store.commit_run(run, [str(final)])
    by_link = backend.store.get(asked)
    assert by_link is not None and by_link.url == record["url"] and by_link.id == "dzwww-2"
    assert backend.store.get(record["url"]).url == record["url"]


def test_an_article_exported_without_some_pages_stays_incomplete(backend, tmp_path) -> None:
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    run = backend.begin()
    flagged = _record(3, warnings=["missing_pages"])
    complete = _record(4, warnings=["no_author"])
    final = _export(backend.store, run, tmp_path / "out", [(flagged, ()), (complete, ())])
    assert backend.store.incomplete_urls(an_hour_ago) == []  # pending
    backend.store.commit_run(run, [str(final)])
    assert backend.store.get(flagged["url"]).incomplete
    assert not backend.store.get(complete["url"]).incomplete
    assert backend.store.incomplete_urls(an_hour_ago) == [flagged["url"]]
    assert backend.store.incomplete_urls(an_hour_ago + dt.timedelta(hours=2)) == []
    backend.end(run, RunStatus.FINISHED)

    # still incomplete on the next export: still listed, first export unchanged
    first = backend.store.get(flagged["url"]).first_exported_at
    run = backend.begin()
    again = {**flagged, "content_hash": "aa" * 32, "version": 2}
    final = _export(backend.store, run, tmp_path / "o2", [(again, ())])
    backend.store.commit_run(run, [str(final)])
    assert backend.store.get(flagged["url"]).first_exported_at == first
    assert backend.store.incomplete_urls(an_hour_ago) == [flagged["url"]]
    backend.end(run, RunStatus.FINISHED)

    # exported with every page at last: complete, no longer listed
    run = backend.begin()
    whole = {**flagged, "content_hash": "bb" * 32, "version": 3, "warnings": []}
    final = _export(backend.store, run, tmp_path / "o3", [(whole, ())])
    backend.store.commit_run(run, [str(final)])
    known = backend.store.get(flagged["url"])
    assert not known.incomplete and known.version == 3
    assert backend.store.incomplete_urls(an_hour_ago) == []


def test_a_run_killed_before_its_commit_leaves_nothing_known(backend, tmp_path) -> None:
    run = backend.begin()
    record = _record(5)
    backend.store.add_pending(run, record)
    backend.kill(run)
    backend.begin()
    assert backend.store.get(record["url"]) is None


def test_a_run_killed_after_renaming_its_data_file_is_committed_by_the_next(
    backend, tmp_path
) -> None:
    run = backend.begin()
    record = _record(6, warnings=["missing_pages"])
    asked = "http://portal.example.cn/a/t20250526_1.htm"
    _export(backend.store, run, tmp_path / "out", [(record, [asked])])
    backend.kill(run)  # between the rename and the commit
    backend.begin()
    known = backend.store.get(asked)
    assert known is not None and known.url == record["url"] and known.incomplete
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert backend.store.incomplete_urls(hour_ago) == [record["url"]]


def test_a_data_file_that_is_not_the_renamed_one_is_not_committed(backend, tmp_path) -> None:
    """Killed after the commit mark but before the rename, with an older file under the
    data file's name (``-O`` over an earlier export): that file's articles stay unknown."""
    run = backend.begin()
    record = _record(7)
    directory = tmp_path / "out"
    directory.mkdir()
    final = directory / "out.jsonl"
    final.write_text(json.dumps(record) + "\n", encoding="utf-8")  # the earlier export
    temp = directory / ".out.jsonl.part"
    temp.write_text(json.dumps(record) + "\n", encoding="utf-8")
    backend.store.add_pending(run, record)
    backend.store.mark_committing(run, str(final), file_identity(temp))
    backend.kill(run)
    backend.begin()
    assert backend.store.get(record["url"]) is None


def test_the_run_after_one_that_did_not_finish_catches_up(backend) -> None:
    run = backend.begin()
    assert backend.store.previous_run_complete(SPIDER, run)  # no earlier run
    assert not backend.store.previous_runs_found_articles(SPIDER, run)
    backend.end(run, RunStatus.FINISHED, list_items=3)

    run = backend.begin()
    assert backend.store.previous_run_complete(SPIDER, run)
    assert backend.store.previous_runs_found_articles(SPIDER, run)
    backend.end(run, RunStatus.FAILED)  # stopped early: a shutdown, a limit, a file error

    run = backend.begin()
    assert not backend.store.previous_run_complete(SPIDER, run)
    backend.kill(run)

    run = backend.begin()
    assert not backend.store.previous_run_complete(SPIDER, run)  # after a killed run
    backend.end(run, RunStatus.FINISHED)

    run = backend.begin()
    assert backend.store.previous_run_complete(SPIDER, run)
