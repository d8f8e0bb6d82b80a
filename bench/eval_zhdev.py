"""Score ``newscrawl extract --site auto`` on zh-dev with the shared scorer and check the bar.

    .venv/bin/python bench/eval_zhdev.py [--data ../shared/corpus/zh-dev] [--with-libraries]

Runs ``../shared/tools/eval_extract.py --cmd 'newscrawl extract --site auto --format eval -'``
(one process per page, as the scorer works), prints its table (with readability,
trafilatura, newspaper4k and gne beside it when ``--with-libraries`` and they are
installed) and exits 1 when a goal is missed: mean body F1 ≥ 0.93, ≥ 88 % of pages above
0.9, date accuracy ≥ 90 %, author accuracy ≥ 60 %.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOALS = {"body_f1": 0.93, "pct_f1_gt_0.9": 88.0, "date_acc": 0.90, "author_acc": 0.60}


def _newscrawl() -> str:
    exe = Path(sys.executable).with_name("newscrawl")
    return str(exe) if exe.exists() else (shutil.which("newscrawl") or "newscrawl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SHARED / "corpus" / "zh-dev"))
    parser.add_argument("--scorer", default=str(SHARED / "tools" / "eval_extract.py"))
    parser.add_argument("--with-libraries", action="store_true")
    args = parser.parse_args(argv)
    if not Path(args.scorer).exists() or not Path(args.data).is_dir():
        print(f"eval_zhdev: scorer or corpus missing ({args.scorer}, {args.data})")
        return 2
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
        if args.with_libraries:
            cmd += ["--extractor", "readability,trafilatura,newspaper4k,gne"]
        print("$ " + " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        scores = next(
            s
            for s in json.loads(summary.read_text("utf-8"))["summaries"]
            if s["extractor"] == "newscrawl"
        )
    missed = [f"{k} {scores[k]:.3f} < {goal}" for k, goal in GOALS.items() if scores[k] < goal]
    print("\ngoals: " + ", ".join(f"{k} ≥ {v}" for k, v in GOALS.items()))
    print("all goals met" if not missed else "MISSED: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
