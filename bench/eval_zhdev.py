"""Score ``newscrawl extract --site auto`` on zh-dev with the shared scorer and check the bar.

    .venv/bin/python bench/eval_zhdev.py [--data ../shared/corpus/zh-dev]
                                         [--with-libraries [readability,trafilatura,...]]

Runs ``../shared/tools/eval_extract.py --cmd 'newscrawl extract --site auto --format eval -'``
(one process per page, as the scorer works), prints its table (with the scorer's library
extractors beside it when ``--with-libraries``: readability and trafilatura, the bench
extra's, unless a list names others such as newspaper4k or gne) and exits 1 when a goal is
missed: mean body F1 ≥ 0.93, ≥ 88 % of pages above 0.9, date accuracy ≥ 90 %, author
accuracy ≥ 60 %. Exit code 2 when a contender cannot be scored: a library not installed,
an extractor that fails or extracts nothing on every page, or the scorer failing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, report_failures

SHARED = ROOT.parent / "shared"
GOALS = {"body_f1": 0.93, "pct_f1_gt_0.9": 88.0, "date_acc": 0.90, "author_acc": 0.60}
#: The module each of the scorer's library extractors imports.
LIBRARY_MODULES = {
    "readability": "readability",
    "trafilatura": "trafilatura",
    "newspaper4k": "newspaper",
    "gne": "gne",
}
DEFAULT_LIBRARIES = "readability,trafilatura"


def not_installed(libraries: list[str]) -> list[str]:
    """Why library extractors cannot be scored here: unknown, or their module does not import."""
    failures = []
    for name in libraries:
        module = LIBRARY_MODULES.get(name)
        if module is None:
            failures.append(
                f"{name}: not an extractor of the scorer ({', '.join(LIBRARY_MODULES)})"
            )
            continue
        try:
            importlib.import_module(module)
        except ImportError as exc:
            failures.append(f"{name}: not installed ({exc})")
    return failures


def failed_extractors(summaries: list[dict]) -> list[str]:
    """Extractors that raised, or extracted no body, on every page."""
    failures = []
    for s in summaries:
        if s["n"] and s["errors"] >= s["n"]:
            failures.append(f"{s['extractor']}: failed on every page ({s['errors']} errors)")
        elif s["n"] and s["pct_empty"] >= 100.0:
            failures.append(f"{s['extractor']}: extracted no body from any page")
    return failures


def _newscrawl() -> str:
    exe = Path(sys.executable).with_name("newscrawl")
    return str(exe) if exe.exists() else (shutil.which("newscrawl") or "newscrawl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SHARED / "corpus" / "zh-dev"))
    parser.add_argument("--scorer", default=str(SHARED / "tools" / "eval_extract.py"))
    parser.add_argument(
        "--with-libraries",
        nargs="?",
        const=DEFAULT_LIBRARIES,
        default="",
        metavar="NAMES",
        help=f"also score library extractors (default {DEFAULT_LIBRARIES})",
    )
    args = parser.parse_args(argv)
    libraries = [n.strip() for n in args.with_libraries.split(",") if n.strip()]
    failures = not_installed(libraries)
    if not Path(args.scorer).exists() or not Path(args.data).is_dir():
        failures.append(f"scorer or corpus missing ({args.scorer}, {args.data})")
    if failures:
        return report_failures(failures)
    command = f'{_newscrawl()} extract --site auto --format eval --url "$URL" -'
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "scores.json"
        cmd = [
            sys.executable,
            args.scorer,
            "--data",
            args.data,
            "--cmd",
            command,
            "--name",
            "newscrawl",
            "--json-out",
            str(summary),
        ]
        if libraries:
            cmd += ["--extractor", ",".join(libraries)]
        print("$ " + " ".join(cmd), flush=True)
        scorer = subprocess.run(cmd)
        if scorer.returncode != 0 or not summary.exists():
            return report_failures([f"the scorer exited with code {scorer.returncode}"])
        summaries = json.loads(summary.read_text("utf-8"))["summaries"]
    failures = failed_extractors(summaries)
    if failures:
        return report_failures(failures)
    scores = next(s for s in summaries if s["extractor"] == "newscrawl")
    missed = [f"{k} {scores[k]:.3f} < {goal}" for k, goal in GOALS.items() if scores[k] < goal]
    print("\ngoals: " + ", ".join(f"{k} ≥ {v}" for k, v in GOALS.items()))
    print("all goals met" if not missed else "MISSED: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
