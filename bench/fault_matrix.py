"""What the crawler does when the portal misbehaves: one real crawl per fault.

For each case the fault-injecting portal (testing/faults.py, the replica site) serves
the five replica channels with one fault rule, and ``scrapy crawl dzwww`` runs against
it exactly as a user would (fresh state directory, ``-O out.jsonl``; the address check
allows the portal's port only). Then the fault is switched off and the same command runs
again on the same state (the next cron run). Per case the table shows: the exit code and
exported count of both runs, what the manifest said (healthy?, failed pages and their
reasons), the requests that got the fault, the peak RSS of the first run, the articles
never exported with a title and a body by either run ("lost"), exported by both as a
second copy ("again"), and exported again as a new version of the same id ("version 2").

Goals (exit 1 on a miss, when the baseline runs too): the peak RSS of a crawl meeting a
gzip bomb or a page larger than DOWNLOAD_MAXSIZE stays within 100 MB of the baseline's.
Crawls run with AUTOTHROTTLE_ENABLED=0 and DOWNLOAD_DELAY=0 (politeness is not what is
measured); everything else is the project's defaults (DOWNLOAD_TIMEOUT 30, RETRY_TIMES 3,
DOWNLOAD_MAXSIZE 16 MiB …).

    python bench/fault_matrix.py                     # every case (about 10 minutes)
    python bench/fault_matrix.py --case empty-200 --case gzip-bomb
    python bench/fault_matrix.py --list              # case names and their rules
    python bench/fault_matrix.py --json results.json # also write the raw results
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common import ROOT, print_header, table

from newscrawl.replica import REPLICA_CHANNELS, ReplicaServer
from testing.faults import FaultServer
from testing.measure import run_measured

LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text("utf-8"))
ALL_ARTICLES = set(LISTS["all_articles"])
ARTICLE = r"/t\d{8}_\d+\.html?$"  # first pages of articles (not _1/_2 continuation pages)
SOME = r"/t2024\d{4}_\d+\.html?$"  # the 2024 articles
LIST_PAGE = r"/(index|default)?(_\d+)?(\.htm)?$"
BASE_SETTINGS = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "INFO"}


@dataclass(frozen=True)
class Case:
    """One row: a fault rule set, the start pages, extra settings."""

    name: str
    fault: str
    rules: tuple[str, ...]
    channels: tuple[str, ...] = REPLICA_CHANNELS
    settings: dict[str, str] = field(default_factory=dict)
    closed_port: bool = False  # start URLs on a port where nothing listens
    timeout: float = 900


CASES = [
    Case("baseline", "none", ()),
    Case("5xx-burst", "500 ×2 on every article, then the page", (f"{ARTICLE}=status:500@each2",)),
    Case(
        "503-persistent",
        "503 on the 2024 articles, every time",
        (f"{SOME}=status:503",),
    ),
    Case("502-on-lists", "502 on every list page, every time", (f"{LIST_PAGE}=status:502",)),
    Case("portal-down", "connection refused (closed port)", (), closed_port=True),
    Case(
        "429-retry-after",
        "429 + Retry-After: 20 on every article once",
        (f"{ARTICLE}=retry-after:20@each1",),
    ),
    Case(
        "stall",
        "40 s stall before answering the 2024 articles (timeout 30 s), every time",
        (f"{SOME}=stall:40",),
    ),
    Case(
        "stall-once",
        "40 s stall on every article, first request only",
        (f"{ARTICLE}=stall:40@each1",),
    ),
    Case(
        "stall-in-body",
        "headers + half the body, then 40 s, on the 2024 articles",
        (f"{SOME}=stall-body:40",),
    ),
    Case("reset-twice", "RST on every article ×2, then the page", (f"{ARTICLE}=reset@each2",)),
    Case("reset-persistent", "RST after 1000 body bytes, 2024 articles", (f"{SOME}=reset:1000",)),
    Case(
        "truncated",
        "Content-Length > bytes sent (half), 2024 articles, every time",
        (f"{SOME}=truncate:0.5",),
    ),
    Case("redirect-chain", "3 × 302 before every article", (f"{ARTICLE}=redirect-chain:3",)),
    Case("redirect-loop", "302 loop on the 2024 articles", (f"{SOME}=redirect-loop:2",)),
    Case(
        "redirect-offsite",
        "302 to localhost (another domain) for the 2024 articles",
        (f"{SOME}=redirect:http://localhost:{{port}}{{path}}",),
    ),
    Case(
        "redirect-other-port",
        "302 to the same path on another local port (a second server), 2024 articles",
        (f"{SOME}=redirect-port:{{other}}",),
    ),
    Case(
        "404-page-2",
        "404 on page 2 of the 3-page article",
        (r"t20240615_15000001_1\.htm$=status:404",),
    ),
    Case("empty-200", "200 with an empty body, 2024 articles", (f"{SOME}=empty",)),
    Case("png-200", "200 image/png on the 2024 articles", (f"{SOME}=body:png",)),
    Case("json-200", "200 application/json on the 2024 articles", (f"{SOME}=body:json",)),
    Case("pdf-200", "200 application/pdf on the 2024 articles", (f"{SOME}=body:pdf",)),
    Case(
        "charset-wrong",
        "header charset=utf-8 on every GB18030 article (2014–2019 pages)",
        (r"/t201\d{5}_\d+\.html?$=charset:utf-8",),
    ),
    Case(
        "charset-missing",
        "no charset on the page whose charset is only in its header (GBK)",
        (r"t20190311_18512345\.htm$=charset:none",),
    ),
    Case(
        "gzip-bomb",
        "gzip bomb, 1 GiB inflated (1 MB sent), on one article",
        (r"t20240510_13900001\.htm$=gzip-bomb:1G",),
    ),
    Case(
        "nested",
        "200,000 nested elements on one article",
        (r"t20240510_13900001\.htm$=hostile:nested",),
    ),
    Case(
        "text-node",
        "a 60 MB single text node on one article",
        (r"t20240510_13900001\.htm$=hostile:text-node",),
    ),
    Case(
        "binary",
        "2 MB of binary garbage as text/html on one article",
        (r"t20240510_13900001\.htm$=hostile:binary",),
    ),
    Case(
        "entities",
        "billion-laughs entities on one article",
        (r"t20240510_13900001\.htm$=hostile:entities",),
    ),
    Case(
        "100k-links",
        "a list page with 100,000 article links (run stopped after 120 s)",
        (r"/www/news/yw/$=hostile:links",),
        channels=("www/news/yw/",),
        settings={"CLOSESPIDER_TIMEOUT": "120"},
    ),
]
CASES_BY_NAME = {c.name: c for c in CASES}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _crawl_command(start_urls: list[str], workdir: Path, out: Path, extra: dict[str, str]):
    settings = {
        **BASE_SETTINGS,
        "NEWSCRAWL_STATE_DIR": str(workdir / "state"),
        "NEWSCRAWL_ARCHIVE_DIR": str(workdir / "archive"),
        "NEWSCRAWL_STATS_FILE": str(out.with_suffix(".stats.json")),
        "LOG_FILE": str(out.with_suffix(".log")),
        **extra,
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "dzwww", "-a"]
    cmd += ["start_urls=" + ",".join(start_urls), "-O", str(out)]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def _read_run(out: Path, manifests_before: set[Path]) -> dict[str, Any]:
    records = []
    if out.exists():
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line]
    # beside the data file, or named by the run's start time when no data file was written
    new = sorted(set(out.parent.glob("*.manifest.json")) - manifests_before)
    manifest = json.loads(new[-1].read_text("utf-8")) if new else None
    stats_path = out.with_suffix(".stats.json")
    stats = json.loads(stats_path.read_text("utf-8")) if stats_path.exists() else {}
    return {"records": records, "manifest": manifest, "stats": stats}


def run_case(case: Case, workdir: Path) -> dict[str, Any]:
    """Two crawls (fault on, then off) against a fresh fault server; what they did."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with ReplicaServer() as other, FaultServer() as server:
        rules = [r.replace("{other}", str(other.port)) for r in case.rules]
        server.set_faults(rules)
        closed_port = _free_port()
        closed = f"http://127.0.0.1:{closed_port}/"
        # the address check refuses 127.0.0.1: allow the portal (and the closed port) only
        allowed = {
            "NEWSCRAWL_ALLOWED_ADDRESSES": f"127.0.0.1:{server.port},127.0.0.1:{closed_port}"
        }
        results: dict[str, Any] = {"case": case.name, "fault": case.fault, "rules": rules}
        for label in ("first", "next"):
            # the next run meets the portal back up
            base = closed if case.closed_port and label == "first" else server.url
            start_urls = [base + channel for channel in case.channels]
            out = workdir / f"{label}.jsonl"
            cmd = _crawl_command(start_urls, workdir, out, {**allowed, **case.settings})
            before = set(workdir.glob("*.manifest.json"))
            measured = run_measured(cmd, cwd=ROOT, env=env, timeout=case.timeout)
            run = _read_run(out, before)
            run.update(
                returncode=measured.returncode,
                wall=round(measured.wall, 1),
                max_rss_mb=round(measured.max_rss_mb),
                timed_out=measured.timed_out,
                stderr_tail=measured.stderr[-600:],
            )
            if label == "first":
                run["faulted_requests"] = len(server.faulted())
                run["requests"] = len(server.requests)
                run["other_port_requests"] = len(other.requests)
                results["command"] = shlex.join(
                    ["python", "-m", "testing.faults", *[f"--fault={r}" for r in case.rules]]
                )
                results["crawl"] = shlex.join(
                    ["scrapy", "crawl", "dzwww", "-a", "start_urls=<channels>", "-O", "out.jsonl"]
                    + [f"-s{k}={v}" for k, v in {**BASE_SETTINGS, **case.settings}.items()]
                )
            results[label] = run
            server.clear_faults()
    return results


def _paths(records: list[dict[str, Any]]) -> set[str]:
    """URL paths of the records that hold an article (a title and a body)."""
    return {urlsplit(r["url"]).path for r in records if r.get("title") and r.get("body")}


def _versions(records: list[dict[str, Any]]) -> set[str]:
    """URL paths of the records that are a later version of an article exported before."""
    return {urlsplit(r["url"]).path for r in records if (r.get("version") or 1) > 1}


#: Cases whose peak RSS must stay within this many MB of the baseline's.
RSS_GOALS_MB = {"gzip-bomb": 100, "text-node": 100}


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """The table row of one case."""
    first, following = result["first"], result["next"]
    channels = CASES_BY_NAME[result["case"]].channels
    expected = ALL_ARTICLES & set().union(*(LISTS["channels"]["/" + c] for c in channels))
    exported_first, exported_next = _paths(first["records"]), _paths(following["records"])
    updated = _versions(following["records"])
    manifest = first["manifest"] or {}
    failures = manifest.get("failures", {})
    reasons = ", ".join(f"{r} ×{n}" for r, n in failures.get("by_reason", {}).items())
    counts = manifest.get("counts", {})
    stats = first["stats"]
    no_title = sum(1 for r in first["records"] if not r.get("title"))
    no_body = sum(1 for r in first["records"] if not r.get("body"))
    mojibake = sum(1 for r in first["records"] if "mojibake" in (r.get("warnings") or []))
    return {
        "case": result["case"],
        "fault": result["fault"],
        "exit": first["returncode"],
        "exported": len(first["records"]),
        "healthy": manifest.get("healthy") if manifest else "no manifest",
        "reasons": "; ".join(manifest.get("reasons", [])) if manifest else "",
        "failed": counts.get("articles_failed", 0)
        + counts.get("article_pages_failed", 0)
        + counts.get("list_pages_failed", 0),
        "failed reasons": reasons,
        "ignored": stats.get("newscrawl/articles_ignored", 0),
        "faulted": first["faulted_requests"],
        "rss": first["max_rss_mb"],
        "wall": first["wall"],
        "no title/no body/mojibake": f"{no_title}/{no_body}/{mojibake}",
        "next exit": following["returncode"],
        "next exported": len(following["records"]),
        "lost": len(expected - exported_first - exported_next),
        "again": len((exported_first & exported_next) - updated),
        "version 2": len(updated & exported_first),
        "other port": first["other_port_requests"],
        "retries": stats.get("retry/count", 0),
        "retry gave up": stats.get("retry/max_reached", 0),
    }


COLUMNS = [
    "case",
    "exit",
    "exported",
    "healthy",
    "failed",
    "failed reasons",
    "ignored",
    "faulted",
    "retries",
    "no title/no body/mojibake",
    "rss",
    "wall",
    "next exit",
    "next exported",
    "lost",
    "again",
    "version 2",
    "other port",
]


def missed_goals(rows: list[dict[str, Any]]) -> list[str]:
    """The RSS goals (:data:`RSS_GOALS_MB`) missed by the cases run beside the baseline."""
    by_case = {row["case"]: row for row in rows}
    if "baseline" not in by_case:
        return []
    base = by_case["baseline"]["rss"]
    return [
        f"{case}: peak RSS {by_case[case]['rss']} MB, more than {limit} MB over the "
        f"baseline's {base} MB"
        for case, limit in RSS_GOALS_MB.items()
        if case in by_case and by_case[case]["rss"] - base > limit
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", choices=list(CASES_BY_NAME))
    parser.add_argument("--list", action="store_true", help="print the cases and exit")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args(argv)
    if args.list:
        for case in CASES:
            print(f"{case.name:20} {case.fault}\n{'':20} {' '.join(case.rules) or '-'}")
        return 0
    print_header("Faults met by the crawler (first run with the fault, next run without)")
    results, rows, summaries = [], [], []
    for name in args.case or list(CASES_BY_NAME):
        with tempfile.TemporaryDirectory(prefix=f"faults-{name}-") as tmp:
            result = run_case(CASES_BY_NAME[name], Path(tmp))
        row = summarise(result)
        summaries.append(row)
        result["summary"] = row
        for run in ("first", "next"):
            result[run]["exported"] = len(result[run].pop("records"))
        results.append(result)
        rows.append([str(row[c]) for c in COLUMNS])
        print(" | ".join(rows[-1]), "|", row["reasons"], file=sys.stderr, flush=True)
    print(table(COLUMNS, rows))
    print()
    for result in results:
        print(f"- {result['case']}: {result['summary']['reasons'] or 'no reasons'}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    missed = missed_goals(summaries)
    for line in missed:
        print(f"GOAL MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
