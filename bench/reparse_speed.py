"""``newscrawl reparse -j N`` over many WARC files: scaling with worker processes, memory.

An archive is made by crawling the synthetic dzwww portal with newscrawl (its WARC
files rotated at ``--file-mb`` so that there are many), or taken from ``--archive-dir``
when an earlier run left one there for the same portal. Then ``newscrawl reparse``
runs over every file with ``-j 1`` and with ``-j N`` (``--jobs``, default 2), in
rounds whose order alternates, each a subprocess; and once with ``-j 1`` over the
first tenth of the files, for the memory growth.

Checked for every run: exit code 0, one record per archived article, and the same
output bytes whatever ``-j`` (the records come out in archive order). A run that
fails a check stops the script (exit 2) without a ratio.

Goals: records/s with ``-j N`` ≥ 1.7 × with ``-j 1`` (N = 2, the cores of this
machine); memory bounded: the peak RSS of the reparse process grows by at most
``--growth-mb`` (default 40) from a tenth of the archive to all of it (what grows is
the index of the archived responses, about 1 KB per response; payloads are read one
record at a time), and the whole process tree with ``-j N`` stays under
``--tree-mb`` (default 600).

    .venv/bin/python bench/reparse_speed.py [--articles 20000] [--file-mb 16] [--jobs 2]
                                            [--runs 3] [--archive-dir DIR]

Exit code 1 when a goal is missed, 2 when a run failed its checks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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
from crawl_speed import newscrawl_command, run_problems, stats_from_log

MARKER = "portal.json"


@dataclass
class ReparseRun:
    """One ``newscrawl reparse`` subprocess."""

    jobs: int
    files: int
    returncode: int
    wall: float
    cpu: float
    """CPU seconds of the reparse process and its worker processes."""
    max_rss_mb: float
    """Peak RSS of the reparse process itself (``wait4``)."""
    tree_peak_mb: float
    """Peak of the summed RSS of the process and its workers (psutil, every 50 ms)."""
    records: int
    digest: str
    stderr: str

    @property
    def records_per_s(self) -> float:
        return self.records / self.wall if self.wall else 0.0


def _sample_tree(pid: int, stop: threading.Event, peak: list[float]) -> None:
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            peak[0] = max(peak[0], sum(p.memory_info().rss for p in procs) / 2**20)
        except psutil.Error:
            pass
        stop.wait(0.05)


def reparse(files: list[Path], jobs: int, out: Path) -> ReparseRun:
    """Run ``newscrawl reparse FILES -o OUT -j JOBS`` and measure it."""
    cmd = [sys.executable, "-m", "newscrawl.cli", "reparse", *map(str, files)]
    cmd += ["-o", str(out), "-j", str(jobs)]
    stop, peak = threading.Event(), [0.0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    data = out.read_bytes() if out.exists() else b""
    return ReparseRun(
        jobs=jobs,
        files=len(files),
        returncode=os.waitstatus_to_exitcode(status),
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_peak_mb=peak[0],
        records=data.count(b"\n"),
        digest=hashlib.sha256(data).hexdigest(),
        stderr=stderr.decode("utf-8", "replace"),
    )


def build_archive(args: argparse.Namespace, where: Path) -> tuple[list[Path], int, list[str]]:
    """The archive of a newscrawl crawl of the portal (made now unless ``where`` holds one
    of the same portal); ``(files, articles, problems)``."""
    wanted = {"articles": args.articles, "seed": args.seed, "file_mb": args.file_mb}
    marker = where / MARKER
    archive = where / "archive"
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")) == wanted:
        files = sorted(archive.glob("*.warc.gz"))
        print(f"archive: {len(files)} files reused from {archive}")
        return files, args.articles, []
    shutil.rmtree(where, ignore_errors=True)
    portal = SyntheticPortal(args.articles, args.seed)
    expected = {"/robots.txt", *portal.list_page_paths(), *portal.article_paths()}
    print(f"archive: crawling the {args.articles}-article synthetic portal ...", flush=True)
    started = time.perf_counter()
    with SyntheticServer(portal) as server:
        settings = {"NEWSCRAWL_ARCHIVE_MAX_BYTES": str(int(args.file_mb * 2**20))}
        cmd, env = newscrawl_command(
            server, portal, where, where / "state", extra_settings=settings
        )
        server.clear_requests()
        log = where / "crawl.log"
        done = subprocess.run(cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE)
        requests, statuses = list(server.requests), dict(server.statuses)
    from crawl_speed import RunResult

    result = RunResult(
        "newscrawl", done.returncode, 0.0, requests, statuses, 0.0, 0.0, 0.0,
        stderr=done.stderr.decode("utf-8", "replace"),
    )  # fmt: skip
    result.log, result.stats = log, stats_from_log(log)
    problems = run_problems(result, expected)
    files = sorted(archive.glob("*.warc.gz"))
    size = sum(f.stat().st_size for f in files) / 2**20
    print(
        f"archive: {len(files)} files, {size:.0f} MB, {len(requests)} responses, "
        f"crawled in {time.perf_counter() - started:.0f} s"
    )
    if not problems:
        marker.write_text(json.dumps(wanted), encoding="utf-8")
    return files, args.articles, [f"archive crawl: {p}" for p in problems]


def check(run: ReparseRun, records: int, digest: str | None) -> list[str]:
    """Why a reparse run cannot be measured (empty when it can)."""
    problems = []
    if run.returncode != 0:
        tail = " / ".join(run.stderr.strip().splitlines()[-3:])
        problems.append(f"exit code {run.returncode}: {tail}")
    if run.records != records:
        problems.append(f"{run.records} records, expected {records}")
    if digest is not None and run.digest != digest:
        problems.append("output differs from the -j 1 output (not the same bytes)")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Measure reparse scaling and memory; exit 1 on a missed goal, 2 on a failed run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--articles", type=int, default=20000, help="portal size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="portal seed")
    parser.add_argument("--file-mb", type=float, default=16, help="WARC rotation size, MB")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes to compare with 1")
    parser.add_argument("--runs", type=int, default=3, help="rounds (each: -j 1 and -j N)")
    parser.add_argument("--growth-mb", type=float, default=40, help="memory growth bound, MB")
    parser.add_argument("--tree-mb", type=float, default=600, help="process tree bound, MB")
    parser.add_argument("--archive-dir", type=Path, help="keep (and reuse) the archive here")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = parser.parse_args(argv)
    if args.jobs < 2 or args.runs < 1:
        parser.error("--jobs must be at least 2 and --runs at least 1")

    print_header("Reparse scaling and memory (synthetic dzwww portal archive)", sys.argv)
    temp = Path(tempfile.mkdtemp(prefix="newscrawl-reparse-"))
    where = (args.archive_dir or temp / "crawl").resolve()
    where.mkdir(parents=True, exist_ok=True)
    try:
        files, articles, failures = build_archive(args, where)
        if failures:
            return report_failures(failures)
        runs: dict[int, list[ReparseRun]] = {1: [], args.jobs: []}
        digest: str | None = None
        print(f"{args.runs} rounds of -j 1 and -j {args.jobs}, order alternating:", flush=True)
        for number in range(args.runs):
            order = [1, args.jobs] if number % 2 == 0 else [args.jobs, 1]
            for jobs in order:
                run = reparse(files, jobs, temp / f"out-{jobs}-{number}.jsonl")
                problems = check(run, articles, digest)
                print(
                    f"  round {number + 1}/{args.runs}  -j {jobs}  {run.wall:6.1f} s "
                    f"{run.records_per_s:7.1f} records/s  {'ok' if not problems else 'FAILED'}",
                    flush=True,
                )
                if problems:
                    return report_failures([f"reparse -j {jobs}: {p}" for p in problems])
                digest = digest or run.digest
                runs[jobs].append(run)
                (temp / f"out-{jobs}-{number}.jsonl").unlink()
        tenth = files[: max(1, len(files) // 10)]
        small = reparse(tenth, 1, temp / "out-small.jsonl")
        if small.returncode != 0:
            return report_failures([f"reparse of {len(tenth)} files: exit {small.returncode}"])
    finally:
        shutil.rmtree(temp, ignore_errors=True)

    rows = []
    for jobs, found in runs.items():
        rows.append(
            [
                f"-j {jobs}",
                len(found),
                len(files),
                found[0].records,
                f"{median([r.wall for r in found]):.1f}",
                f"{min(r.wall for r in found):.1f} – {max(r.wall for r in found):.1f}",
                f"{median([r.records_per_s for r in found]):.1f}",
                f"{median([r.cpu for r in found]):.1f}",
                f"{max(r.max_rss_mb for r in found):.0f}",
                f"{max(r.tree_peak_mb for r in found):.0f}",
            ]
        )
    rows.append(
        [
            "-j 1, first tenth",
            1,
            len(tenth),
            small.records,
            f"{small.wall:.1f}",
            "-",
            f"{small.records_per_s:.1f}",
            f"{small.cpu:.1f}",
            f"{small.max_rss_mb:.0f}",
            f"{small.tree_peak_mb:.0f}",
        ]
    )
    headers = ["run", "runs", "files", "records", "wall s", "min – max", "records/s"]
    headers += ["CPU s", "peak RSS MB (reparse process)", "peak tree RSS MB (with workers)"]
    print()
    print(table(headers, rows))
    print()
    one = median([r.records_per_s for r in runs[1]])
    many = median([r.records_per_s for r in runs[args.jobs]])
    paired = [b.wall / a.wall for b, a in zip(runs[1], runs[args.jobs], strict=True)]
    print(
        f"-j {args.jobs} / -j 1 records/s: {many / one:.2f} (per round "
        f"{min(paired):.2f} – {max(paired):.2f}); CPU -j {args.jobs} / -j 1: "
        f"{median([r.cpu for r in runs[args.jobs]]) / median([r.cpu for r in runs[1]]):.2f}"
    )
    growth = max(r.max_rss_mb for r in runs[1]) - small.max_rss_mb
    tree = max(r.tree_peak_mb for r in runs[args.jobs])
    goals = [
        goal_line(f"reparse -j {args.jobs} / -j 1 records/s", many / one, ">=", 1.7),
        goal_line(
            f"peak RSS growth, {len(tenth)} → {len(files)} files",
            growth,
            "<=",
            args.growth_mb,
            " MB",
        ),
        goal_line(f"peak tree RSS with -j {args.jobs}", tree, "<=", args.tree_mb, " MB"),
    ]
    print()
    print("## goals")
    print()
    for text, _ in goals:
        print(text)
    if args.json:
        numbers = {
            "files": len(files),
            "records": articles,
            "runs": {
                str(jobs): [vars(r) | {"stderr": None} for r in found]
                for jobs, found in runs.items()
            },
            "small": vars(small) | {"stderr": None},
            "goals": {text: met for text, met in goals},
        }
        args.json.write_text(json.dumps(numbers, indent=2), encoding="utf-8")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
