"""Shared crawls through real worker processes and a real redis-server (issue 15).

Each worker is the documented command, ``newscrawl run dzwww -s
NEWSCRAWL_REDIS_URL=…``, crawling a synthetic portal served on 127.0.0.1.
Lease timeouts, idle exit and outage limits are shortened (seconds) so that
the suite stays fast; the mechanisms are the production ones.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.archive.lookup import ArchiveLookup
from newscrawl.archive.warc import iter_archive
from newscrawl.distributed.connection import RedisGuard, connect
from newscrawl.distributed.history import RedisRunHistory
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.store import RedisStateStore
from newscrawl.replica import ReplicaServer
from newscrawl.runs.monitor import EXIT_LOCKED, EXIT_SHARED_STATE_UNAVAILABLE
from testing.addresses import replica_addresses
from testing.faults import FaultServer
from testing.redis_server import RedisServer, Worker, start_worker
from testing.synthetic import SyntheticPortal, SyntheticServer
from tests.conftest import ROOT
from tests.redis_support import redis_server as new_redis_server

ARTICLE = re.compile(r"/t\d{8}_\d+\.htm$")


@pytest.fixture
def redis_server(tmp_path):
    with new_redis_server(tmp_path / "redis") as server:
        yield server


@pytest.fixture(scope="module")
def big_portal():
    """1,000 articles in five channels."""
    portal = SyntheticPortal(1000, seed=15)
    with SyntheticServer(portal) as server:
        server.portal = portal
        yield server


@pytest.fixture(scope="module")
def small_portal():
    portal = SyntheticPortal(150, seed=16)
    with SyntheticServer(portal) as server:
        server.portal = portal
        yield server


def _start_urls(server: SyntheticServer) -> list[str]:
    return [server.url + path.lstrip("/") for path in server.portal.channel_paths()]


def _article_requests(server: SyntheticServer) -> list[str]:
    return [p for p in list(server.requests) if ARTICLE.search(p)]


def _wait_for_articles(server: SyntheticServer, count: int, workers: list[Worker]) -> None:
    deadline = time.monotonic() + 120
    while len(_article_requests(server)) < count:
        assert time.monotonic() < deadline, "the crawl did not get that far"
        for worker in workers:
            assert worker.process.poll() is None, f"{worker.name} exited early:\n{worker.log}"
        time.sleep(0.05)


def _exported(workdir: Path) -> list[dict]:
    records = []
    for file in sorted((workdir / "output").glob("*.jsonl")):
        text = file.read_text(encoding="utf-8")
        assert not text or text.endswith("\n"), f"{file} ends mid-line"
        records += [json.loads(line) for line in text.splitlines()]
    return records


def _assert_each_article_once(server: SyntheticServer, workdir: Path) -> None:
    counts = Counter(urlsplit(r["url"]).path for r in _exported(workdir))
    assert set(counts) == set(server.portal.article_paths())
    assert set(counts.values()) == {1}, [p for p, n in counts.items() if n > 1][:5]


def _finish(workers: list[Worker], timeout: float = 240) -> list[int]:
    codes = [w.wait(timeout) for w in workers]
    for worker, code in zip(workers, codes, strict=True):
        assert code in (0, EXIT_SHARED_STATE_UNAVAILABLE, -9), f"{worker.name}:\n{worker.log}"
    return codes


def _keys(redis_server: RedisServer, pattern: str) -> list[str]:
    return sorted(k.decode() for k in redis_server.client().keys(pattern))


def test_three_workers_export_every_article_once_and_a_rerun_fetches_none(
    redis_server, big_portal, tmp_path
) -> None:
    big_portal.clear_requests()
    starts = _start_urls(big_portal)
    archive = {"NEWSCRAWL_ARCHIVE": "1"}
    workers = [
        start_worker(f"w{n}", redis_server.url, starts, tmp_path, **archive) for n in range(3)
    ]
    assert _finish(workers) == [0, 0, 0]
    _assert_each_article_once(big_portal, tmp_path)

    # every list page was fetched once, by whichever worker took it
    lists = Counter(p for p in big_portal.requests if not ARTICLE.search(p) and "robots" not in p)
    assert set(lists) == set(big_portal.portal.list_page_paths()) and set(lists.values()) == {1}
    files = sorted((tmp_path / "output").glob("*.jsonl"))
    assert {re.search(r"-(w\d)\.jsonl$", f.name).group(1) for f in files} <= {"w0", "w1", "w2"}
    assert len([f for f in files if f.stat().st_size]) >= 2, "one worker did everything"
    warcs = sorted((tmp_path / "archive").glob("*.warc.gz"))
    assert {re.search(r"-(w\d)-\d+\.warc\.gz$", f.name).group(1) for f in warcs} == {
        "w0",
        "w1",
        "w2",
    }

    manifests = sorted((tmp_path / "output").glob("*.manifest.json"))
    assert len(manifests) == 3
    merged_path = tmp_path / "merged.json"
    merge = subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", "manifest", "merge", "-o", str(merged_path)]
        + [str(m) for m in manifests],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert merge.returncode == 0, merge.stderr
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    assert merged["workers"] == ["w0", "w1", "w2"] and merged["exit_code"] == 0
    assert merged["counts"]["articles_exported"] == 1000
    assert merged["counts"]["articles_new"] == 1000
    assert merged["counts"]["list_pages"] == len(big_portal.portal.list_page_paths())
    assert sorted(merged["data_files"]) == sorted(str(f) for f in files if f.stat().st_size)

    client = redis_server.client()
    assert client.hlen("newscrawl:dzwww:known") == 1000
    assert client.zcard("newscrawl:dzwww:queue") == 0
    assert client.hlen("newscrawl:dzwww:requests") == 0
    assert _keys(redis_server, "*:seen") == [] and _keys(redis_server, "*:claims") == []
    (history,) = [json.loads(v) for v in client.hvals("newscrawl:dzwww:runs")]
    assert history["status"] == "finished" and history["list_items"] >= 1000
    assert history["complete"] is True  # so the next run may stop paginating
    stats = client.hgetall(f"newscrawl:dzwww:run:{history['run_id']}:stats")
    assert int(stats[b"item_scraped_count"]) == 1000
    assert client.ttl(f"newscrawl:dzwww:run:{history['run_id']}:stats") > 0

    for manifest in manifests:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        assert data["run_id"] == history["run_id"] and manifest.name.endswith(
            f"-{data['worker']}.manifest.json"
        )
    assert set(merged["drift_status"]) == {"w0", "w1", "w2"}
    # each worker's share of the run is one entry of the shared drift history in Redis
    assert not (tmp_path / "state" / "health.sqlite3").exists()
    with closing(RedisRunHistory(redis_server.client(), "newscrawl")) as shared:
        shares = {run.run_id: run for run in shared.recent("dzwww", 10)}
    assert set(shares) == {f"{history['run_id']}-w{n}" for n in range(3)}
    assert sum(run.records for run in shares.values()) == 1000
    assert all(run.healthy and run.exit_code == 0 for run in shares.values())

    # a second run over the same Redis state: list pages only, nothing exported; the list
    # pages are archived as revisits of the first run's captures, whichever worker made them
    big_portal.clear_requests()
    again = [start_worker(f"v{n}", redis_server.url, starts, tmp_path, **archive) for n in range(2)]
    assert _finish(again) == [0, 0]
    assert _article_requests(big_portal) == []
    assert len(sorted((tmp_path / "output").glob("*.jsonl"))) == len(files)
    assert len(list((tmp_path / "output").glob("*-v[01].manifest.json"))) == 2
    assert client.hlen("newscrawl:dzwww:runs") == 2
    _assert_revisits_resolve_across_workers(tmp_path / "archive", big_portal)


def _assert_revisits_resolve_across_workers(archive: Path, server: SyntheticServer) -> None:
    lookup = ArchiveLookup()
    refers_to_worker = set()
    first_run_ids = {}
    for path in sorted(archive.glob("*.warc.gz")):
        worker = re.search(r"-([wv]\d)-\d+\.warc\.gz$", path.name).group(1)
        for entry in iter_archive(path):
            lookup.add(entry)
            headers = entry.record.rec_headers
            if headers.get_header("WARC-Type") == "response":
                first_run_ids[headers.get_header("WARC-Record-ID")] = worker
            elif headers.get_header("WARC-Type") == "revisit":
                assert worker.startswith("v")
                refers_to_worker.add(first_run_ids[headers.get_header("WARC-Refers-To")])
    assert len(refers_to_worker) >= 2, refers_to_worker  # revisits of several workers' files
    refetched = set(server.requests)
    assert refetched & set(server.portal.channel_paths())
    for path in server.portal.list_page_paths():
        stored = lookup.read(server.url + path.lstrip("/"))
        assert stored.kind == ("revisit" if path in refetched else "response")
        assert stored.raw_body == server.portal.render(path)[2]


def test_sigkilled_workers_leases_go_back_to_the_queue(redis_server, big_portal, tmp_path) -> None:
    big_portal.clear_requests()
    starts = _start_urls(big_portal)
    workers = [start_worker(f"w{n}", redis_server.url, starts, tmp_path) for n in range(3)]
    _wait_for_articles(big_portal, 150, workers)
    workers[0].kill()
    replacement = start_worker("w3", redis_server.url, starts, tmp_path)
    _wait_for_articles(big_portal, 450, [*workers[1:], replacement])
    workers[1].kill()
    survivors = [workers[2], replacement]
    assert _finish(survivors) == [0, 0]
    _assert_each_article_once(big_portal, tmp_path)
    names = {f.name for f in (tmp_path / "output").glob("*.jsonl")}
    assert not any(n.endswith(("-w0.jsonl", "-w1.jsonl")) for n in names), names
    logs = "".join(w.log for w in [*workers, replacement])
    assert "Worker w0 stopped renewing its leases" in logs
    assert "Worker w1 stopped renewing its leases" in logs
    assert redis_server.client().hlen("newscrawl:dzwww:known") == 1000
    # the killed workers' requests were redone, but the next run reads every list page
    summary, _ = _last_run(redis_server)
    assert summary["status"] == "finished" and summary["complete"] is False


def _last_run(redis_server: RedisServer) -> tuple[dict, dict[str, int]]:
    """The summary of the spider's last ended run in the history, and its statistics."""
    client = redis_server.client()
    runs = [json.loads(v) for v in client.hvals("newscrawl:dzwww:runs")]
    last = max(runs, key=lambda summary: summary["number"])
    stats = client.hgetall(f"newscrawl:dzwww:run:{last['run_id']}:stats")
    return last, {k.decode(): int(v) for k, v in stats.items()}


def test_redirected_and_incomplete_articles_as_in_an_embedded_run(redis_server, tmp_path) -> None:
    """A shared crawl keeps the embedded store's rules (tests/test_crawl_faults.py): an
    article read after a redirect is known under its list link, and one exported without
    a page is fetched again by the next runs until it is exported complete."""
    three_pages = "/sd/sdnews/202406/t20240615_15000001.htm"
    page_two = three_pages.replace(".htm", "_1.htm")
    store = RedisStateStore(
        connect(redis_server.url), SpiderKeys("newscrawl", "dzwww"), "probe", "-", RedisGuard(5)
    )
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with FaultServer() as portal:
        starts = [portal.url + "www/news/yw/", portal.url + "sd/sdnews/"]
        portal.set_faults(
            [r"^/www/news/yw/\d+/t\d+_\d+\.htm$=redirect-chain:2", r"_15000001_1\.htm$=status:404"]
        )

        def run(name: str) -> list[dict]:
            portal.clear_requests()
            worker = start_worker(name, redis_server.url, starts, tmp_path / name)
            assert worker.wait(120) == 0, worker.log
            return _exported(tmp_path / name)

        first = run("w1")
        flagged = next(r for r in first if r["url"].endswith(three_pages))
        assert "missing_pages" in flagged["warnings"] and flagged["page_count"] == 1
        linked = f"{portal.url}www/news/yw/202609/t20260904_18086647.htm"
        redirected = next(r for r in first if r["url"].startswith(linked))
        assert store.get(linked).url == redirected["url"] != linked
        assert store.get(flagged["url"]).incomplete
        assert store.incomplete_urls(an_hour_ago) == [flagged["url"]]
        assert _last_run(redis_server)[0]["complete"] is True

        second = run("w2")  # the page is still missing
        assert second == []
        assert not [p for p in portal.requests if p.startswith("/www/news/yw/20")]
        assert three_pages in portal.requests and page_two in portal.requests
        stats = _last_run(redis_server)[1]
        assert stats["newscrawl/articles_incomplete_retried"] == 1
        assert stats["newscrawl/dropped/unchanged"] == 1

        portal.clear_faults()
        (complete,) = run("w3")
        assert complete["url"] == flagged["url"] and complete["id"] == flagged["id"]
        assert complete["version"] == 2 and complete["page_count"] == 3
        assert "missing_pages" not in complete["warnings"]
        assert not store.get(flagged["url"]).incomplete
        assert store.incomplete_urls(an_hour_ago) == []


def test_redis_restart_mid_crawl(redis_server, big_portal, tmp_path) -> None:
    """Redis down for 2 s (plus its restart and the workers' back-off): both workers wait
    it out. The lease is longer than the outage, as docs/distributed.md asks; with the
    3 s lease of the other tests a worker could be presumed dead meanwhile (exit 69)."""
    big_portal.clear_requests()
    starts = _start_urls(big_portal)
    lease = {"NEWSCRAWL_REDIS_LEASE_SECONDS": "10"}
    workers = [start_worker(f"w{n}", redis_server.url, starts, tmp_path, **lease) for n in range(2)]
    _wait_for_articles(big_portal, 300, workers)
    redis_server.restart(down_seconds=2)
    assert _finish(workers) == [0, 0]
    _assert_each_article_once(big_portal, tmp_path)
    for worker in workers:
        assert "Redis unreachable" in worker.log and "Redis reachable again" in worker.log


def test_outage_longer_than_the_limit_exits_69_and_loses_nothing(
    redis_server, small_portal, tmp_path
) -> None:
    small_portal.clear_requests()
    starts = _start_urls(small_portal)
    slow = {"NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS": "3", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
    first = start_worker("w0", redis_server.url, starts, tmp_path, **slow)
    _wait_for_articles(small_portal, 20, [first])
    redis_server.stop()
    started = time.monotonic()
    assert first.wait(60) == EXIT_SHARED_STATE_UNAVAILABLE, first.log
    assert time.monotonic() - started < 30
    assert list((tmp_path / "output").glob("*.jsonl")) == []
    (manifest,) = (tmp_path / "output").glob("*-w0.manifest.json")
    assert json.loads(manifest.read_text(encoding="utf-8"))["exit_code"] == 69
    assert "Redis unreachable" in first.log

    redis_server.start()
    second = start_worker("w1", redis_server.url, starts, tmp_path)
    assert _finish([second]) == [0]
    _assert_each_article_once(small_portal, tmp_path)


def test_five_workers_started_at_once_seed_the_run_once(
    redis_server, small_portal, tmp_path
) -> None:
    small_portal.clear_requests()
    starts = _start_urls(small_portal)
    workers = [start_worker(f"w{n}", redis_server.url, starts, tmp_path) for n in range(5)]
    assert _finish(workers) == [0] * 5
    logs = [w.log for w in workers]
    assert sum("and seeds it" in log for log in logs) == 1
    assert sum("taking requests from the shared queue" in log for log in logs) == 4
    first_pages = Counter(
        p for p in small_portal.requests if p in set(small_portal.portal.channel_paths())
    )
    assert set(first_pages.values()) == {1} and len(first_pages) == 5
    _assert_each_article_once(small_portal, tmp_path)


class _MeteredServer(SyntheticServer):
    """A synthetic portal that answers slowly and records concurrency and arrival times."""

    def __init__(self, portal: SyntheticPortal, latency: float) -> None:
        super().__init__(portal)
        self.latency = latency
        self.active = self.peak = 0
        self.arrivals: list[float] = []
        self._gauge = threading.Lock()

    def respond(self, raw_path: str):
        with self._gauge:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.arrivals.append(time.monotonic())
        try:
            time.sleep(self.latency)
            return super().respond(raw_path)
        finally:
            with self._gauge:
                self.active -= 1


def test_politeness_holds_across_all_workers(redis_server, tmp_path) -> None:
    """Three workers, 2 requests at a time and 0.12 s between starts, for all together.

    The portal answers in 0.15 s, so the delay (not the concurrency) sets the pace:
    one start per 0.12 s in total, where three workers each keeping the delay on
    their own would start one per 0.04 s.
    """
    portal = SyntheticPortal(40, seed=17)
    with _MeteredServer(portal, latency=0.15) as server:
        server.portal = portal
        polite = {"CONCURRENT_REQUESTS_PER_DOMAIN": "2", "DOWNLOAD_DELAY": "0.12"}
        starts = _start_urls(server)
        workers = [
            start_worker(f"w{n}", redis_server.url, starts, tmp_path, **polite) for n in range(3)
        ]
        assert _finish(workers) == [0, 0, 0]
        _assert_each_article_once(server, tmp_path)
        assert server.peak == 2, server.peak
        gaps = [b - a for a, b in zip(server.arrivals, server.arrivals[1:], strict=False)]
        assert sum(gaps) / len(gaps) >= 0.11, sorted(gaps)[:10]
        assert sum(gap < 0.06 for gap in gaps) <= len(gaps) // 10, sorted(gaps)[:10]


def test_second_process_with_a_live_worker_id_exits_75(redis_server, small_portal, tmp_path):
    starts = _start_urls(small_portal)
    first = start_worker(
        "same", redis_server.url, starts, tmp_path, NEWSCRAWL_IDLE_EXIT_SECONDS="4"
    )
    deadline = time.monotonic() + 60
    while "and seeds it" not in first.log:
        assert time.monotonic() < deadline and first.process.poll() is None, first.log
        time.sleep(0.05)
    second = start_worker("same", redis_server.url, starts, tmp_path / "second")
    assert second.wait(60) == EXIT_LOCKED
    stderr = second.stderr_path.read_text(encoding="utf-8")
    assert stderr == (
        f"newscrawl: worker id 'same' is held by a live dzwww worker on {redis_server.url}; "
        f"exiting with {EXIT_LOCKED}\n"
    )
    assert "Traceback" not in second.log
    assert not (tmp_path / "second" / "output").exists()
    assert _finish([first]) == [0]
    _assert_each_article_once(small_portal, tmp_path)


def test_a_worker_that_cannot_reach_redis_at_start_exits_69(tmp_path) -> None:
    """Redis down when a worker starts: one line on stderr, exit 69, nothing written."""
    redis_server = new_redis_server(tmp_path / "redis")  # never started: nothing listens
    down = start_worker(
        "w0",
        redis_server.url,
        ["http://127.0.0.1:9/"],
        tmp_path,
        NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS="1",
    )
    assert down.wait(60) == EXIT_SHARED_STATE_UNAVAILABLE
    stderr = down.stderr_path.read_text(encoding="utf-8")
    assert stderr.startswith(f"newscrawl: cannot join the shared crawl on {redis_server.url}: ")
    assert stderr.endswith(f"; exiting with {EXIT_SHARED_STATE_UNAVAILABLE}\n")
    assert stderr.count("\n") == 1 and "Traceback" not in down.log
    assert not (tmp_path / "output").exists() and not (tmp_path / "state").exists()


def test_without_the_setting_redis_is_never_imported(tmp_path) -> None:
    """A default crawl with redis and scrapy_redis made unimportable still succeeds."""
    shims = tmp_path / "shims"
    for name in ("redis", "scrapy_redis"):
        (shims / name).mkdir(parents=True)
        (shims / name / "__init__.py").write_text(
            f"import os, sys\nprint('{name} imported', file=sys.stderr, flush=True)\nos._exit(97)\n"
        )
    with ReplicaServer() as replica:
        env = dict(
            os.environ,
            SCRAPY_SETTINGS_MODULE="newscrawl.settings",
            PYTHONPATH=os.pathsep.join([str(shims), str(ROOT)]),
        )
        command = [
            sys.executable, "-m", "newscrawl.cli", "run", "dzwww",
            "-a", f"start_urls={replica.url}sd/sdnews/",
            "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}",
            "-s", f"NEWSCRAWL_ARCHIVE_DIR={tmp_path / 'archive'}",
            "-s", "FEEDS=" + json.dumps({str(tmp_path / "out.jsonl"): {"format": "jsonlines"}}),
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
            "-s", f"NEWSCRAWL_ALLOWED_ADDRESSES={replica_addresses(server=replica)}",
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert "imported" not in done.stderr
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") > 0
