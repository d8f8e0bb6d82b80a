"""``newscrawl health``: recent runs per site in the terminal, optionally an HTML report."""

from __future__ import annotations

import argparse
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, TextIO

from newscrawl import settings as defaults
from newscrawl.health.location import HistoryLocation
from newscrawl.runs.history import history_path

EXIT_OK = 0
EXIT_INPUT_ERROR = 2


def add_health_parser(commands: Any) -> None:
    """Register the ``health`` sub-command on the ``newscrawl`` parser."""
    health = commands.add_parser(
        "health",
        help="recent runs per site, drift alarms; -o writes an offline HTML report",
        description="Print a table of the latest runs of each site (records, errors, exit "
        "code, drift status, field coverage, body length, alarms) from the run history, and "
        "with -o write one self-contained HTML file with charts over time (needs the "
        "'health' extra). Exit 2 when there is no history or a site has no runs.",
    )
    health.add_argument("sites", nargs="*", metavar="SITE", help="default: every site")
    health.add_argument("-o", "--output", help="write the HTML report to this file")
    health.add_argument("--runs", type=int, default=50, help="latest runs per site (default 50)")
    health.add_argument(
        "--state-dir",
        default=defaults.NEWSCRAWL_STATE_DIR,
        help="NEWSCRAWL_STATE_DIR of the runs (default: %(default)s)",
    )
    health.add_argument(
        "--history", help="the run history file (default: <state dir>/health.sqlite3)"
    )
    health.add_argument(
        "--redis-url",
        metavar="URL",
        help="read the run history of shared crawls from this Redis server "
        "(their NEWSCRAWL_REDIS_URL) instead of a file",
    )
    health.add_argument(
        "--redis-prefix",
        default=defaults.NEWSCRAWL_REDIS_PREFIX,
        help="NEWSCRAWL_REDIS_PREFIX of the shared crawls (default: %(default)s)",
    )
    health.add_argument(
        "--accept",
        metavar="RUN_ID",
        help="let this run of SITE feed the baseline (after checking that the site changed "
        "and its records are right)",
    )


def health_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the run table; write the HTML report with -o; accept a run with --accept."""
    from newscrawl.health.charts import PlottingUnavailable, check_available
    from newscrawl.health.report import html_report, text_report

    location = HistoryLocation(
        history_path(args.state_dir, args.history), args.redis_url, args.redis_prefix
    )
    path = location.describe()
    if not location.exists():
        print(f"newscrawl health: no run history at {path} (crawls write it)", file=err)
        return EXIT_INPUT_ERROR
    if args.output:
        try:
            check_available()
        except PlottingUnavailable as exc:
            print(f"newscrawl health: {exc}", file=err)
            return EXIT_INPUT_ERROR
    try:
        with closing(location.open()) as history:
            known = history.sites()
            sites = list(args.sites) or known
            unknown = [site for site in sites if site not in known]
            if unknown:
                print(
                    f"newscrawl health: no runs of {', '.join(unknown)} in {path} "
                    f"(sites: {', '.join(known) or 'none'})",
                    file=err,
                )
                return EXIT_INPUT_ERROR
            if args.accept:
                if len(sites) != 1:
                    print("newscrawl health: --accept needs exactly one SITE", file=err)
                    return EXIT_INPUT_ERROR
                if not history.mark_healthy(sites[0], args.accept):
                    print(f"newscrawl health: {sites[0]} has no run {args.accept}", file=err)
                    return EXIT_INPUT_ERROR
                print(f"run {args.accept} of {sites[0]} now feeds the baseline", file=out)
            out.write(text_report(history, sites, args.runs))
            if args.output:
                target = Path(args.output)
                target.parent.mkdir(parents=True, exist_ok=True)
                temp = target.with_name(f".{target.name}.part")
                temp.write_text(html_report(history, sites, args.runs, path), "utf-8")
                os.replace(temp, target)
                print(f"report: {target}", file=out)
    except (sqlite3.Error, OSError) as exc:
        print(f"newscrawl health: cannot read the run history {path}: {exc}", file=err)
        return EXIT_INPUT_ERROR
    return EXIT_OK
