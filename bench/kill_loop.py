"""``kill -9`` at random moments over a crawl of the synthetic portal: nothing lost, doubled or cut.

The synthetic dzwww portal (``--articles``, 1,000 by default) is crawled by the real
``scrapy crawl dzwww`` as cron would run it: one data file per run
(``FEEDS`` ``out/%(time)s.jsonl``), the state store, the archive and the manifest
on. Each run stops after about ``--items-per-run`` (12) articles
(``CLOSESPIDER_ITEMCOUNT``, a normal end) so the crawl takes many runs; the
pagination stop on known pages is off so later runs reach older articles.

``--kills`` runs (20 by default) are killed with SIGKILL: every other kill at a
random moment of the run (uniform over the median duration of the runs that ran
to their end), the others the moment their data file appears (the rename), to hit
the commit window. After every kill the next run starts on the same state (the
rerun) and runs to its end, so the kills fall all along the crawl; once every kill
is done, runs go on until one exports nothing new.

Then every line of every data file is read: **lost** = articles of the portal no
line holds; **duplicated** = lines beyond the first of an article id; **truncated**
= lines that are not whole JSON records (or a file not ending in a newline). The
state store must know exactly the exported articles, no temporary file may be
left, and every archive must read without damage. All must be 0; the script exits
1 otherwise.

Usage: ``python bench/kill_loop.py [--articles N] [--kills N] [--items-per-run N]
[--seed N] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from common import ROOT, SyntheticPortal, SyntheticServer, print_header, table

from newscrawl.archive.warc import ArchiveReadLog, iter_archive
from newscrawl.runs.state import SQLiteStateStore

SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "8",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
    "NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP": "1000000",
    "NEWSCRAWL_DRIFT": "0",
}
#: Attempts per kill: a run that ends before its kill moment is a rerun like any other.
MAX_ATTEMPTS_PER_KILL = 3
#: Runs after the last kill before the loop gives up waiting for one that exports nothing.
MAX_FINAL_RUNS = 60
#: Seconds a run is taken to last before one has run to its end (kill moments are drawn
#: over the median duration of the runs that did).
FIRST_ESTIMATE = 3.0


@dataclass
class Kill:
    """One killed run."""

    number: int
    aim: str
    """``random`` (a moment of the run) or ``rename`` (when its data file appears)."""
    after: float
    """Seconds from the start of the run to the kill."""
    renamed: bool
    """Its data file was in place when it died."""
    lines: int
    """Lines of its data file (0 when it died before the rename)."""


@dataclass
class LoopResult:
    """What the loop did and what the data files hold at its end."""

    articles: int
    kills: list[Kill] = field(default_factory=list)
    runs: int = 0
    finished_runs: int = 0
    failed_runs: list[str] = field(default_factory=list)
    lines: int = 0
    lost: int = 0
    duplicated: int = 0
    truncated: int = 0
    known_not_exported: int = 0
    exported_not_known: int = 0
    leftover_temp_files: list[str] = field(default_factory=list)
    archive_damage: list[str] = field(default_factory=list)
    wall: float = 0.0
    last_lines: int = -1
    """New lines of the last run that ran to its end."""

    @property
    def clean(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.truncated
            or self.known_not_exported
            or self.exported_not_known
            or self.leftover_temp_files
            or self.archive_damage
            or self.failed_runs
        )


def _command(server: SyntheticServer, portal: SyntheticPortal, work: Path, items: int) -> list[str]:
    starts = ",".join(server.url + p.lstrip("/") for p in portal.channel_paths())
    settings = {
        **SETTINGS,
        "FEEDS": json.dumps({str(work / "out" / "%(time)s.jsonl"): {"format": "jsonlines"}}),
        "NEWSCRAWL_STATE_DIR": str(work / "state"),
        "NEWSCRAWL_ARCHIVE_DIR": str(work / "archive"),
        "CLOSESPIDER_ITEMCOUNT": str(items),
        "NEWSCRAWL_ALLOWED_ADDRESSES": f"127.0.0.1:{server.port}",
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "dzwww", "-a", f"start_urls={starts}"]
    cmd += ["-a", f"max_pages={portal.max_list_pages + 1}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def _data_files(work: Path) -> set[Path]:
    return set((work / "out").glob("*.jsonl"))


def _line_count(path: Path) -> int:
    return len(path.read_bytes().splitlines())


def _wait(proc: subprocess.Popen[bytes], until: float, new_file: bool, work: Path) -> bool:
    """Wait until ``until`` (monotonic), or a new data file with ``new_file``; False if it ended."""
    before = _data_files(work)
    while proc.poll() is None:
        if new_file and _data_files(work) - before:
            return True
        if not new_file and time.monotonic() >= until:
            return True
        time.sleep(0.001 if new_file else 0.005)
    return False


def kill_loop(
    portal: SyntheticPortal,
    work: Path,
    *,
    kills: int,
    items_per_run: int,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> LoopResult:
    """Crawl ``portal`` into ``work``: ``kills`` times a run killed with SIGKILL, then a rerun
    on the same state to its end; then runs to the end until one exports nothing new."""
    rng = random.Random(seed)
    result = LoopResult(articles=len(portal.articles))
    durations: list[float] = [FIRST_ESTIMATE]
    started_loop = time.monotonic()
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings", PYTHONPATH=str(ROOT))
    say = log or (lambda line: None)
    with SyntheticServer(portal) as server:
        cmd = _command(server, portal, work, items_per_run)

        def run(kill_aim: str | None) -> bool:
            """One run; killed as aimed (True) or to its end (False, its duration kept)."""
            result.runs += 1
            before = _data_files(work)
            with (work / "logs" / f"run-{result.runs:03d}.log").open("wb") as run_log:
                started = time.monotonic()
                proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=run_log, stderr=run_log)
                if kill_aim is not None:
                    estimate = sorted(durations)[len(durations) // 2]
                    until = started + rng.uniform(0.0, estimate)
                    if _wait(proc, until, kill_aim == "rename", work):
                        proc.send_signal(signal.SIGKILL)
                        proc.wait()
                        new = sorted(_data_files(work) - before)
                        kill = Kill(
                            len(result.kills) + 1,
                            kill_aim,
                            time.monotonic() - started,
                            bool(new),
                            sum(map(_line_count, new)),
                        )
                        result.kills.append(kill)
                        say(
                            f"kill {kill.number:2d} ({kill_aim}) after {kill.after:5.2f} s: "
                            f"{'after the rename, ' if new else ''}{kill.lines} lines in place"
                        )
                        return True
                code = proc.wait()
            durations.append(time.monotonic() - started)
            result.finished_runs += 1
            lines = sum(map(_line_count, sorted(_data_files(work) - before)))
            if code != 0:
                result.failed_runs.append(f"run {result.runs} exited {code}")
            say(f"run {result.runs:3d} ran to its end (exit {code}): {lines} new lines")
            result.last_lines = lines
            return False

        for attempt in range(MAX_ATTEMPTS_PER_KILL * kills):
            if len(result.kills) >= kills:
                break
            run("rename" if attempt % 2 else "random")  # the kill (unless the run ends first)
            run(None)  # the rerun
        for _ in range(MAX_FINAL_RUNS):
            if result.last_lines == 0 and not result.failed_runs:
                break
            run(None)
    result.wall = time.monotonic() - started_loop
    _count(result, portal, work)
    return result


def _count(result: LoopResult, portal: SyntheticPortal, work: Path) -> None:
    """Lost, duplicated and truncated lines; the state against the data; leftovers; archives."""
    ids: Counter[str] = Counter()
    exported: dict[str, str] = {}
    for file in sorted(_data_files(work)):
        data = file.read_bytes()
        if data and not data.endswith(b"\n"):
            result.truncated += 1
        for raw in data.splitlines():
            result.lines += 1
            try:
                record = json.loads(raw)
                url, record_id = record["url"], record["id"]
            except (ValueError, KeyError, TypeError):
                result.truncated += 1
                continue
            ids[record_id] += 1
            exported[urlsplit(url).path.lstrip("/")] = url
    result.duplicated = sum(n - 1 for n in ids.values())
    result.lost = len({a.path.lstrip("/") for a in portal.articles} - set(exported))
    store = SQLiteStateStore(work / "state" / "dzwww.sqlite3")
    try:
        result.exported_not_known = sum(1 for url in exported.values() if store.get(url) is None)
        known = store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        result.known_not_exported = known - (len(exported) - result.exported_not_known)
    finally:
        store.close()
    for directory in (work / "out", work / "archive"):
        result.leftover_temp_files += [p.name for p in directory.glob(".*.part")]
    for warc in sorted((work / "archive").glob("*.warc.gz")):
        log = ArchiveReadLog()
        for _ in iter_archive(warc, log):
            pass
        result.archive_damage += [f"{p.path.name}@{p.offset}: {p.message}" for p in log.problems]


def report(result: LoopResult) -> str:
    """The result tables (Markdown)."""
    kills = table(
        ["kill", "aim", "after s", "data file in place", "its lines"],
        [
            [k.number, k.aim, f"{k.after:.2f}", "yes" if k.renamed else "no", k.lines]
            for k in result.kills
        ],
    )
    totals = table(
        [
            "articles",
            "runs (killed / finished)",
            "lines",
            "lost",
            "duplicated",
            "truncated",
            "known, not exported",
            "exported, not known",
            "temp files left",
            "archive damage",
        ],
        [
            [
                result.articles,
                f"{result.runs} ({len(result.kills)} / {result.finished_runs})",
                result.lines,
                result.lost,
                result.duplicated,
                result.truncated,
                result.known_not_exported,
                result.exported_not_known,
                len(result.leftover_temp_files),
                len(result.archive_damage),
            ]
        ],
    )
    return f"{kills}\n\n{totals}\n\nwall time: {result.wall:.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--items-per-run", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0, help="draws the kill moments")
    parser.add_argument("--workdir", help="keep the runs here (default: a temporary directory)")
    args = parser.parse_args(argv)
    print_header("kill -9 loop over a synthetic portal crawl", sys.argv)
    with tempfile.TemporaryDirectory(prefix="kill-loop-") as temporary:
        work = Path(args.workdir or temporary)
        (work / "logs").mkdir(parents=True, exist_ok=True)
        result = kill_loop(
            SyntheticPortal(args.articles),
            work,
            kills=args.kills,
            items_per_run=args.items_per_run,
            seed=args.seed,
            log=lambda line: print(line, flush=True),
        )
    print()
    print(report(result))
    for problem in [*result.failed_runs, *result.leftover_temp_files, *result.archive_damage]:
        print(f"PROBLEM  {problem}")
    print("\nall 0: yes" if result.clean else "\nall 0: NO")
    return 0 if result.clean else 1


if __name__ == "__main__":
    sys.exit(main())
