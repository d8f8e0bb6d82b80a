"""Where a crawl's CPU time goes, per page: newscrawl and the hand-written peer under py-spy.

Each contender crawls the synthetic dzwww portal as in ``crawl_speed.py`` (same
commands, settings and checks), once as is and once under ``py-spy record``, which
samples the crawl process from outside (no profiler code runs in it; only stacks
that are on the CPU are sampled). Every sample is given to one part by the frames on
its stack (first matching rule of :data:`PARTS`): start-up, list pages, HTML parse,
decode, normalisation, record assembly, extraction of the fields, WARC compression
and records, state store, feed export, newscrawl's extensions, the HTTP download, and
what is left, by the innermost Scrapy frame: the tasks Scrapy starts for each response's
output, the engine, or the event loop. Samples of threads waiting on a lock are left
out. A part's cost per page is its share of the samples times the CPU time per response
of the run without the profiler; a second table splits newscrawl's field extraction by
page-object step.

    .venv/bin/python bench/crawl_profile.py [--articles 2000] [--rate 250]
                                            [--contenders newscrawl,hand-written]
                                            [--workdir DIR --keep]

Exit code 2 when a crawl fails its checks or py-spy is not installed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (
    DEFAULT_SEED,
    ROOT,
    SyntheticPortal,
    SyntheticServer,
    print_header,
    report_failures,
    table,
)
from crawl_speed import (
    HANDWRITTEN_RECORDS,
    HANDWRITTEN_SPIDER,
    NEWSCRAWL_RECORDS,
    RecordShape,
    RunResult,
    newscrawl_command,
    record_problems,
    run_measured,
    run_problems,
    runspider_command,
    stats_from_log,
)

Frame = tuple[str, str]
"""``(function, file path)`` of one stack frame; methods are ``Class.method``."""


def _in(*fragments: str) -> Callable[[Frame], bool]:
    """Frames whose file path holds one of the fragments (``/`` separated)."""
    return lambda frame: any(f in frame[1] for f in fragments)


def _calls(path_fragment: str, *functions: str) -> Callable[[Frame], bool]:
    """Frames of the named functions (``name`` or ``Class.name``) in a file whose path
    holds ``path_fragment``."""

    def matches(frame: Frame) -> bool:
        name, path = frame
        short = name.rsplit(".", 1)[-1]
        return (name in functions or short in functions) and path_fragment in path

    return matches


def _methods(path_fragment: str, class_name: str) -> Callable[[Frame], bool]:
    """Frames of the methods of one class in a file whose path holds ``path_fragment``."""
    return lambda frame: frame[0].startswith(f"{class_name}.") and path_fragment in frame[1]


#: The commands that run the reactor: on the stack of every sample, so no part's.
_RUNNERS = ("newscrawl/crawling/commands/", "newscrawl/crawling/process.py", "newscrawl/cli.py")


def _newscrawl_component(frame: Frame) -> bool:
    """A frame of newscrawl's code other than the commands that run the crawl."""
    return "/newscrawl/" in frame[1] and not any(r in frame[1] for r in _RUNNERS)


#: Handing work to worker threads or processes and results back: submitting, waking the
#: event loop up, copying a finished future's state, and pickling for worker processes.
HAND_OFF = "hand-off to and from worker threads and processes"
_HAND_OFF = (
    _calls(
        "concurrent/futures/",
        "submit",
        "_adjust_thread_count",
        "_adjust_process_count",
        "set_result",
        "set_exception",
        "_invoke_callbacks",
        "add_done_callback",
        "_start_executor_manager_thread",
        "_ExecutorManagerThread.run",
    ),
    _in("/multiprocessing/", "/pickle.py", "/copyreg.py"),
    _calls("asyncio/base_events.py", "call_soon_threadsafe", "_write_to_self"),
    _calls("asyncio/selector_events.py", "_write_to_self", "_read_from_self", "_process_self_data"),
    _calls(
        "asyncio/futures.py", "_call_set_state", "_set_state", "_copy_future_state", "wrap_future"
    ),
)

#: Parts of a crawl, in order of precedence: a sample belongs to the first part one of
#: whose rules matches a frame of its stack (so HTML parsing inside extraction counts
#: as parsing, and extraction run from inside a spider middleware as extraction).
PARTS: tuple[tuple[str, tuple[Callable[[Frame], bool], ...]], ...] = (
    (
        "list pages (parse, links, pagination)",
        (
            _calls("newscrawl/crawling/spider.py", "parse_list"),
            _calls("handwritten_spider.py", "parse"),
        ),
    ),
    (
        "HTML parse (lxml)",
        (
            _calls("newscrawl/extraction/dom.py", "parse_html", "parse_document"),
            _calls("parsel/selector.py", "create_root_node"),
        ),
    ),
    (
        "decode (charset, bytes → text)",
        (_in("newscrawl/encoding.py"), _calls("scrapy/http/response/text.py", "text")),
    ),
    ("normalisation (dates, people, text, script)", (_in("newscrawl/normalise/"),)),
    (
        "record assembly (build_record: ids, hashes, bylines)",
        (
            _in("newscrawl/record.py"),
            _methods("newscrawl/assemble.py", "ArticleAssembly"),
            _calls("newscrawl/crawling/pipelines.py", "ArticleRecordPipeline.process_item"),
        ),
    ),
    (HAND_OFF, _HAND_OFF),
    (
        "extraction: fields",
        (
            _in("newscrawl/extraction/", "/parsel/", "/cssselect/"),
            _calls("newscrawl/crawling/spider.py", "parse_article", "parse_article_page"),
            _calls("handwritten_spider.py", "parse_article"),
        ),
    ),
    (
        "WARC: gzip compression",
        (_calls("newscrawl/archive/warc.py", "_GzipMember.write", "_GzipMember.flush"),),
    ),
    ("WARC: records, digests, file", (_in("newscrawl/archive/", "/warcio/"),)),
    (
        "state store (SQLite, incremental filter, versions)",
        (
            _in(
                "newscrawl/runs/state.py",
                "newscrawl/crawling/middlewares/incremental.py",
                "newscrawl/crawling/extensions/runstate.py",
                "/sqlite3/",
            ),
            _calls("newscrawl/crawling/pipelines.py", "VersioningPipeline.process_item"),
        ),
    ),
    (
        "feed export (JSON lines)",
        (
            _in(
                "scrapy/extensions/feedexport.py",
                "scrapy/exporters.py",
                "newscrawl/crawling/feeds.py",
            ),
        ),
    ),
    (
        "newscrawl: extensions, duplicate filter, manifest",
        (_newscrawl_component,),
    ),
    (
        "Scrapy: HTTP download (client, download handler)",
        (
            _in(
                "scrapy/core/downloader/handlers/",
                "scrapy/core/http2/",
                "twisted/web/",
                "twisted/internet/tcp.py",
                "twisted/internet/abstract.py",
                "twisted/protocols/",
            ),
        ),
    ),
)
#: Samples not claimed by a part above are Scrapy's or the event loop's, told apart by the
#: innermost Scrapy frame of the stack.
OUTPUT_WORKERS = "Scrapy: spider-output workers (CONCURRENT_ITEMS asyncio tasks per response)"
ENGINE = "Scrapy: engine, scheduler, middlewares, signals"
EVENT_LOOP = "event loop (asyncio, Twisted reactor and deferreds)"
_OUTPUT_WORKERS = _calls(
    "scrapy/utils/asyncio.py", "_parallel_asyncio", "<listcomp>", "worker", "fill_queue"
)
_REACTOR_START = _calls("scrapy/crawler.py", "_start_twisted", "start")
#: A sample whose innermost frame is one of these is a thread waiting, not working: on a
#: lock, or a worker thread (or process) of an executor waiting for its next call.
_WAITING = (
    _calls("threading.py", "Condition.wait", "wait"),
    _calls("concurrent/futures/thread.py", "_worker"),
    _calls("concurrent/futures/process.py", "_process_worker"),
    _calls("multiprocessing/connection.py", "_recv_bytes", "_recv", "recv_bytes", "wait"),
    _calls("multiprocessing/queues.py", "Queue.get", "get"),
)
#: Frames of a thread or process of an executor (newscrawl's extraction and archive
#: workers): it works for the event loop, so its samples are given to parts as the loop's.
_WORKER = (
    _calls("concurrent/futures/thread.py", "_worker"),
    _calls("concurrent/futures/process.py", "_process_worker"),
)
START_UP = "start-up and shut-down (imports, settings, outside the event loop)"
#: Samples with none of these frames ran outside the event loop: start-up and shut-down.
_EVENT_LOOP = (
    _calls("asyncio/base_events.py", "_run_once"),
    _calls("twisted/internet/base.py", "runUntilCurrent", "doIteration"),
)
#: Samples with one of these frames were importing code (lazily, on first use): start-up.
_IMPORTING = _in("<frozen importlib._bootstrap>")
#: Frames of newscrawl's page object whose name is the field being extracted.
_PAGE_OBJECT = "newscrawl/extraction/profiled.py"


_PY_SPY_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*):(?P<line>\d+)\)$")


def parse_frame(text: str) -> Frame:
    """``function (path:first line)`` of py-spy's raw format → ``(function, path)``."""
    match = _PY_SPY_FRAME.match(text)
    return (match["function"], match["path"]) if match else (text, "")


def _any(rules: tuple[Callable[[Frame], bool], ...], stack: list[Frame]) -> bool:
    return any(rule(frame) for rule in rules for frame in stack)


def is_worker(stack: list[Frame]) -> bool:
    """True for a sample of a worker thread or process (not the event loop's thread)."""
    return _any(_WORKER, stack)


def classify(stack: list[Frame]) -> str | None:
    """The part a sample with this stack (outermost frame first) belongs to; None for a
    thread that was waiting."""
    if stack and any(rule(stack[-1]) for rule in _WAITING):
        return None
    worker = is_worker(stack)
    in_loop = worker or _any(_EVENT_LOOP, stack)
    if not in_loop or _any((_IMPORTING,), stack):
        return START_UP
    for part, rules in PARTS:
        if _any(rules, stack):
            return part
    if worker:
        return HAND_OFF
    innermost = next((f for f in reversed(stack) if "/scrapy/" in f[1]), None)
    if innermost is None or _REACTOR_START(innermost):
        return EVENT_LOOP
    if _OUTPUT_WORKERS(innermost):
        return OUTPUT_WORKERS
    return ENGINE


def field_of(stack: list[Frame]) -> str:
    """For a field-extraction sample, the page-object step it is in (``body``, ``title`` …)."""
    steps = [name.rsplit(".", 1)[-1] for name, path in stack if _PAGE_OBJECT in path]
    if steps and steps[0] == "__init__":
        return "page set-up (id index, dropped blocks)"
    inner = [s for s in steps if s != "to_fields"]
    if inner:
        return inner[0]
    if steps:
        return steps[-1]
    name, path = stack[-1]
    return f"{name} ({Path(path).name})"


@dataclass
class Profile:
    """Samples per part (and per step of newscrawl's field extraction) of one crawl."""

    contender: str
    ms_per_sample: float
    """What one sample stands for, in ms per response: CPU time (the share of the samples
    times the CPU time per response of the run without the profiler) or, with ``--gil``,
    time holding the GIL (one sampling interval over the responses)."""
    parts: Counter[str] = field(default_factory=Counter)
    on_workers: Counter[str] = field(default_factory=Counter)
    """The samples of each part taken on worker threads or processes."""
    fields: Counter[str] = field(default_factory=Counter)

    @property
    def samples(self) -> int:
        return sum(self.parts.values())

    def ms_per_page(self, samples: float) -> float:
        """The ms per response that ``samples`` of this crawl's samples stand for."""
        return self.ms_per_sample * samples


def summarise(contender: str, raw: Path) -> Profile:
    """Give every sample of a py-spy raw profile to one part (scale it with
    :attr:`Profile.ms_per_sample` afterwards)."""
    profile = Profile(contender, 0.0)
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        frames, _, count = line.rpartition(" ")
        if not frames or not count.isdigit():
            continue
        stack = [parse_frame(f) for f in frames.split(";")]
        part = classify(stack)
        if part is None:
            continue
        profile.parts[part] += int(count)
        if is_worker(stack):
            profile.on_workers[part] += int(count)
        if part == "extraction: fields" and contender.startswith("newscrawl"):
            profile.fields[field_of(stack)] += int(count)
    return profile


@dataclass
class Crawl:
    """How to run one contender (with a launcher in front of ``-m scrapy``) and check it."""

    name: str
    command: Callable[[Path, tuple[str, ...]], tuple[list[str], dict[str, str]]]
    cwd: Callable[[Path], Path]
    records: RecordShape


#: newscrawl variants that can be profiled beside its defaults: the settings they change.
NEWSCRAWL_VARIANTS = {
    "newscrawl": {},
    "newscrawl-inline": {"NEWSCRAWL_EXTRACT_THREADS": "0", "NEWSCRAWL_ARCHIVE_THREAD": "0"},
    "newscrawl-processes": {"NEWSCRAWL_EXTRACT_PROCESSES": "1"},
}


def crawls(server: SyntheticServer, portal: SyntheticPortal) -> dict[str, Crawl]:
    """The contenders that can be profiled, by name."""
    starts = ",".join(server.url + p.lstrip("/") for p in portal.channel_paths())

    def newscrawl(name: str, settings: dict[str, str]) -> Crawl:
        return Crawl(
            name,
            lambda where, launcher: newscrawl_command(
                server, portal, where, where / "state", extra_settings=settings, launcher=launcher
            ),
            lambda where: ROOT,
            NEWSCRAWL_RECORDS,
        )

    return {
        **{name: newscrawl(name, settings) for name, settings in NEWSCRAWL_VARIANTS.items()},
        "hand-written": Crawl(
            "hand-written",
            lambda where, launcher: runspider_command(
                HANDWRITTEN_SPIDER, {"start_urls": starts}, where, feed=True, launcher=launcher
            ),
            lambda where: where,
            HANDWRITTEN_RECORDS,
        ),
    }


def run_checked(
    crawl: Crawl,
    server: SyntheticServer,
    portal: SyntheticPortal,
    where: Path,
    launcher: tuple[str, ...],
) -> tuple[RunResult, list[str]]:
    """Run a contender once; the result and why it cannot be used (empty when it can)."""
    cmd, env = crawl.command(where, launcher)
    result = run_measured(crawl.name, cmd, server, env, crawl.cwd(where))
    result.log, result.feed = where / "crawl.log", where / "out.jsonl"
    result.stats = stats_from_log(result.log)
    expected = {"/robots.txt", *portal.list_page_paths(), *portal.article_paths()}
    problems = run_problems(result, expected)
    if not problems:
        problems = record_problems(result.records(), portal, crawl.records)
    return result, [f"{crawl.name} ({where.name}): {p}" for p in problems]


def print_profiles(
    profiles: list[Profile], runs: dict[str, dict[str, RunResult]], gil: bool
) -> None:
    """The table of ms per response by part, and newscrawl's extraction by step."""
    what = "GIL held" if gil else "CPU"
    threaded = [p for p in profiles if p.on_workers]
    rows = []
    order = [START_UP, *(name for name, _ in PARTS), HAND_OFF, OUTPUT_WORKERS, ENGINE, EVENT_LOOP]
    for part in dict.fromkeys(order):
        if not any(p.parts.get(part) for p in profiles):
            continue
        row = [part]
        for p in profiles:
            samples = p.parts.get(part, 0)
            row += [f"{p.ms_per_page(samples):.2f}", f"{100 * samples / p.samples:.1f} %"]
            if p in threaded:
                row.append(f"{p.ms_per_page(p.on_workers.get(part, 0)):.2f}")
        rows.append(row)
    total = [f"total {what} per response"]
    for p in profiles:
        total += [f"{p.ms_per_page(p.samples):.2f}", "100 %"]
        if p in threaded:
            total.append(f"{p.ms_per_page(sum(p.on_workers.values())):.2f}")
    rows.append(total)
    headers = ["part"]
    for p in profiles:
        headers += [f"{p.contender} ms/page", "share"]
        if p in threaded:
            headers.append("of which on workers")
    print(table(headers, rows))
    print()
    for p in profiles:
        plain, profiled = runs[p.contender]["plain"], runs[p.contender]["profiled"]
        print(
            f"{p.contender}: {len(plain.requests)} responses, {p.samples} samples; without the "
            f"profiler {plain.wall:.1f} s wall, {plain.cpu:.1f} s CPU "
            f"({plain.cpu_ms_per_page:.2f} ms/page, event-loop thread "
            f"{plain.main_cpu_ms_per_page:.2f}); under py-spy {profiled.wall:.1f} s wall"
        )
    print()
    for p in profiles:
        if not p.fields:
            continue
        in_fields = sum(p.fields.values())
        print(f"{p.contender}: extraction of the fields by page-object step")
        print()
        rows = [
            [name, f"{p.ms_per_page(samples):.2f}", f"{100 * samples / in_fields:.1f} %"]
            for name, samples in p.fields.most_common()
        ]
        print(table(["step", "ms/page", "share of fields"], rows))
        print()


def py_spy() -> str | None:
    """The py-spy executable beside this interpreter, else on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def main(argv: list[str] | None = None) -> int:
    """Profile the crawls and print the cost per page by part; exit 2 when one failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--articles", type=int, default=2000, help="portal size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="portal seed")
    parser.add_argument("--rate", type=int, default=250, help="samples per second (py-spy)")
    parser.add_argument(
        "--contenders",
        default="newscrawl,hand-written",
        help="comma-separated: newscrawl, newscrawl-inline (no worker threads), "
        "newscrawl-processes (NEWSCRAWL_EXTRACT_PROCESSES=1), hand-written "
        "(default: newscrawl,hand-written)",
    )
    parser.add_argument(
        "--gil",
        action="store_true",
        help="sample only the thread holding the GIL: ms per page the GIL is held, by part",
    )
    parser.add_argument("--workdir", type=Path, help="keep outputs here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep outputs and profiles")
    args = parser.parse_args(argv)
    spy = py_spy()
    if spy is None:
        return report_failures(["py-spy is not installed; install the bench extra"])

    print_header("Crawl profile: CPU per page by part (synthetic dzwww portal)", sys.argv)
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="newscrawl-profile-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir: {workdir}")
    portal = SyntheticPortal(args.articles, args.seed)
    failures: list[str] = []
    profiles: list[Profile] = []
    runs: dict[str, dict[str, Any]] = {}
    try:
        with SyntheticServer(portal) as server:
            available = crawls(server, portal)
            names = [n.strip() for n in args.contenders.split(",") if n.strip()]
            unknown = [n for n in names if n not in available]
            if unknown:
                parser.error(f"--contenders: unknown {', '.join(unknown)}")
            for name in names:
                crawl = available[name]
                slug = re.sub(r"[^a-z]+", "-", name)
                raw = workdir / f"{slug}.py-spy.txt"
                record = [spy, "record", "-r", str(args.rate), "-f", "raw", "-F", "-s"]
                record += ["--gil"] if args.gil else []
                record += ["--full-filenames", "-o", str(raw), "--", sys.executable]
                launchers = {"plain": (sys.executable,), "profiled": tuple(record)}
                runs[name] = {}
                for kind, launcher in launchers.items():
                    run, problems = run_checked(
                        crawl, server, portal, workdir / f"{slug}-{kind}", launcher
                    )
                    runs[name][kind] = run
                    failures += problems
                    print(f"  {name} ({kind}): {run.wall:.1f} s", flush=True)
                if not failures:
                    profile = summarise(name, raw)
                    plain = runs[name]["plain"]
                    if args.gil:
                        profile.ms_per_sample = 1000 / args.rate / len(plain.requests)
                    else:
                        profile.ms_per_sample = plain.cpu_ms_per_page / max(1, profile.samples)
                    profiles.append(profile)
    finally:
        if not args.keep and args.workdir is None and not failures:
            shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print(f"\nlogs and outputs kept in {workdir}")
        return report_failures(failures)
    print()
    what = "time holding the GIL" if args.gil else "CPU"
    print(f"## {what} per response by part ({args.articles} articles, py-spy at {args.rate} Hz)")
    print()
    print_profiles(profiles, runs, args.gil)
    if args.keep or args.workdir:
        print(f"raw profiles (py-spy raw format, one stack a line): {workdir}/*.py-spy.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
