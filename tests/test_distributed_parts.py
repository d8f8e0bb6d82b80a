"""The parts of the shared crawl: the Redis components against a real redis-server, the add-on,
workers' WARC files in one archive directory, the exit code 69 verdict, manifest merging."""

from __future__ import annotations

import json
import threading
import time
import tomllib
from pathlib import Path

import pytest
import redis
from scrapy.settings import Settings

from newscrawl.archive.captures import CaptureIndex
from newscrawl.archive.lookup import ArchiveLookup
from newscrawl.archive.warc import (
    Exchange,
    WarcArchiveWriter,
    iter_archive,
    read_record_headers,
)
from newscrawl.cli import main as cli_main
from newscrawl.crawling import keys
from newscrawl.crawling.distributed.addon import RedisWorkersAddon, with_worker
from newscrawl.distributed.connection import RedisGuard, RedisUnavailable, connect
from newscrawl.distributed.errors import WorkerIdInUse
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.leases import LeaseQueue, WorkerFenced
from newscrawl.distributed.limiter import DomainLimiter
from newscrawl.distributed.manifests import ManifestMergeError, merge_manifests
from newscrawl.distributed.runs import Membership, RunCoordinator, SummaryStats
from newscrawl.distributed.store import RedisStateStore
from newscrawl.runs.monitor import (
    EXIT_SHARED_STATE_UNAVAILABLE,
    FINISH_SHARED_STATE_UNAVAILABLE,
    RunCounts,
    Thresholds,
    assess,
)
from tests.redis_support import redis_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as srv:
        yield srv


@pytest.fixture
def client(server):
    client = connect(server.url)
    client.flushall()
    return client


KEYS = SpiderKeys("t", "spider")
SUMMARY = SummaryStats(list_items=keys.STAT_LIST_ITEMS, articles=keys.SCRAPY_ITEMS_SCRAPED)


def _worker(client, name: str, lease: float = 0.3):
    token = f"token-{name}"
    runs = RunCoordinator(client, KEYS, name, token, lease, SUMMARY)
    queue = LeaseQueue(client, KEYS, name, token)
    store = RedisStateStore(client, KEYS, name, token, RedisGuard(5))
    return runs, queue, store


def test_leased_entries_return_to_the_queue_only_when_the_holder_is_dead(client) -> None:
    runs_a, queue_a, store_a = _worker(client, "a")
    runs_b, queue_b, _ = _worker(client, "b")
    run = runs_a.join("run-1", "now")
    assert run.created and not runs_b.join("run-2", "now").created
    seen = KEYS.seen(run.run_id)
    assert queue_a.push(b"first", 0, seen, b"fp1") and queue_a.push(b"urgent", 5, seen, b"fp2")
    assert not queue_b.push(b"first again", 0, seen, b"fp1")  # seen in this run
    assert queue_a.take().payload == b"urgent"
    assert queue_a.take().payload == b"first"
    assert queue_b.take() is None and queue_a.held() == 2
    assert store_a.claim(run.run_id, "http://x/1")
    assert queue_b.reap("a", run.run_id) == -1  # a is alive: nothing happens
    time.sleep(0.4)  # a stops renewing its heartbeat
    assert runs_b.heartbeat(busy=False)
    assert queue_b.reap("a", run.run_id) == 2
    assert [queue_b.take().payload for _ in range(2)] == [b"urgent", b"first"]
    # a was fenced: it can take, acknowledge or commit nothing any more
    with pytest.raises(WorkerFenced):
        queue_a.take()
    with pytest.raises(WorkerFenced):
        store_a.mark_committing(run.run_id, "/tmp/a.jsonl")
    assert not runs_a.heartbeat(busy=False)
    # a's uncommitted claim was released, so b may export the article
    _, _, store_b = _worker(client, "b")
    assert store_b.claim(run.run_id, "http://x/1")
    assert queue_b.acknowledge_all() == 2 and client.hlen(KEYS.requests) == 0


def test_a_live_worker_id_cannot_be_taken_twice(client) -> None:
    runs, _, _ = _worker(client, "same", lease=30)
    assert runs.join("run-1", "now").created
    # the join retried after a lost reply: still the run's seeder
    assert runs.join("run-2", "now") == Membership("run-1", "same", created=True)
    other = RunCoordinator(client, KEYS, "same", "another-token", 30, SUMMARY)
    with pytest.raises(WorkerIdInUse):
        other.join("run-2", "now")


def test_workers_joining_at_once_create_one_run(client) -> None:
    results = []

    def join(n: int) -> None:
        runs = RunCoordinator(connect_like(client), KEYS, f"w{n}", f"t{n}", 30, SUMMARY)
        results.append(runs.join(f"run-{n}", "now"))

    threads = [threading.Thread(target=join, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(m.created for m in results) == 1
    assert len({m.run_id for m in results}) == 1


def connect_like(client: redis.Redis) -> redis.Redis:
    return redis.Redis(connection_pool=client.connection_pool)


def test_last_worker_out_ends_the_run_and_drops_its_seen_set(client) -> None:
    runs_a, queue_a, _ = _worker(client, "a", lease=30)
    runs_b, _, _ = _worker(client, "b", lease=30)
    run = runs_a.join("run-1", "2025-01-01T00:00:00+00:00").run_id
    runs_b.join("run-2", "2025-01-01T00:00:00+00:00")
    queue_a.push(b"x", 0, KEYS.seen(run), b"fp")
    queue_a.take()
    queue_a.acknowledge_all()
    runs_a.add_stats(run, {keys.STAT_LIST_ITEMS: 7, keys.SCRAPY_ITEMS_SCRAPED: 3, "x": "t"}, 60)
    assert not runs_a.leave(run, "2025-01-01T00:01:00+00:00")
    assert client.exists(KEYS.seen(run))
    assert runs_b.leave(run, "2025-01-01T00:02:00+00:00")
    assert not client.exists(KEYS.seen(run)) and not client.exists(KEYS.run)
    summary = runs_a.history()[run]
    assert summary["status"] == "finished" and summary["list_items"] == 7
    assert summary["complete"] is True and summary["number"] == 1
    assert runs_a.run_stats(run) == {keys.STAT_LIST_ITEMS: 7, keys.SCRAPY_ITEMS_SCRAPED: 3}
    _, _, store = _worker(client, "c")
    assert store.previous_runs_found_articles("spider", "run-9")
    assert not store.previous_runs_found_articles("spider", run)


@pytest.mark.parametrize("how", ["left early", "reaped"])
def test_a_run_is_complete_only_when_every_worker_finished(client, how: str) -> None:
    """A worker that stops early (or dies and is reaped) makes the shared run incomplete,
    even when the others finish its requests: the next run reads every list page."""
    runs_a, queue_a, _ = _worker(client, "a", lease=30 if how == "left early" else 0.2)
    runs_b, queue_b, store_b = _worker(client, "b", lease=30)
    run = runs_a.join("run-1", "2025-01-01T00:00:00+00:00").run_id
    runs_b.join("run-2", "2025-01-01T00:00:00+00:00")
    queue_a.push(b"request", 0, KEYS.seen(run), b"fp")
    assert queue_a.take().payload == b"request"
    if how == "left early":
        assert queue_a.release_all() == 1
        assert not runs_a.leave(run, "2025-01-01T00:01:00+00:00", finished=False)
    else:
        time.sleep(0.3)
        assert runs_b.reap_dead(queue_b, store_b, run) == {"a": 1}
    assert queue_b.take().payload == b"request"  # b does a's request
    assert queue_b.acknowledge_all() == 1
    assert runs_b.leave(run, "2025-01-01T00:02:00+00:00", finished=True)
    summary = runs_b.history()[run]
    assert summary["status"] == "finished" and summary["complete"] is False
    _, _, store_c = _worker(client, "c")
    assert not store_c.previous_run_complete("spider", "run-3")


def test_a_run_whose_workers_all_vanished_is_closed_by_the_next_worker(client) -> None:
    runs_a, _, _ = _worker(client, "a", lease=0.2)
    old = runs_a.join("old", "now").run_id
    time.sleep(0.3)
    runs_b, queue_b, store_b = _worker(client, "b", lease=30)
    runs_b.reap_dead(queue_b, store_b, old)
    membership = runs_b.join("new", "now")
    assert membership.created and membership.run_id == "new"
    assert runs_b.history()["old"]["status"] == "abandoned"
    assert runs_b.history()["old"]["complete"] is False
    assert not store_b.previous_run_complete("spider", "new")


def test_limiter_caps_concurrency_and_spaces_starts(client) -> None:
    one = DomainLimiter(client, "t", "a", concurrency=2, delay=0.2, hold_seconds=5)
    two = DomainLimiter(client, "t", "b", concurrency=2, delay=0.2, hold_seconds=5)
    assert one.try_acquire("site", "a1") == 0
    wait = two.try_acquire("site", "b1")
    assert 0 < wait <= 0.2  # delay across workers
    time.sleep(wait)
    assert two.try_acquire("site", "b1") == 0
    time.sleep(0.21)
    assert one.try_acquire("site", "a2") > 0  # two slots taken: full
    one.release("site", "a1")
    assert one.try_acquire("site", "a2") == 0


def test_guard_waits_out_a_short_outage_and_gives_up_on_a_long_one() -> None:
    now = [0.0]
    guard = RedisGuard(10, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    failures = iter([redis.ConnectionError("down")] * 3)

    def flaky() -> str:
        error = next(failures, None)
        if error:
            raise error
        return "ok"

    assert guard.call(flaky) == "ok" and guard.outages == 1 and not guard.down

    def dead() -> None:
        raise redis.ConnectionError("still down")

    with pytest.raises(RedisUnavailable):
        guard.call(dead)
    assert now[0] > 10


def test_merge_manifests() -> None:
    base = {"run_id": "r", "spider": "s", "started_at": "1", "finished_at": "2", "errors": []}
    a = {
        **base,
        "worker": "b",
        "exit_code": 0,
        "healthy": True,
        "counts": {"articles_exported": 3, "list_pages": 1},
        "field_coverage": {"title": 1.0},
        "data_files": ["b.jsonl"],
    }
    b = {
        **base,
        "worker": "a",
        "finished_at": "3",
        "exit_code": 4,
        "healthy": False,
        "reasons": ["error rate"],
        "counts": {"articles_exported": 1, "list_pages": 2},
        "field_coverage": {"title": 0.0},
        "data_files": ["a.jsonl"],
    }
    merged = merge_manifests([a, b])
    assert merged["workers"] == ["a", "b"] and merged["finished_at"] == "3"
    assert merged["counts"] == {"articles_exported": 4, "list_pages": 3}
    assert merged["field_coverage"] == {"title": 0.75}
    assert merged["exit_code"] == 4 and merged["reasons"] == ["a: error rate"]
    assert merged["data_files"] == ["a.jsonl", "b.jsonl"]
    assert merged["drift_status"] == {"a": None, "b": None}
    with pytest.raises(ManifestMergeError):
        merge_manifests([a, {**b, "run_id": "other"}])


def test_addon_names_files_after_the_worker_and_stays_out_of_the_way_without_redis() -> None:
    assert (
        with_worker("output/%(name)s/%(time)s.jsonl", "w1") == "output/%(name)s/%(time)s-w1.jsonl"
    )
    assert with_worker("out/%(worker)s/x.jsonl", "w1") == "out/w1/x.jsonl"
    assert with_worker("s3://bucket/x.jsonl", "w1") == "s3://bucket/x.jsonl"
    settings = Settings({"FEEDS": {"out.jsonl": {"format": "jsonlines"}}})
    RedisWorkersAddon().update_settings(settings)
    assert settings["SCHEDULER"] != "newscrawl.crawling.distributed.scheduler.SharedScheduler"
    settings.set("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0")
    settings.set("NEWSCRAWL_WORKER_ID", "w7")
    settings.set("DOWNLOAD_DELAY", 0.5)
    RedisWorkersAddon().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == ["out-w7.jsonl"]
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getfloat("NEWSCRAWL_SHARED_DOWNLOAD_DELAY") == 0.5


def _exchange(url: str, body: bytes) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("Host", "portal.example.cn")],
        request_body=b"",
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=body,
    )


def test_workers_sharing_an_archive_directory_revisit_each_others_captures(tmp_path) -> None:
    """Workers' WARC files (worker id in the prefix) in one directory: a writer's capture
    index sees the other workers' committed captures, never an open file's, and every
    revisit resolves over the union of the files."""
    one, two, three = (f"http://portal.example.cn/a/{n}.htm" for n in range(3))

    def writer(prefix: str) -> WarcArchiveWriter:
        return WarcArchiveWriter(tmp_path, prefix, 10**9, {}, 6, CaptureIndex(tmp_path))

    w0, w1 = writer("s-20250101T000000Z-w0"), writer("s-20250101T000000Z-w1")
    first = w0.write(_exchange(one, b"first page"))
    # w0's file is still open: w1 cannot refer to it and writes the payload again
    assert not w1.write(_exchange(one, b"first page")).revisit
    (w0_file,) = w0.close()
    assert not w1.write(_exchange(two, b"second")).revisit
    # the next run of w0: w0's first file is in place (w1's is not)
    w0_next = writer("s-20250101T000001Z-w0")
    revisit = w0_next.write(_exchange(one, b"first page"))
    assert revisit.revisit
    assert not w0_next.write(_exchange(two, b"second")).revisit
    (w1_file,) = w1.close()
    assert w0_next.write(_exchange(three, b"third")).revisit is False
    (w0_next_file,) = w0_next.close()
    names = sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    assert (
        names
        == [w0_file.name, w1_file.name, w0_next_file.name]
        == [
            "s-20250101T000000Z-w0-00001.warc.gz",
            "s-20250101T000000Z-w1-00001.warc.gz",
            "s-20250101T000001Z-w0-00001.warc.gz",
        ]
    )
    assert sorted(p.name for p in tmp_path.glob("*.cdxj")) == [
        n.replace(".warc.gz", ".cdxj") for n in names
    ]
    revisit_headers = read_record_headers(w0_next_file, _offset_of(w0_next_file, one))
    assert revisit_headers["WARC-Refers-To"] == first.record_id

    lookup = ArchiveLookup()
    for path in sorted(tmp_path.glob("*.warc.gz")):
        for entry in iter_archive(path):
            lookup.add(entry)
    stored = lookup.read(one)
    assert stored.kind == "revisit" and stored.file == w0_next_file.name
    assert stored.raw_body == b"first page"
    assert lookup.read(two).raw_body == b"second" and lookup.read(three).raw_body == b"third"
    # whoever starts next finds the newest payload capture of each URL in the shared index
    later = CaptureIndex(tmp_path)
    assert later.previous(two).file == w0_next_file.name
    assert later.previous(three).file == w0_next_file.name
    later.close()


def _offset_of(archive, url: str) -> int:
    (offset,) = [
        e.offset
        for e in iter_archive(archive)
        if e.record.rec_headers.get_header("WARC-Target-URI") == url
        and e.record.rec_type in ("response", "revisit")
    ]
    return offset


def test_the_documented_install_line_names_the_redis_extra() -> None:
    """README's line installs the `redis` extra (redis, scrapy-redis; checked by hand in a
    fresh venv with pip 23.2.1), and the test extra includes it."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -e '.[redis]'" in readme
    extras = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    assert {r.split(">=")[0] for r in extras["redis"]} == {"redis", "scrapy-redis"}
    assert "newscrawl[redis]" in extras["test"]


def test_a_lost_shared_state_exits_69() -> None:
    thresholds = Thresholds(max_error_rate=0.2, min_coverage=0.8, min_records_for_coverage=5)
    lost = assess(RunCounts(finish_reason=FINISH_SHARED_STATE_UNAVAILABLE), {}, 0, True, thresholds)
    assert lost.exit_code == EXIT_SHARED_STATE_UNAVAILABLE == 69
    assert lost.reasons == [
        "the shared crawl state (Redis) was unavailable: this worker's articles were left "
        "to the other workers or the next run"
    ]
    refused = assess(RunCounts(shared_commits_failed=1), {}, 0, True, thresholds)
    assert refused.exit_code == 69 and "1 data files were not committed" in refused.reasons[0]
    assert assess(RunCounts(finish_reason="shutdown"), {}, 0, True, thresholds).exit_code == 1


def test_manifest_merge_refuses_manifests_of_different_runs(tmp_path, capsys) -> None:
    paths = []
    for worker, run in (("a", "r1"), ("b", "r2")):
        path = tmp_path / f"{worker}.manifest.json"
        path.write_text(json.dumps({"run_id": run, "worker": worker, "counts": {}}))
        paths.append(str(path))
    assert cli_main(["manifest", "merge", *paths]) == 2
    assert "manifests of different runs" in capsys.readouterr().err
    assert cli_main(["manifest", "merge", str(tmp_path / "missing.json")]) == 2


def test_an_entry_whose_take_reply_was_lost_goes_back_before_anything_is_acknowledged(
    client, server
) -> None:
    """Redis leased an entry but the worker never got the reply (it went away mid-call):
    the entry is not acknowledged with the others, it returns to the queue."""
    runs, queue, _ = _worker(client, "a", lease=30)
    run = runs.join("run-1", "now").run_id
    for n in range(3):
        assert queue.push(f"request {n}".encode(), 0, KEYS.seen(run), f"fp{n}".encode())
    assert queue.take().payload == b"request 0"
    # the take script runs, then the connection drops before its reply arrives
    server.stop()
    with pytest.raises(redis.ConnectionError):
        queue.take()
    assert queue.unsure
    server.start()
    client = connect(server.url)
    queue.client = client
    keys = [KEYS.queue, KEYS.requests, KEYS.leased("a"), KEYS.workers]
    queue._take(keys=keys, args=["a", "token-a"], client=client)  # the lost reply's lease
    assert queue.held() == 2 and len(queue) == 1
    assert queue.release_unreceived() == 1 and not queue.unsure
    assert queue.held() == 1 and len(queue) == 2
    assert queue.take().payload == b"request 1"
    assert queue.acknowledge_all() == 2
    assert len(queue) == 1 and client.hlen(KEYS.requests) == 1  # request 2 is still queued
