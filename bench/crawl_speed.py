"""Crawl speed, incremental re-runs and memory against a synthetic dzwww portal.

A synthetic dzwww portal (60–100 KB variant-C article pages, list pages of 20–40
items paginated with ``createPageHTML``) is served on 127.0.0.1 from this
process; the crawlers run as subprocesses, each a ``python -m scrapy`` command.

1. Speed, three contenders on the same portal, same concurrency, robots.txt on:
   * **newscrawl**: ``scrapy crawl dzwww -O out.jsonl`` with its defaults
     (WARC archive, state store, normalised records, run manifest);
   * **hand-written**: ``scrapy runspider bench/handwritten_spider.py -O out.jsonl``,
     the dzwww spider a Scrapy user would write (parsel selectors, one dict per
     article, nothing else);
   * **bare**: ``scrapy runspider bench/bare_spider.py``, every URL handed over up
     front, a no-op callback.
   ``--runs`` rounds (default 3), each running every contender once, in an order
   that rotates from round to round so that machine noise hits all of them alike;
   pages/s = responses / process wall time, median of the rounds. Goals:
   newscrawl ≥ 1.0 × hand-written and ≥ 0.6 × bare pages/s (hand-written / bare
   is reported). Every run is checked: exit code 0, the same URL set (every list
   page and article once, robots.txt), no error logged, and for the two that
   export, one record per article with the portal's title, a body and a date.
   A contender that fails a check stops the benchmark (exit 2, with the reason)
   and gets no ratio.
2. Incremental: a second ``scrapy crawl dzwww`` on the unchanged portal with the
   last newscrawl run's state. Goals: requests ≤ list pages + 1 % of articles;
   wall time ≤ 10 % of the median first run.
3. Memory: peak RSS of the crawl process at two portal sizes (default 1,000 and
   10,000 articles). Goal: growth ≤ 25 MB.

``--breakdown`` adds newscrawl with parts turned off (archive; item pipelines;
extraction, replaced by a copy of one page's fields) to the rotation.

    .venv/bin/python bench/crawl_speed.py [--articles 2000] [--runs 3] [--breakdown]
                                          [--memory-sizes 1000,10000] [--quick] [--keep]

Exit code 1 when a goal is missed, 2 when a contender failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common import (
    DEFAULT_SEED,
    ROOT,
    SyntheticPortal,
    SyntheticServer,
    goal_line,
    median,
    print_header,
    report_failures,
    table,
)

BENCH = Path(__file__).resolve().parent
HANDWRITTEN_SPIDER = BENCH / "handwritten_spider.py"
BARE_SPIDER = BENCH / "bare_spider.py"
CONCURRENCY = 16
COMMON_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": str(CONCURRENCY),
    "CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
    "ROBOTSTXT_OBEY": "1",
    "COOKIES_ENABLED": "0",
    "TELNETCONSOLE_ENABLED": "0",
    "LOG_LEVEL": "INFO",
}
#: Fewer characters of body text than this in a record means the body was not read
#: (the synthetic articles hold 2–6 KB of UTF-8 text, at least ~680 characters).
MIN_BODY_CHARS = 300
#: Goals of workload 1: (numerator, denominator, bound); None = reported, no goal.
SPEED_RATIOS: tuple[tuple[str, str, float | None], ...] = (
    ("newscrawl", "hand-written", 1.0),
    ("newscrawl", "bare", 0.6),
    ("hand-written", "bare", None),
)


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
    """CPU seconds (user + system) of the crawl process (all its threads and children)."""
    main_cpu: float = 0.0
    """CPU seconds of the process's main thread, where Scrapy's event loop runs (psutil,
    last sample before exit; 0 when psutil is missing)."""
    stderr: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    log: Path | None = None
    feed: Path | None = None

    @property
    def pages_per_s(self) -> float:
        """Responses per second of process wall time."""
        return len(self.requests) / self.wall if self.wall else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        """CPU milliseconds per response."""
        return 1000 * self.cpu / max(1, len(self.requests))

    @property
    def main_cpu_ms_per_page(self) -> float:
        """CPU milliseconds of the event-loop thread per response."""
        return 1000 * self.main_cpu / max(1, len(self.requests))

    def records(self) -> list[dict[str, Any]] | None:
        """The exported records (None when no feed file was written)."""
        if self.feed is None or not self.feed.exists():
            return None
        lines = self.feed.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def _sample_tree(pid: int, stop: threading.Event, peak: list[float], main: list[float]) -> None:
    """Every 50 ms: the peak RSS of the process tree (``peak[0]``) and the CPU time of the
    process's main thread (``main[0]``, its thread id is the process id)."""
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
            for thread in root.threads():
                if thread.id == pid:
                    main[0] = thread.user_time + thread.system_time
        except psutil.Error:
            pass
        stop.wait(0.05)


_STATS_DUMP = "Dumping Scrapy stats:"
_NUMERIC_STAT = re.compile(r"'([^'\n]+)': (-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)[,}]")


def stats_from_log(log: Path) -> dict[str, float]:
    """The numeric stats of the dump Scrapy logs at the end of a crawl ({} when absent)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    at = text.rfind(_STATS_DUMP)
    if at < 0:
        return {}
    return {key: float(value) for key, value in _NUMERIC_STAT.findall(text[at:])}


_LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")


def first_error(log: Path | None) -> str:
    """The first ERROR line of a crawl log, with the exception that ended its traceback."""
    if log is None or not log.exists():
        return ""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines):
        if "] ERROR: " not in line:
            continue
        found = [line]
        for after in lines[number + 1 :]:
            if _LOG_RECORD.match(after):
                break
            if after and not after[0].isspace() and not after.startswith("Traceback"):
                found.append(after)
                break
        return " / ".join(found)[:400]
    return ""


def run_measured(
    label: str, cmd: list[str], server: SyntheticServer, env: dict[str, str], cwd: Path
) -> RunResult:
    """Run a crawl subprocess; wall time, requests seen by the server, peak RSS, CPU."""
    server.clear_requests()
    stop = threading.Event()
    peak, main = [0.0], [0.0]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak, main), daemon=True)
    sampler.start()
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    return RunResult(
        label=label,
        returncode=proc.returncode,
        wall=wall,
        requests=list(server.requests),
        statuses=dict(server.statuses),
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_peak_mb=peak[0],
        cpu=usage.ru_utime + usage.ru_stime,
        main_cpu=main[0],
        stderr=stderr.decode("utf-8", "replace"),
    )


def _settings_args(settings: dict[str, str]) -> list[str]:
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


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


def newscrawl_command(
    server: SyntheticServer,
    portal: SyntheticPortal,
    workdir: Path,
    state: Path,
    *,
    extra_settings: dict[str, str] | None = None,
    constant_extraction: bool = False,
    launcher: tuple[str, ...] = (sys.executable,),
) -> tuple[list[str], dict[str, str]]:
    """``scrapy crawl dzwww -O out.jsonl`` over every channel of the portal, with its
    defaults (archive, state, manifest) unless ``extra_settings`` turn something off;
    ``(command, environment)``, to run from the project directory."""
    workdir.mkdir(parents=True, exist_ok=True)
    starts = ",".join(server.url + p.lstrip("/") for p in portal.channel_paths())
    settings = {
        **COMMON_SETTINGS,
        "LOG_FILE": str(workdir / "crawl.log"),
        "NEWSCRAWL_STATE_DIR": str(state),
        "NEWSCRAWL_ARCHIVE_DIR": str(workdir / "archive"),
        "NEWSCRAWL_STATS_FILE": str(workdir / "stats.json"),
        # the portal listens on 127.0.0.1, which the address check refuses
        "NEWSCRAWL_ALLOWED_ADDRESSES": f"127.0.0.1:{server.port}",
        **(extra_settings or {}),
    }
    cmd = [*launcher, "-m", "scrapy", "crawl", "dzwww", "-a", f"start_urls={starts}"]
    cmd += ["-a", f"max_pages={portal.max_list_pages + 1}", "-O", str(workdir / "out.jsonl")]
    cmd += _settings_args(settings)
    python_path = str(ROOT)
    if constant_extraction:
        hook = workdir / "hook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text(_CONSTANT_EXTRACTION, encoding="utf-8")
        python_path = f"{hook}{os.pathsep}{ROOT}"
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings", PYTHONPATH=python_path)
    return cmd, env


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
    """Run newscrawl (see :func:`newscrawl_command`) and collect what it did."""
    cmd, env = newscrawl_command(
        server,
        portal,
        workdir,
        state,
        extra_settings=extra_settings,
        constant_extraction=constant_extraction,
    )
    result = run_measured(label, cmd, server, env, ROOT)
    result.log = workdir / "crawl.log"
    result.stats = stats_from_log(result.log)
    result.feed = workdir / "out.jsonl"
    return result


def _outside_any_project(directory: Path) -> Path:
    """``directory``, after checking Scrapy would not find a project's scrapy.cfg from it."""
    for folder in (directory, *directory.parents):
        if (folder / "scrapy.cfg").exists():
            raise SystemExit(
                f"crawl_speed: {directory} is inside the Scrapy project {folder}: the "
                "stand-alone spiders would load its settings; give a --workdir outside it"
            )
    return directory


def runspider_command(
    spider_file: Path,
    arguments: dict[str, str],
    workdir: Path,
    *,
    feed: bool,
    launcher: tuple[str, ...] = (sys.executable,),
) -> tuple[list[str], dict[str, str]]:
    """``scrapy runspider FILE`` outside any project (Scrapy's defaults + the common
    settings); ``(command, environment)``, to run from ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    _outside_any_project(workdir.resolve())
    cmd = [*launcher, "-m", "scrapy", "runspider", str(spider_file)]
    for key, value in arguments.items():
        cmd += ["-a", f"{key}={value}"]
    if feed:
        cmd += ["-O", str(workdir / "out.jsonl")]
    cmd += _settings_args({**COMMON_SETTINGS, "LOG_FILE": str(workdir / "crawl.log")})
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")}
    return cmd, env


def runspider_run(
    label: str,
    server: SyntheticServer,
    spider_file: Path,
    arguments: dict[str, str],
    workdir: Path,
    *,
    feed: bool,
) -> RunResult:
    """Run a stand-alone spider file and collect what it did."""
    cmd, env = runspider_command(spider_file, arguments, workdir, feed=feed)
    result = run_measured(label, cmd, server, env, workdir)
    result.log = workdir / "crawl.log"
    result.stats = stats_from_log(result.log)
    result.feed = workdir / "out.jsonl" if feed else None
    return result


# -- checks: a contender that did not do the work gets no ratio ------------------------


@dataclass(frozen=True)
class RecordShape:
    """Where a contender's records keep the fields the checks read."""

    title: str
    body: str
    date: str


NEWSCRAWL_RECORDS = RecordShape(title="title", body="paragraphs", date="published_date")
HANDWRITTEN_RECORDS = RecordShape(title="title", body="paragraphs", date="date")


def _examples(urls: list[str], total: int, what: str) -> str:
    return f"{len(urls)} of {total} records {what} (first: {urls[0]})"


def run_problems(result: RunResult, expected: set[str]) -> list[str]:
    """Why a crawl run cannot be measured: exit code, URL set, server errors, logged errors."""
    problems = []
    if result.returncode != 0:
        tail = " / ".join(result.stderr.strip().splitlines()[-3:])
        problems.append(f"exit code {result.returncode}" + (f": {tail}" if tail else ""))
    if not result.stats:
        problems.append(f"no Scrapy stats in its log {result.log} (did the crawl run?)")
    bad = {code: n for code, n in result.statuses.items() if code != 200}
    if bad:
        problems.append(f"non-200 responses from the portal: {bad}")
    requested = set(result.requests)
    missing, extra = expected - requested, requested - expected
    if missing:
        problems.append(
            f"{len(missing)} of {len(expected)} URLs never requested, e.g. {min(missing)}"
        )
    if extra:
        problems.append(f"{len(extra)} URLs requested that are not the portal's, e.g. {min(extra)}")
    if len(result.requests) > len(requested):
        problems.append(f"{len(result.requests) - len(requested)} URLs requested twice")
    errors = int(result.stats.get("log_count/ERROR", 0))
    if errors:
        problems.append(f"{errors} errors logged, first: {first_error(result.log)}")
    return problems


def record_problems(
    records: list[dict[str, Any]] | None, portal: SyntheticPortal, shape: RecordShape
) -> list[str]:
    """Why exported records show the work was not done: one per article, with the
    portal's title, a body and a date."""
    if records is None:
        return ["no feed file written"]
    if not records:
        return ["the feed holds no record"]
    problems = []
    found: dict[str, dict[str, Any]] = {}
    for record in records:
        found.setdefault(urlsplit(str(record.get("url") or "")).path, record)
    missing = [p for p in portal.by_path if p not in found]
    if missing:
        problems.append(f"{len(missing)} of {len(portal.by_path)} articles have no record")
    if len(records) != len(found):
        problems.append(f"{len(records) - len(found)} records repeat an article")
    checks: list[tuple[str, Callable[[str, dict[str, Any]], bool]]] = [
        ("have the wrong title", lambda p, r: r.get(shape.title) != portal.by_path[p].title),
        (
            f"have a body under {MIN_BODY_CHARS} characters",
            lambda _, r: len("".join(r.get(shape.body) or [])) < MIN_BODY_CHARS,
        ),
        ("have no date", lambda _, r: not r.get(shape.date)),
    ]
    read = {path: record for path, record in found.items() if path in portal.by_path}
    for what, failed in checks:
        bad = [path for path, record in read.items() if failed(path, record)]
        if bad:
            problems.append(_examples(bad, len(read), what))
    return problems


# -- workload 1: the contenders, interleaved ------------------------------------------


@dataclass
class Contender:
    """One crawler of the speed workload and its runs."""

    name: str
    run: Callable[[Path], RunResult]
    """Run it once with the given work directory."""
    records: RecordShape | None
    """How to check its records; None: its records are not checked (or not exported)."""
    runs: list[RunResult] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    def median_rate(self) -> float:
        """Median pages/s (wall) of the runs."""
        return median([r.pages_per_s for r in self.runs])

    def median_cpu_ms(self) -> float:
        """Median CPU ms per response of the runs."""
        return median([r.cpu_ms_per_page for r in self.runs])


def contenders(
    args: argparse.Namespace, portal: SyntheticPortal, server: SyntheticServer, urls: Path
) -> list[Contender]:
    """newscrawl, the hand-written peer, the bare spider (+ the breakdown variants)."""

    def newscrawl(label: str, settings: dict[str, str] | None = None, constant: bool = False):
        def run(where: Path) -> RunResult:
            return newscrawl_run(
                label,
                server,
                portal,
                where,
                where / "state",
                extra_settings=settings,
                constant_extraction=constant,
            )

        return run

    starts = ",".join(server.url + p.lstrip("/") for p in portal.channel_paths())
    found = [
        Contender("newscrawl", newscrawl("newscrawl"), NEWSCRAWL_RECORDS),
        Contender(
            "hand-written",
            lambda where: runspider_run(
                "hand-written", server, args.peer, {"start_urls": starts}, where, feed=True
            ),
            HANDWRITTEN_RECORDS,
        ),
        Contender(
            "bare",
            lambda where: runspider_run(
                "bare", server, BARE_SPIDER, {"urls": str(urls)}, where, feed=False
            ),
            None,
        ),
    ]
    if args.breakdown:
        off_archive = {"NEWSCRAWL_ARCHIVE": "0"}
        off_pipelines = {**off_archive, "ITEM_PIPELINES": "{}"}
        for label, settings, constant in (
            ("newscrawl, no archive", off_archive, False),
            ("newscrawl, no archive, no item pipelines", off_pipelines, False),
            ("newscrawl, no archive, constant extraction", off_archive, True),
            ("newscrawl, no archive, no pipelines, constant extraction", off_pipelines, True),
        ):
            found.append(Contender(label, newscrawl(label, settings, constant), None))
    return found


def run_rounds(
    entries: list[Contender],
    rounds: int,
    workdir: Path,
    expected: set[str],
    portal: SyntheticPortal,
) -> list[str]:
    """Every contender once per round, in an order rotating by one each round; stops at the
    first run that fails its checks and returns why (empty when every run passed)."""
    for number in range(rounds):
        shift = number % len(entries)
        for entry in entries[shift:] + entries[:shift]:
            result = entry.run(workdir / f"{entry.slug}-{number + 1}")
            problems = run_problems(result, expected)
            if entry.records is not None and not problems:
                problems = record_problems(result.records(), portal, entry.records)
            verdict = "ok" if not problems else "FAILED"
            print(
                f"  round {number + 1}/{rounds}  {entry.name:<58} {result.wall:6.1f} s "
                f"{result.pages_per_s:7.1f} pages/s  {verdict}",
                flush=True,
            )
            if problems:
                return [f"{entry.name} (round {number + 1}): {p}" for p in problems]
            entry.runs.append(result)
    return []


def _spread(values: list[float], digits: int = 1) -> str:
    return f"{min(values):.{digits}f} – {max(values):.{digits}f}"


def paired_ratios(a: Contender, b: Contender) -> list[float]:
    """``a``'s pages/s over ``b``'s, round by round."""
    return [x.pages_per_s / y.pages_per_s for x, y in zip(a.runs, b.runs, strict=True)]


def speed_table(entries: list[Contender]) -> str:
    rows = []
    for entry in entries:
        runs = entry.runs
        records = runs[-1].records() if runs[-1].feed else None
        scrapy_elapsed = [float(r.stats.get("elapsed_time_seconds", 0)) for r in runs]
        rows.append(
            [
                entry.name,
                len(runs),
                len(runs[-1].requests),
                "-" if records is None else len(records),
                f"{median([r.wall for r in runs]):.1f}",
                _spread([r.wall for r in runs]),
                f"{median(scrapy_elapsed):.1f}",
                f"{entry.median_rate():.1f}",
                _spread([r.pages_per_s for r in runs]),
                f"{entry.median_cpu_ms():.1f}",
                f"{median([r.main_cpu_ms_per_page for r in runs]):.1f}",
                f"{max(r.max_rss_mb for r in runs):.0f}",
            ]
        )
    headers = ["contender", "runs", "requests", "records", "wall s", "min – max"]
    headers += ["scrapy s", "pages/s", "min – max", "CPU ms/page", "loop-thread CPU ms/page"]
    headers += ["peak RSS MB"]
    return table(headers, rows)


def speed_and_incremental(
    args: argparse.Namespace, workdir: Path
) -> tuple[list[tuple[str, bool]], list[str], dict[str, Any]]:
    """Workloads 1 and 2 on one portal; ``(goals, failures, numbers)``."""
    portal = SyntheticPortal(args.articles, args.seed)
    lists = portal.list_page_paths()
    expected = {"/robots.txt", *lists, *portal.article_paths()}
    numbers: dict[str, Any] = {}
    with SyntheticServer(portal) as server:
        url_file = workdir / "urls.txt"
        urls = [server.url + p.lstrip("/") for p in lists + portal.article_paths()]
        url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        print(
            f"synthetic portal: {len(portal.articles)} articles, {len(lists)} list pages in "
            f"{len(portal.channels)} channels, served at {server.url}; "
            f"{len(expected)} URLs per crawl (robots.txt included)"
        )
        entries = contenders(args, portal, server, url_file)
        print(f"{args.runs} rounds of {len(entries)} contenders, order rotating:", flush=True)
        started = time.perf_counter()
        failures = run_rounds(entries, args.runs, workdir, expected, portal)
        if failures:
            return [], failures, numbers
        newscrawl = entries[0]
        rerun = newscrawl_run(
            "newscrawl re-run",
            server,
            portal,
            workdir / "rerun",
            workdir / f"{newscrawl.slug}-{args.runs}" / "state",
        )
        elapsed = time.perf_counter() - started
    if rerun.returncode != 0 or not rerun.stats:
        return [], [f"newscrawl re-run: exit code {rerun.returncode}, see {rerun.log}"], numbers

    by_name = {e.name: e for e in entries}
    print()
    print(f"## crawl speed: {args.articles} articles, concurrency {CONCURRENCY}")
    print()
    print(speed_table(entries))
    print()
    print("median of the runs; pages/s = responses / process wall time; scrapy s = Scrapy's")
    print("elapsed_time_seconds; CPU = user + system time of the crawl process (all threads);")
    print("loop-thread CPU = that of its main thread, where Scrapy's event loop runs")
    print()
    goals = []
    rows = []
    ratios: dict[str, dict[str, Any]] = {}
    for top, bottom, bound in SPEED_RATIOS:
        a, b = by_name[top], by_name[bottom]
        value = a.median_rate() / b.median_rate()
        paired = paired_ratios(a, b)
        by_cpu = b.median_cpu_ms() / a.median_cpu_ms()
        name = f"{top} / {bottom} pages/s"
        ratios[name] = {"median": value, "per_round": paired, "cpu": by_cpu, "goal": bound}
        goal = f"≥ {bound}" if bound else "reported"
        rows.append([name, f"{value:.3f}", _spread(paired, 3), f"{by_cpu:.3f}", goal])
        if bound is not None:
            goals.append(goal_line(name, value, ">=", bound))
    headers = ["ratio", "median pages/s ratio", "per round min – max", "pages per CPU s ratio"]
    print(table([*headers, "goal"], rows))
    print()
    print("the goals are on pages/s (wall); pages per CPU second (median CPU ms/page of one")
    print("over the other's) is less disturbed by other load on the machine")
    print()
    if args.breakdown:
        rows = []
        for entry in entries[3:]:
            rows.append(
                [
                    entry.name,
                    f"{entry.median_rate() / by_name['bare'].median_rate():.3f}",
                    f"{entry.median_rate() / by_name['hand-written'].median_rate():.3f}",
                    f"{entry.median_cpu_ms():.1f}",
                ]
            )
        print("breakdown: newscrawl with parts turned off")
        print()
        print(table(["run", "× bare", "× hand-written", "CPU ms/page"], rows))
        print()

    first_wall = median([r.wall for r in newscrawl.runs])
    records = len(newscrawl.runs[-1].records() or [])
    list_set = set(lists)
    list_pages = sum(1 for p in newscrawl.runs[-1].requests if p in list_set)
    bound = list_pages + 0.01 * records
    goals.append(
        goal_line(
            f"re-run requests (list pages {list_pages} + 1 % of articles)",
            len(rerun.requests),
            "<=",
            bound,
        )
    )
    goals.append(goal_line("re-run wall time / first run", rerun.wall / first_wall, "<=", 0.10))
    rerun_articles = sum(1 for p in rerun.requests if p in portal.by_path)
    print(
        f"re-run: {len(rerun.requests)} requests ({rerun_articles} article pages), "
        f"{rerun.wall:.1f} s wall vs {first_wall:.1f} s (median first run); exported "
        f"{len(rerun.records() or [])} records"
    )
    print(f"speed + incremental workloads took {elapsed:.0f} s")
    print()
    numbers = {
        "contenders": {
            e.name: {
                "runs": [
                    {
                        "requests": len(r.requests),
                        "wall_s": r.wall,
                        "scrapy_elapsed_s": r.stats.get("elapsed_time_seconds"),
                        "pages_per_s": r.pages_per_s,
                        "cpu_s": r.cpu,
                        "loop_thread_cpu_s": r.main_cpu,
                        "max_rss_mb": r.max_rss_mb,
                    }
                    for r in e.runs
                ],
                "median_pages_per_s": e.median_rate(),
            }
            for e in entries
        },
        "ratios": ratios,
        "rerun": {"requests": len(rerun.requests), "wall_s": rerun.wall},
        "elapsed_s": elapsed,
    }
    return goals, [], numbers


# -- workload 3 -------------------------------------------------------------------------


def memory(
    args: argparse.Namespace, workdir: Path
) -> tuple[list[tuple[str, bool]], list[str], dict[str, Any]]:
    """Workload 3: peak RSS of the crawl at each portal size; ``(goals, failures, numbers)``."""
    rows, results = [], []
    started = time.perf_counter()
    for size in args.memory_sizes:
        portal = SyntheticPortal(size, args.seed)
        expected = {"/robots.txt", *portal.list_page_paths(), *portal.article_paths()}
        with SyntheticServer(portal) as server:
            where = workdir / f"mem{size}"
            result = newscrawl_run(f"newscrawl {size}", server, portal, where, where / "state")
            bare = None
            if args.memory_bare:
                url_file = workdir / f"urls{size}.txt"
                urls = [server.url + p.lstrip("/") for p in sorted(expected - {"/robots.txt"})]
                url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
                bare = runspider_run(
                    f"bare {size}",
                    server,
                    BARE_SPIDER,
                    {"urls": str(url_file)},
                    workdir / f"bare{size}",
                    feed=False,
                )
        for run in (result, bare):
            problems = run_problems(run, expected) if run is not None else []
            if problems:
                return [], [f"{run.label}: {p}" for p in problems], {}
        results.append(result)
        rows.append(
            [
                size,
                len(result.requests),
                int(result.stats.get("item_scraped_count", 0)),
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
    numbers: dict[str, Any] = {
        str(s): {"max_rss_mb": r.max_rss_mb, "tree_peak_mb": r.tree_peak_mb, "wall_s": r.wall}
        for s, r in zip(args.memory_sizes, results, strict=True)
    }
    numbers["elapsed_s"] = elapsed
    return goals, [], numbers


def main(argv: list[str] | None = None) -> int:
    """Run the workloads; exit 1 when a goal is missed, 2 when a contender failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--articles", type=int, default=2000, help="portal size for speed")
    parser.add_argument("--runs", type=int, default=3, help="rounds of the speed workload")
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
        "--peer",
        type=Path,
        default=HANDWRITTEN_SPIDER,
        help="spider file of the hand-written contender (default bench/handwritten_spider.py)",
    )
    parser.add_argument(
        "--memory-bare", action="store_true", help="also measure the bare spider's peak RSS"
    )
    parser.add_argument("--workdir", type=Path, help="keep outputs here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep outputs and archives")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.memory_sizes = 300, "200,1000"
    args.memory_sizes = [int(s) for s in str(args.memory_sizes).split(",") if s.strip()]
    args.peer = args.peer.resolve()
    if not args.peer.is_file():
        parser.error(f"--peer: no spider file {args.peer}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    print_header("Crawl speed, incremental re-run and memory (synthetic dzwww portal)", sys.argv)
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    _outside_any_project(workdir)
    print(f"workdir: {workdir}")
    started = time.perf_counter()
    goals: list[tuple[str, bool]] = []
    failures: list[str] = []
    numbers: dict[str, Any] = {}
    try:
        if not args.skip_speed:
            found, failed, numbers["speed"] = speed_and_incremental(args, workdir)
            goals += found
            failures += failed
        if not failures and not args.skip_memory and len(args.memory_sizes) >= 2:
            found, failed, numbers["memory"] = memory(args, workdir)
            goals += found
            failures += failed
    finally:
        if not args.keep and args.workdir is None and not failures:
            shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print(f"\nlogs and outputs kept in {workdir}")
        return report_failures(failures)
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
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
