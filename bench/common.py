"""Shared helpers of the benchmark scripts: machine description, tables, the dzwww profile,
the synthetic portal (imported here only), contenders that fail."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shlex
import statistics
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The synthetic dzwww portal; every bench script imports it from here.
from testing.synthetic import (  # noqa: E402
    DEFAULT_SEED,
    SyntheticPortal,
    SyntheticServer,
)

__all__ = [
    "DEFAULT_SEED",
    "EXIT_CONTENDER_FAILED",
    "ROOT",
    "ContenderFailed",
    "SyntheticPortal",
    "SyntheticServer",
    "dzwww_profile",
    "goal_line",
    "median",
    "print_header",
    "report_failures",
    "table",
]

#: Exit code of a benchmark whose contender could not be measured (not installed,
#: crashed, errors on every page, empty output); 1 is a missed goal.
EXIT_CONTENDER_FAILED = 2


class ContenderFailed(Exception):
    """A contender cannot be measured; the message says which and why."""


LIBRARIES = (
    "newscrawl",
    "Scrapy",
    "Twisted",
    "lxml",
    "parsel",
    "trafilatura",
    "readability-lxml",
    "psutil",
    "pyinstrument",
)


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo ("unknown" elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def usable_cpus() -> int:
    """CPUs this process may run on (what ``nproc`` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def library_versions(names: Iterable[str] = LIBRARIES) -> dict[str, str]:
    """Installed version of each distribution, or "not installed"."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def machine_lines() -> list[str]:
    """Lines describing the machine, interpreter and libraries."""
    libs = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    return [
        f"machine: nproc={usable_cpus()}, CPU: {cpu_model()}, {platform.system()} "
        f"{platform.release()}",
        f"python: {platform.python_implementation()} {platform.python_version()}",
        f"libraries: {libs}",
    ]


def print_header(title: str, argv: Sequence[str] | None = None) -> None:
    """Print the benchmark title, the machine and the exact command that was run."""
    argv = list(sys.argv if argv is None else argv)
    print(f"# {title}")
    for line in machine_lines():
        print(line)
    print(f"command: {shlex.join([sys.executable, *argv])}")
    print(f"cwd: {Path.cwd()}")
    print()


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence."""
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (numbers as given; format them first)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    out = [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    return "\n".join(out)


def dzwww_profile() -> Any:
    """The dzwww site profile."""
    from newscrawl.sites import get_profile

    return get_profile("dzwww")


def goal_line(name: str, value: float, op: str, bound: float, unit: str = "") -> tuple[str, bool]:
    """``(text, met)`` for a goal ``value op bound`` (op is ``>=`` or ``<=``)."""
    met = value >= bound if op == ">=" else value <= bound
    verdict = "MET" if met else "MISSED"
    return f"{verdict:6}  {name}: {value:.3g}{unit} {op} {bound:.3g}{unit}", met


def report_failures(failures: Sequence[str]) -> int:
    """Print why contenders could not be measured; the exit code to return.

    The reasons go to stdout with the report, and to stderr as well when stdout is
    redirected, so that they are seen either way.
    """
    lines = ["", "## FAILED: no ratio is given for a contender that failed", ""]
    lines += [f"FAILED  {reason}" for reason in failures]
    print("\n".join(lines), flush=True)
    if not sys.stdout.isatty():
        for reason in failures:
            print(f"FAILED  {reason}", file=sys.stderr, flush=True)
    return EXIT_CONTENDER_FAILED
