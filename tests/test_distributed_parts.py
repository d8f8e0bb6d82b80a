"""The Scrapy-free parts of the shared crawl, against a real redis-server."""

from __future__ import annotations

import json
import threading
import time

import pytest
import redis
from scrapy.settings import Settings

from newscrawl.distributed.connection import RedisGuard, RedisUnavailable, connect
from newscrawl.distributed.crawling.addon import RedisWorkersAddon, with_worker
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.leases import LeaseQueue, WorkerFenced
from newscrawl.distributed.limiter import DomainLimiter
from newscrawl.distributed.manifests import ManifestMergeError, merge_manifests
from newscrawl.distributed.runs import RunCoordinator, WorkerIdInUse
from newscrawl.distributed.store import RedisStateStore
from tests.redis_support import RedisServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with RedisServer(tmp_path_factory.mktemp("redis")) as srv:
        yield srv


@pytest.fixture
def client(server):
    client = connect(server.url)
    client.flushall()
    return client


KEYS = SpiderKeys("t", "spider")


def _worker(client, name: str, lease: float = 0.3):
    token = f"token-{name}"
    runs = RunCoordinator(client, KEYS, name, token, lease)
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
    runs.join("run-1", "now")
    other = RunCoordinator(client, KEYS, "same", "another-token", 30)
    with pytest.raises(WorkerIdInUse):
        other.join("run-2", "now")


def test_workers_joining_at_once_create_one_run(client) -> None:
    results = []

    def join(n: int) -> None:
        runs = RunCoordinator(connect_like(client), KEYS, f"w{n}", f"t{n}", 30)
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
    runs_a.add_stats(run, {"newscrawl/list_items": 7, "item_scraped_count": 3, "x": "t"}, 60)
    assert not runs_a.leave(run, "2025-01-01T00:01:00+00:00")
    assert client.exists(KEYS.seen(run))
    assert runs_b.leave(run, "2025-01-01T00:02:00+00:00")
    assert not client.exists(KEYS.seen(run)) and not client.exists(KEYS.run)
    summary = runs_a.history()[run]
    assert summary["status"] == "finished" and summary["list_items"] == 7
    assert runs_a.run_stats(run) == {"newscrawl/list_items": 7, "item_scraped_count": 3}
    _, _, store = _worker(client, "c")
    assert store.previous_runs_found_articles("spider", "run-9")
    assert not store.previous_runs_found_articles("spider", run)


def test_a_run_whose_workers_all_vanished_is_closed_by_the_next_worker(client) -> None:
    runs_a, _, _ = _worker(client, "a", lease=0.2)
    old = runs_a.join("old", "now").run_id
    time.sleep(0.3)
    runs_b, queue_b, _ = _worker(client, "b", lease=30)
    runs_b.reap_dead(queue_b, old)
    membership = runs_b.join("new", "now")
    assert membership.created and membership.run_id == "new"
    assert runs_b.history()["old"]["status"] == "abandoned"


def test_known_state_round_trip(client) -> None:
    _, _, store = _worker(client, "a")
    record = {
        "url": "http://example.cn/a.htm",
        "id": "dzwww-1",
        "content_hash": "ab" * 32,
        "version": 1,
        "published_date": "2025-05-23",
    }
    store.add_pending("r", record)
    assert store.get(record["url"]) is None  # pending is not known
    assert store.commit_run("r", ["f.jsonl"]) == 1
    known = store.get(record["url"])
    assert (known.id, known.content_hash, known.version, known.published_date) == (
        "dzwww-1",
        "ab" * 32,
        1,
        "2025-05-23",
    )
    first = known.first_exported_at
    store.add_pending("r2", {**record, "content_hash": "cd" * 32, "version": 2})
    store.commit_run("r2", ["g.jsonl"])
    updated = store.get(record["url"])
    assert updated.version == 2 and updated.first_exported_at == first
    store.touch(record["url"])
    assert store.get(record["url"]).last_checked_at >= updated.last_checked_at


def test_a_dead_workers_renamed_file_is_committed_by_the_reaper(client, tmp_path) -> None:
    _, _, store_a = _worker(client, "a")
    _, _, store_b = _worker(client, "b")
    data = tmp_path / "out-a.jsonl"
    record = {"url": "http://example.cn/b.htm", "id": "x", "content_hash": "00", "version": 1}
    data.write_text(json.dumps(record) + "\n", encoding="utf-8")
    client.hset(KEYS.workers, "a", "token-a")
    store_a.mark_committing("r", str(data))  # then "killed" before commit_run
    assert store_b.get(record["url"]) is None
    assert store_b.settle_commit_of("a") == str(data)
    assert store_b.get(record["url"]).content_hash == "00"


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
    assert settings["SCHEDULER"] != "newscrawl.distributed.crawling.scheduler.SharedScheduler"
    settings.set("NEWSCRAWL_REDIS_URL", "redis://127.0.0.1:1/0")
    settings.set("NEWSCRAWL_WORKER_ID", "w7")
    settings.set("DOWNLOAD_DELAY", 0.5)
    RedisWorkersAddon().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == ["out-w7.jsonl"]
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getfloat("NEWSCRAWL_SHARED_DOWNLOAD_DELAY") == 0.5
