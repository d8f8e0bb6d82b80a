"""Shared crawl on Redis: 1 vs 2 workers side by side, and Redis memory per URL.

1. Speed (median of ``--rounds`` rounds, the three runs interleaved in each,
   since the machine is shared): the same synthetic portal crawled by one embedded run (SQLite, no
   Redis), then by one worker and by two workers, each time on a fresh
   redis-server; ``newscrawl run dzwww -s NEWSCRAWL_REDIS_URL=…`` as
   subprocesses, the portal served from this process. On a 2-core machine
   the portal (pages are rendered per request) takes one core, so a second
   worker has no core of its own: the goals are that two workers lose no
   more than 20 % against one (≥ 0.8 ×), and that the coordination through
   Redis (redis-server's CPU with ``appendfsync always`` and the idle wait
   before exit included) costs ≤ 35 % more CPU per page than the embedded run. "CPU s" is
   the user + system time of the worker processes and redis-server; pages/s
   counts from the first to the last request the portal saw (process
   start-up and the idle wait before exit left out; "process wall s" has them).
2. Memory: Redis ``used_memory`` growth for 100,000 entries of the run's
   seen-request set (the dupefilter), of the exported-articles state (20,000
   for an alias or an incomplete article) and of queued request payloads,
   written through the components the workers use. Goals: ≤ 100 bytes per seen
   URL, ≤ 300 bytes per known article.

    .venv/bin/python bench/distributed.py [--articles 1000] [--entries 100000] [--rounds 3]
                                          [--keep]

Exit code 1 when a goal is missed, 2 when a crawl failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import (
    DEFAULT_SEED,
    ROOT,
    SyntheticPortal,
    SyntheticServer,
    goal_line,
    median,
    print_header,
    table,
)

from testing.redis_server import RedisServer, start_worker

SETTINGS = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSCRAWL_ARCHIVE": "1",
    "NEWSCRAWL_IDLE_EXIT_SECONDS": "1",
    "NEWSCRAWL_REDIS_LEASE_SECONDS": "10",
}


class TimedServer(SyntheticServer):
    """The synthetic portal, noting when the first and the last request arrived."""

    def clear_requests(self) -> None:
        super().clear_requests()
        self.first = self.last = 0.0

    def record(self, path: str, status: int) -> None:
        now = time.monotonic()
        self.first = self.first or now
        self.last = now
        super().record(path, status)


def crawl(
    workers: int,
    portal: SyntheticPortal,
    server: TimedServer,
    workdir: Path,
    shared: bool = True,
) -> dict:
    """Crawl the whole portal with ``workers`` workers on a fresh Redis; time and counts.

    ``shared=False``: one embedded run (SQLite state, no Redis) for comparison.
    """
    starts = [server.url + p.lstrip("/") for p in portal.channel_paths()]
    with RedisServer(workdir / "redis") as redis_server:
        server.clear_requests()
        began = time.monotonic()
        cpu_before = _children_cpu()
        url = redis_server.url if shared else ""
        procs = [start_worker(f"w{n}", url, starts, workdir, **SETTINGS) for n in range(workers)]
        codes = [p.wait(1800) for p in procs]
        wall = time.monotonic() - began
    cpu = _children_cpu() - cpu_before
    lines = sum(
        f.read_text(encoding="utf-8").count("\n") for f in (workdir / "output").glob("*.jsonl")
    )
    requests = len(server.requests)
    return {
        "run": f"{workers} Redis worker{'s' if workers > 1 else ''}" if shared else "embedded",
        "workers": workers,
        "codes": codes,
        "requests": requests,
        "articles": lines,
        "wall": wall,
        "span": server.last - server.first,
        "cpu": cpu,
        # from the first to the last request the portal saw: start-up and idle exit left out
        "pages_per_s": requests / max(0.001, server.last - server.first),
    }


def _median_run(runs: list[dict]) -> dict:
    """One row for a configuration: the median of each measure over the rounds."""
    merged = dict(runs[0])
    for measure in ("wall", "span", "cpu", "pages_per_s"):
        merged[measure] = median([r[measure] for r in runs])
    return merged


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def used_memory(client) -> int:
    return int(client.info("memory")["used_memory"])


def memory_per_entry(entries: int, workdir: Path) -> dict[str, float]:
    """Bytes per entry of the seen set, the known state (with aliases and incomplete
    articles) and queued requests."""
    from newscrawl.distributed.connection import RedisGuard, connect
    from newscrawl.distributed.keys import SpiderKeys
    from newscrawl.distributed.leases import LeaseQueue
    from newscrawl.distributed.store import PendingArticle, RedisStateStore

    results = {}
    keys = SpiderKeys("newscrawl", "dzwww")
    with RedisServer(workdir / "redis-memory") as redis_server:
        client = connect(redis_server.url)
        queue = LeaseQueue(client, keys, "w0", "t")
        store = RedisStateStore(client, keys, "w0", "t", RedisGuard(30))
        urls = [
            f"http://www.dzwww.com/xinwen/shehuixinwen/202510/t20251028_{17000000 + n}.htm"
            for n in range(entries)
        ]

        before = used_memory(client)
        pipe = client.pipeline(transaction=False)
        for n, url in enumerate(urls):
            fingerprint = hashlib.sha1(url.encode()).digest()  # 20 bytes, as the dupefilter
            pipe.sadd(keys.seen("run"), fingerprint)
            if n % 1000 == 999:
                pipe.execute()
        pipe.execute()
        results["seen URL (dupefilter)"] = (used_memory(client) - before) / entries

        before = used_memory(client)
        rows = [
            PendingArticle(
                url=url,
                id=f"dzwww-{hashlib.sha256(url.encode()).hexdigest()[:20]}",
                content_hash=hashlib.sha256(url.encode() + b"body").hexdigest(),
                version=1,
                published_date="2025-10-28",
            )
            for url in urls
        ]
        store.commit_rows("run", "w0", rows)
        results["known article (exported state)"] = (used_memory(client) - before) / entries

        sample = min(entries, 20_000)
        # the same articles again, each with the link it was asked for before a redirect,
        # then flagged incomplete: what an alias and an incomplete article add
        before = used_memory(client)
        linked = [replace(r, aliases=(r.url.replace("http://", "https://"),)) for r in rows]
        store.commit_rows("run", "w0", linked[:sample])
        results["alias (link before a redirect)"] = (used_memory(client) - before) / sample
        before = used_memory(client)
        store.commit_rows("run", "w0", [replace(r, incomplete=True) for r in rows[:sample]])
        results["incomplete article (extra)"] = (used_memory(client) - before) / sample

        before = used_memory(client)
        payload = _request_payload()
        for n in range(sample):
            queue.push(payload.replace(b"http://URL", urls[n].encode()), 0, keys.seen("q"), None)
        results["queued request (payload + entry)"] = (used_memory(client) - before) / sample
        results["_payload_bytes"] = len(payload)
    return results


def _request_payload() -> bytes:
    """A serialised article request as the scheduler stores it (scrapy-redis pickle)."""
    import pickle

    from scrapy import Request

    from newscrawl.crawling import keys

    request = Request("http://URL", callback=None, meta={keys.META_ARTICLE: True})
    data = request.to_dict()
    data["callback"] = "parse_article"
    data["errback"] = "article_failed"
    return pickle.dumps(data, protocol=-1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="crawl rounds (medians shown)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    print_header("Shared crawl on Redis: 1 vs 2 workers, Redis memory per URL", argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    portal = SyntheticPortal(args.articles, DEFAULT_SEED)
    goals = []
    try:
        with TimedServer(portal) as server:
            rounds: list[list[dict]] = []
            for number in range(args.rounds):
                base = workdir / f"round-{number}"
                rounds.append(
                    [crawl(1, portal, server, base / "embedded", shared=False)]
                    + [crawl(n, portal, server, base / f"workers-{n}") for n in (1, 2)]
                )
        for run in (r for one_round in rounds for r in one_round):
            if set(run["codes"]) != {0} or run["articles"] != args.articles:
                print(f"crawl with {run['workers']} workers failed: {run}", file=sys.stderr)
                return 2
        runs = [_median_run([r[i] for r in rounds]) for i in range(3)]
        embedded, one, two = runs
        print(
            table(
                [
                    "run",
                    "requests",
                    "articles",
                    "process wall s",
                    "crawl s",
                    "CPU s",
                    "pages/s",
                    "× one worker",
                ],
                [
                    [
                        r["run"],
                        r["requests"],
                        r["articles"],
                        f"{r['wall']:.1f}",
                        f"{r['span']:.1f}",
                        f"{r['cpu']:.1f}",
                        f"{r['pages_per_s']:.1f}",
                        f"{r['pages_per_s'] / one['pages_per_s']:.2f}",
                    ]
                    for r in runs
                ],
            )
        )
        print()
        memory = memory_per_entry(args.entries, workdir)
        payload = memory.pop("_payload_bytes")
        print(
            table(
                ["entry", "bytes each", f"MB per {args.entries:,}", "MB per 1,000,000"],
                [
                    [name, f"{b:.0f}", f"{b * args.entries / 1e6:.1f}", f"{b * 1e6 / 1e6:.0f}"]
                    for name, b in memory.items()
                ],
            )
        )
        print(f"(request payload: {payload} bytes pickled)")
        print()
        ratio = two["pages_per_s"] / one["pages_per_s"]
        overhead = (one["cpu"] / one["requests"]) / (embedded["cpu"] / embedded["requests"])
        known = memory["known article (exported state)"]
        goals = [
            goal_line("2 workers / 1 worker pages/s (2 shared cores)", ratio, ">=", 0.8),
            goal_line("CPU per page, 1 Redis worker / embedded", overhead, "<=", 1.35),
            goal_line("bytes per seen URL", memory["seen URL (dupefilter)"], "<=", 100),
            goal_line("bytes per known article", known, "<=", 300),
        ]
        for text, _ in goals:
            print(text)
        print(json.dumps({"speed": runs, "memory": memory}, default=str))
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
