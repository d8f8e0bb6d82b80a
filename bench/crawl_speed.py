"""Crawl speed, incremental re-runs and memory against a synthetic dzwww portal.

A :class:`~testing.synthetic.SyntheticPortal` (60–100 KB variant-C
article pages, list pages of 20–40 items paginated with ``createPageHTML``) is
served on 127.0.0.1 from this process; the crawlers run as subprocesses.

1. Speed: ``scrapy crawl dzwww`` (export + WARC archive + state on) against a
   bare Scrapy spider that requests the same URLs with a no-op callback, same
   concurrency, robots.txt on. The bare spider runs before and after the
   newscrawl crawl; its pages/s is the mean of the two runs.
   Goal: newscrawl ≥ 0.8 × bare pages/s (pages/s = responses / process wall time).
2. Incremental: a second ``scrapy crawl dzwww`` on the unchanged portal with
   the first run's state. Goals: requests ≤ list pages of the first run + 1 %
   of its articles; wall time ≤ 10 % of the first run's.
3. Memory: peak RSS of the crawl process at two portal sizes (default 1,000
   and 10,000 articles). Goal: growth ≤ 25 MB.

``--breakdown`` adds newscrawl runs with parts turned off (archive; item
pipelines; extraction, replaced by a copy of one page's fields) to show what
each part costs against the bare spider.

    .venv/bin/python bench/crawl_speed.py [--articles 2000] [--memory-sizes 1000,10000]
                                          [--quick] [--keep] [--workdir DIR] [--breakdown]

Exit code 1 when a goal is missed, 2 when a crawl failed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import ROOT, goal_line, print_header, table

from testing.synthetic import DEFAULT_SEED, SyntheticPortal, SyntheticServer

CONCURRENCY = 16
COMMON_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": str(CONCURRENCY),
    "CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
    "ROBOTSTXT_OBEY": "1",
    "LOG_LEVEL": "INFO",
}


@dataclass
class RunResult:
    """What one crawl subprocess did."""

    label: str
    returncode: int
    wall: float
    requests: list[str]
    statuses: dict[int, int]
    max_rss_mb: float
    """Peak RSS of the process (``wait4`` ``ru_maxrss``)."""
    tree_peak_mb: float
    """Peak of the summed RSS of the process tree (psutil, sampled every 50 ms)."""
    cpu: float
    """CPU seconds (user + system) of the crawl process."""
    stats: dict[str, Any] = field(default_factory=dict)
    log: Path | None = None

    @property
    def pages_per_s(self) -> float:
        """Responses per second of process wall time."""
        return len(self.requests) / self.wall if self.wall else 0.0


def _sample_tree(pid: int, stop: threading.Event, peak: list[float]) -> None:
    try:
        import psutil
    except ImportError:
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            total = sum(p.memory_info().rss for p in procs)
            peak[0] = max(peak[0], total / 2**20)
        except psutil.Error:
            pass
        stop.wait(0.05)


def run_measured(
    label: str, cmd: list[str], server: SyntheticServer, env: dict[str, str], cwd: Path
) -> RunResult:
    """Run a crawl subprocess; wall time, requests seen by the server, peak RSS."""
    server.clear_requests()
    stop = threading.Event()
    peak = [0.0]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    if proc.returncode not in (0,):
        sys.stderr.write(stderr.decode("utf-8", "replace")[-3000:])
    return RunResult(
        label=label,
        returncode=proc.returncode,
        wall=wall,
        requests=list(server.requests),
        statuses=dict(server.statuses),
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_peak_mb=peak[0],
        cpu=usage.ru_utime + usage.ru_stime,
    )


#: Loaded by the crawl process of the "constant extraction" breakdown run (as
#: ``sitecustomize``): each article page gets a copy of the first page's fields, so
#: the run does everything but extraction.
_CONSTANT_EXTRACTION = """
import copy
import newscrawl.extraction
import newscrawl.crawling.spider

_extract = newscrawl.extraction.extract_page
_first = []


def extract_page(url, body, content_type=None, selectors=None):
    if not _first:
        _first.append(_extract(url, body, content_type, selectors))
    fields = copy.copy(_first[0])
    fields.url, fields.other_pages = url, []
    return fields


newscrawl.crawling.spider.extract_page = extract_page
"""


def newscrawl_run(
    label: str,
    server: SyntheticServer,
    portal: SyntheticPortal,
    workdir: Path,
    state: Path,
    *,
    extra_settings: dict[str, str] | None = None,
    constant_extraction: bool = False,
) -> RunResult:
    """``scrapy crawl dzwww`` over every channel of the portal, export + archive + state on
    (unless ``extra_settings`` turn something off)."""
    workdir.mkdir(parents=True, exist_ok=True)
    starts = ",".join(server.url + p.lstrip("/") for p in portal.channel_paths())
    settings = {
        **COMMON_SETTINGS,
        "LOG_FILE": str(workdir / "crawl.log"),
        "NEWSCRAWL_STATE_DIR": str(state),
        "NEWSCRAWL_ARCHIVE": "1",
        "NEWSCRAWL_ARCHIVE_DIR": str(workdir / "archive"),
        "NEWSCRAWL_STATS_FILE": str(workdir / "stats.json"),
        "FEEDS": json.dumps(
            {str(workdir / "out.jsonl"): {"format": "jsonlines", "encoding": "utf-8"}}
        ),
        **(extra_settings or {}),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "dzwww", "-a", f"start_urls={starts}"]
    cmd += ["-a", f"max_pages={portal.max_list_pages + 1}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    python_path = str(ROOT)
    if constant_extraction:
        hook = workdir / "hook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text(_CONSTANT_EXTRACTION, encoding="utf-8")
        python_path = f"{hook}{os.pathsep}{ROOT}"
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings", PYTHONPATH=python_path)
    result = run_measured(label, cmd, server, env, ROOT)
    stats_file = workdir / "stats.json"
    if stats_file.exists():
        result.stats = json.loads(stats_file.read_text(encoding="utf-8"))
    result.log = workdir / "crawl.log"
    return result


def bare_run(label: str, server: SyntheticServer, urls: list[str], workdir: Path) -> RunResult:
    """A bare Scrapy spider (no project settings) requesting ``urls`` with a no-op callback."""
    workdir.mkdir(parents=True, exist_ok=True)
    url_file = workdir / "urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    stats_file = workdir / "stats.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--bare-spider", str(url_file)]
    cmd += ["--bare-stats", str(stats_file), "--bare-log", str(workdir / "crawl.log")]
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    result = run_measured(label, cmd, server, env, workdir)
    if stats_file.exists():
        result.stats = json.loads(stats_file.read_text(encoding="utf-8"))
    result.log = workdir / "crawl.log"
    return result


def bare_spider_main(url_file: Path, stats_file: Path, log_file: Path) -> int:
    """The bare spider process: plain Scrapy, the given URLs, a no-op callback."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = url_file.read_text(encoding="utf-8").split()

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            for url in urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response: Any, **kwargs: Any) -> None:
            return None

    settings = {
        **COMMON_SETTINGS,
        "LOG_FILE": str(log_file),
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
    }
    process = CrawlerProcess(settings=settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    stats_file.write_text(json.dumps(stats, default=str, indent=1), encoding="utf-8")
    return 0


def check_ok(result: RunResult) -> bool:
    """True when the crawl exited 0 and the server answered every request with 200."""
    bad = {code: n for code, n in result.statuses.items() if code != 200}
    if result.returncode != 0 or bad:
        print(f"!! {result.label}: exit code {result.returncode}, non-200 responses {bad}")
        return False
    return True


def speed_and_incremental(args: argparse.Namespace, workdir: Path) -> tuple[list, bool, dict]:
    """Workloads 1 and 2 on one portal; returns goals, crawl health and the numbers."""
    portal = SyntheticPortal(args.articles, args.seed)
    lists = portal.list_page_paths()
    with SyntheticServer(portal) as server:
        urls = [server.url + p.lstrip("/") for p in lists + portal.article_paths()]
        print(
            f"synthetic portal: {len(portal.articles)} articles, {len(lists)} list pages in "
            f"{len(portal.channels)} channels, served at {server.url}"
        )
        started = time.perf_counter()
        bare1 = bare_run("bare Scrapy (before)", server, urls, workdir / "bare1")
        first = newscrawl_run("newscrawl", server, portal, workdir / "run1", workdir / "state")
        rerun = newscrawl_run(
            "newscrawl re-run", server, portal, workdir / "run2", workdir / "state"
        )
        bare2 = bare_run("bare Scrapy (after)", server, urls, workdir / "bare2")
        parts = breakdown_runs(server, portal, workdir) if args.breakdown else []
        elapsed = time.perf_counter() - started
    healthy = all(check_ok(r) for r in (bare1, first, rerun, bare2))
    records = first.stats.get("item_scraped_count", 0)
    same = set(first.requests) == set(bare1.requests) == set(bare2.requests)
    print(f"newscrawl exported {records} records; same URL set as the bare spider: {same}")
    if not same:
        only_nc = set(first.requests) - set(bare1.requests)
        only_bare = set(bare1.requests) - set(first.requests)
        print(f"  only newscrawl: {sorted(only_nc)[:5]} …; only bare: {sorted(only_bare)[:5]} …")
        healthy = False

    healthy &= all(check_ok(r) for r in parts)
    rows = []
    for r in (bare1, first, bare2, rerun, *parts):
        scrapy_elapsed = float(r.stats.get("elapsed_time_seconds", 0) or 0)
        rows.append(
            [
                r.label,
                len(r.requests),
                f"{r.wall:.1f}",
                f"{scrapy_elapsed:.1f}",
                f"{r.pages_per_s:.1f}",
                f"{len(r.requests) / scrapy_elapsed:.1f}" if scrapy_elapsed else "-",
                f"{r.cpu:.1f}",
                f"{1000 * r.cpu / max(1, len(r.requests)):.1f}",
                f"{r.max_rss_mb:.0f}",
            ]
        )
    print()
    print(f"## crawl speed: {args.articles} articles, concurrency {CONCURRENCY}")
    print()
    headers = ["run", "requests", "wall s", "scrapy s", "pages/s (wall)"]
    headers += ["pages/s (scrapy)", "CPU s", "CPU ms/page", "peak RSS MB"]
    print(table(headers, rows))
    print()
    bare_rate = (bare1.pages_per_s + bare2.pages_per_s) / 2
    ratio = first.pages_per_s / bare_rate
    list_set = set(lists)
    list_pages = sum(1 for p in first.requests if p in list_set)
    bound = list_pages + 0.01 * records
    goals = [
        goal_line("newscrawl / bare Scrapy pages/s", ratio, ">=", 0.8),
        goal_line(
            f"re-run requests (list pages {list_pages} + 1 % of articles)",
            len(rerun.requests),
            "<=",
            bound,
        ),
        goal_line("re-run wall time / first run", rerun.wall / first.wall, "<=", 0.10),
    ]
    rerun_articles = sum(1 for p in rerun.requests if "/t20" in p)
    print(
        f"re-run: {len(rerun.requests)} requests ({rerun_articles} article pages), "
        f"{rerun.wall:.1f} s wall vs {first.wall:.1f} s; exported "
        f"{rerun.stats.get('item_scraped_count', 0)} records"
    )
    if parts:
        print()
        print("breakdown (pages/s against the mean of the bare runs):")
        for r in (first, *parts):
            print(f"  {r.label}: {r.pages_per_s / bare_rate:.3f}")
    print(f"speed + incremental workloads took {elapsed:.0f} s")
    print()
    numbers = {
        "runs": {
            r.label: {
                "requests": len(r.requests),
                "wall_s": r.wall,
                "scrapy_elapsed_s": r.stats.get("elapsed_time_seconds"),
                "pages_per_s": r.pages_per_s,
                "cpu_s": r.cpu,
                "max_rss_mb": r.max_rss_mb,
            }
            for r in (bare1, first, bare2, rerun)
        },
        "ratio": ratio,
        "elapsed_s": elapsed,
    }
    return goals, healthy, numbers


def breakdown_runs(
    server: SyntheticServer, portal: SyntheticPortal, workdir: Path
) -> list[RunResult]:
    """newscrawl with its parts turned off one after the other (fresh state each time)."""
    off_archive = {"NEWSCRAWL_ARCHIVE": "0"}
    off_pipelines = {**off_archive, "ITEM_PIPELINES": "{}"}
    runs = [
        ("newscrawl, no archive", off_archive, False),
        ("newscrawl, no archive, no item pipelines", off_pipelines, False),
        ("newscrawl, no archive, constant extraction", off_archive, True),
        ("newscrawl, no archive, no pipelines, constant extraction", off_pipelines, True),
    ]
    results = []
    for number, (label, settings, constant) in enumerate(runs, 1):
        where = workdir / f"part{number}"
        results.append(
            newscrawl_run(
                label,
                server,
                portal,
                where,
                where / "state",
                extra_settings=settings,
                constant_extraction=constant,
            )
        )
    return results


def memory(args: argparse.Namespace, workdir: Path) -> tuple[list, bool, dict]:
    """Workload 3: peak RSS of the crawl at each portal size."""
    rows, results, healthy = [], [], True
    started = time.perf_counter()
    for size in args.memory_sizes:
        portal = SyntheticPortal(size, args.seed)
        with SyntheticServer(portal) as server:
            where = workdir / f"mem{size}"
            result = newscrawl_run(f"newscrawl {size}", server, portal, where, where / "state")
            bare = None
            if args.memory_bare:
                urls = [server.url + p.lstrip("/") for p in portal.list_page_paths()]
                urls += [server.url + p.lstrip("/") for p in portal.article_paths()]
                bare = bare_run(f"bare {size}", server, urls, workdir / f"bare{size}")
        healthy &= check_ok(result) and (bare is None or check_ok(bare))
        results.append(result)
        rows.append(
            [
                size,
                len(result.requests),
                result.stats.get("item_scraped_count", 0),
                f"{result.wall:.1f}",
                f"{result.max_rss_mb:.1f}",
                f"{result.tree_peak_mb:.1f}",
                f"{bare.max_rss_mb:.1f}" if bare else "-",
            ]
        )
        if not args.keep:
            shutil.rmtree(where / "archive", ignore_errors=True)
    elapsed = time.perf_counter() - started
    print(f"## memory: peak RSS of the crawl process by portal size ({elapsed:.0f} s)")
    print()
    headers = ["articles", "requests", "records", "wall s", "peak RSS MB (wait4)"]
    headers += ["peak tree RSS MB (psutil)", "bare Scrapy peak RSS MB"]
    print(table(headers, rows))
    print()
    growth = results[-1].max_rss_mb - results[0].max_rss_mb
    sizes = f"{args.memory_sizes[0]} → {args.memory_sizes[-1]} articles"
    goals = [goal_line(f"peak RSS growth {sizes}", growth, "<=", 25, " MB")]
    numbers = {
        str(s): {"max_rss_mb": r.max_rss_mb, "tree_peak_mb": r.tree_peak_mb, "wall_s": r.wall}
        for s, r in zip(args.memory_sizes, results, strict=True)
    }
    numbers["elapsed_s"] = elapsed
    return goals, healthy, numbers


def main(argv: list[str] | None = None) -> int:
    """Run the workloads; exit 1 when a goal is missed, 2 when a crawl failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--articles", type=int, default=2000, help="portal size for speed")
    parser.add_argument(
        "--memory-sizes", default="1000,10000", help="portal sizes for the memory workload"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 300 / 200,1000")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="portal seed")
    parser.add_argument("--skip-speed", action="store_true", help="skip workloads 1 and 2")
    parser.add_argument("--skip-memory", action="store_true", help="skip workload 3")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also run newscrawl without archive, item pipelines and extraction (speed only)",
    )
    parser.add_argument(
        "--memory-bare", action="store_true", help="also measure the bare spider's peak RSS"
    )
    parser.add_argument("--workdir", type=Path, help="keep outputs here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep outputs and archives")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    parser.add_argument("--bare-spider", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-stats", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-log", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_spider:
        return bare_spider_main(args.bare_spider, args.bare_stats, args.bare_log)
    if args.quick:
        args.articles, args.memory_sizes = 300, "200,1000"
    args.memory_sizes = [int(s) for s in str(args.memory_sizes).split(",") if s.strip()]

    print_header("Crawl speed, incremental re-run and memory (synthetic dzwww portal)", sys.argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir: {workdir}")
    started = time.perf_counter()
    goals: list[tuple[str, bool]] = []
    healthy = True
    numbers: dict[str, Any] = {}
    try:
        if not args.skip_speed:
            found, ok, numbers["speed"] = speed_and_incremental(args, workdir)
            goals += found
            healthy &= ok
        if not args.skip_memory and len(args.memory_sizes) >= 2:
            found, ok, numbers["memory"] = memory(args, workdir)
            goals += found
            healthy &= ok
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    total = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("## goals")
    print()
    for text, _ in goals:
        print(text)
    print()
    print(f"total: {total:.0f} s wall, {children.ru_utime + children.ru_stime:.0f} s CPU in crawls")
    if args.json:
        numbers["goals"] = {text: met for text, met in goals}
        numbers["total_s"] = total
        args.json.write_text(json.dumps(numbers, indent=2), encoding="utf-8")
    if not healthy:
        return 2
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
