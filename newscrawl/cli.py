"""``newscrawl`` command line: extract saved pages, run the offline demo."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from newscrawl import __version__
from newscrawl.assemble import ArticleAssembly
from newscrawl.clock import utc_iso
from newscrawl.extraction import extract_page
from newscrawl.health.cli import add_health_parser, health_command
from newscrawl.record import RecordOptions
from newscrawl.sites import get_profile, profile_for_url, profile_names
from newscrawl.sites.profile import SiteProfile

EXIT_OK = 0
EXIT_INPUT_ERROR = 2


def _read_input(name: str, stdin: BinaryIO) -> bytes:
    if name == "-":
        return stdin.read()
    return Path(name).read_bytes()


def _profile_for(site: str, url: str) -> SiteProfile | None:
    if site == "auto":
        return profile_for_url(url)
    return get_profile(site)


def extract_command(args: argparse.Namespace, stdin: BinaryIO, out: TextIO, err: TextIO) -> int:
    """Print the record of each saved page, one JSON line per input, in order."""
    status = EXIT_OK
    for name in args.files:
        try:
            body = _read_input(name, stdin)
        except OSError as exc:
            print(f"newscrawl extract: {name}: cannot read: {exc.strerror or exc}", file=err)
            status = EXIT_INPUT_ERROR
            continue
        if not body.strip():
            print(f"newscrawl extract: {name}: empty input", file=err)
            status = EXIT_INPUT_ERROR
            continue
        url = args.url or (Path(name).resolve().as_uri() if name != "-" else "file:///dev/stdin")
        profile = _profile_for(args.site, url)
        fields = extract_page(url, body, args.content_type, profile.selectors if profile else None)
        assembly = ArticleAssembly(
            fields, site=profile.name if profile else "generic", crawled_at=utc_iso()
        )
        record = assembly.record(
            RecordOptions.for_profile(profile, to_simplified=args.to_simplified)
        )
        if args.format == "eval":
            record = {
                "title": record["title"],
                "date": record["published_date"],
                "author": record["authors"],
                "body": record["body"],
            }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return status


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise SystemExit(f"newscrawl run: {option} {value!r}: expected NAME=VALUE")
        pairs[key] = val
    return pairs


def run_command(args: argparse.Namespace, err: TextIO) -> int:
    """Crawl like ``scrapy crawl`` and return the run's health as the exit code."""
    from newscrawl.crawling.process import project_settings, report, run_spider

    settings = project_settings(dict(_pairs(args.set, "-s")))
    outcome = run_spider(args.spider, settings, **_pairs(args.arg, "-a"))
    report(outcome, err)
    return outcome.exit_code


class ProgressLine:
    """One line on a terminal, rewritten in place at most every ``interval`` seconds."""

    def __init__(self, stream: TextIO, interval: float = 0.5) -> None:
        self.stream = stream
        self.interval = interval
        self.shown = 0.0
        self.width = 0

    def show(self, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown < self.interval:
            return
        self.shown = now
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def _reparse_progress(line: ProgressLine) -> Callable[[Any], None]:
    def show(state: Any) -> None:
        elapsed = max(1e-6, time.monotonic() - state.started)
        if state.files_read < state.files:
            line.show(f"newscrawl reparse: reading archives, {state.files_read}/{state.files}")
            return
        line.show(
            f"newscrawl reparse: {state.articles_done}/{state.articles} records, "
            f"{state.articles_done / elapsed:.0f} records/s, "
            f"{state.files_done}/{state.files} files done",
            force=state.articles_done == state.articles,
        )

    return show


def reparse_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Re-extract archived articles; exit 2 for unusable inputs, 1 for damage or failures."""
    from newscrawl.archive.reparse import ReparseReport, rebuild, record_line

    report = ReparseReport()
    destination = Path(args.output) if args.output else None
    handle: TextIO = out
    if destination is not None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        temp = destination.with_name(f".{destination.name}.part")
        handle = temp.open("w", encoding="utf-8")
    line = ProgressLine(err) if err.isatty() else None
    try:
        lines = rebuild(
            [Path(a) for a in args.archives],
            site=args.site,
            to_simplified=args.to_simplified,
            report=report,
            jobs=args.jobs,
            encode=record_line,
            progress=_reparse_progress(line) if line is not None else None,
        )
        for text in lines:
            handle.write(text)
    finally:
        if line is not None:
            line.clear()
        if destination is not None:
            handle.close()
            temp.replace(destination)
    for line in report.unusable:
        print(f"newscrawl reparse: {line}", file=err)
    for line in report.damaged:
        print(f"newscrawl reparse: damaged: {line}", file=err)
    for line in report.failed:
        print(f"newscrawl reparse: failed: {line}", file=err)
    print(
        f"newscrawl reparse: {report.records} records from {report.archives} archives; "
        f"{len(report.damaged)} damaged spots, {len(report.failed)} failed records, "
        f"{report.missing_pages} missing pages, {report.truncated} truncated pages, "
        f"{report.skipped} records skipped (not an article's first page), "
        f"{len(report.unusable)} unusable inputs",
        file=err,
    )
    if report.unusable:
        return EXIT_INPUT_ERROR
    problems = report.damaged or report.failed or report.missing_pages or report.truncated
    return 1 if problems else EXIT_OK


def diff_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Compare two exports; exit 1 when anything differs, 2 for bad input."""
    from newscrawl.diff import (
        DEFAULT_IGNORED,
        DiffInputError,
        diff_records,
        load_records,
        print_diff,
    )

    try:
        old, new = load_records(Path(args.old)), load_records(Path(args.new))
    except DiffInputError as exc:
        print(f"newscrawl diff: {exc}", file=err)
        return EXIT_INPUT_ERROR
    ignored = tuple(args.ignore) if args.ignore is not None else DEFAULT_IGNORED
    diff = diff_records(old, new, ignored)
    print_diff(diff, out)
    return EXIT_OK if diff.identical else 1


def demo_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Crawl the bundled replica portal with the real spider of its portal and summarise."""
    from newscrawl.demo import run_demo

    return run_demo(Path(args.output_dir), out=out, err=err)


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {jobs}")
    return jobs or _usable_cpus()


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newscrawl", description="Scraper and archiver for Chinese regional news portals."
    )
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = commands.add_parser(
        "extract",
        help="print the record of saved article pages (one JSON line each)",
        description="Extract saved article pages (raw bytes; charset detected as for a "
        "response) and print one JSON record per input, in order. Exit code 2 when an "
        "input could not be read or was empty; the other inputs are still processed.",
    )
    extract.add_argument("files", nargs="+", metavar="FILE", help="saved page, or - for stdin")
    extract.add_argument(
        "--site",
        default="auto",
        choices=["auto", *profile_names()],
        help="portal profile to use; auto picks it from --url, else the generic extractor",
    )
    extract.add_argument("--url", default=None, help="the page's URL (for links and dates)")
    extract.add_argument(
        "--content-type", default=None, help="HTTP Content-Type header the page came with"
    )
    extract.add_argument(
        "--format",
        choices=["record", "eval"],
        default="record",
        help="record (default) or eval: {title, date, author, body} for eval_extract.py",
    )
    extract.add_argument(
        "--to-simplified", action="store_true", help="convert Traditional text to Simplified"
    )

    run = commands.add_parser(
        "run",
        help="crawl a portal like 'scrapy crawl', exit code = run health (for cron)",
        description="Run a spider with the project settings, as 'scrapy crawl' does, and exit "
        "with the run's verdict: 0 healthy, 1 failed, 3 list pages held no articles, "
        "4 error rate too high, 5 field coverage too low, 6 template drift, "
        "75 another run holds the lock.",
    )
    run.add_argument("spider", help="spider name (one per profile; scrapy list shows them)")
    run.add_argument("-a", dest="arg", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE")

    reparse = commands.add_parser(
        "reparse",
        help="rebuild records from WARC archives with today's extraction (no network)",
        description="Run today's extraction and normalisation over archived article "
        "responses (multi-page articles stitched again) and write one record per article. "
        "Damaged records are skipped and reported; exit 1 then, 2 for unusable inputs.",
    )
    reparse.add_argument("archives", nargs="+", metavar="ARCHIVE", help="WARC files")
    reparse.add_argument("-o", "--output", help="write JSON Lines here (default: stdout)")
    reparse.add_argument(
        "--site",
        choices=["auto", *profile_names()],
        help="profile for every record; auto picks it per record by URL (the profile whose "
        "domains own it, else the generic extractor). Default: the spider named in the "
        "archive's warcinfo, else auto",
    )
    reparse.add_argument("--to-simplified", action="store_true")
    reparse.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="worker processes reading archives and rebuilding records (default 1; 0 = one "
        "per CPU); the output is the same whatever N",
    )

    diff = commands.add_parser(
        "diff",
        help="compare two JSON Lines exports record by record",
        description="Match records by id and report, per field, how many records changed "
        "(with examples) and which ids appear in one file only. Exit 1 when anything "
        "differs, 0 when identical, 2 when an input cannot be read.",
    )
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument(
        "--ignore",
        action="append",
        metavar="FIELD",
        help="field to leave out (repeatable; default: crawled_at, parser_version, archive)",
    )

    demo = commands.add_parser(
        "demo",
        help="crawl the bundled replica portal offline and summarise the result",
        description="Start the replica portal on 127.0.0.1, run the real spider of its "
        "portal against it and write output/demo/<UTC timestamp>.jsonl.",
    )
    demo.add_argument("--output-dir", default="output", help="where demo/ is created")

    add_health_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "extract":
        return extract_command(args, sys.stdin.buffer, sys.stdout, sys.stderr)
    if args.command == "run":
        return run_command(args, sys.stderr)
    if args.command == "reparse":
        return reparse_command(args, sys.stdout, sys.stderr)
    if args.command == "diff":
        return diff_command(args, sys.stdout, sys.stderr)
    if args.command == "health":
        return health_command(args, sys.stdout, sys.stderr)
    return demo_command(args, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
