"""``newscrawl`` command line: extract saved pages, run the offline demo."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from newscrawl import __version__
from newscrawl.assemble import ArticleAssembly
from newscrawl.clock import utc_iso
from newscrawl.extraction import extract_page
from newscrawl.health.cli import add_health_parser, health_command
from newscrawl.record import RecordOptions
from newscrawl.runs.monitor import EXIT_CODES, EXIT_LOCKED
from newscrawl.sites import get_profile, profile_for_url, profile_names
from newscrawl.sites.profile import SiteProfile

EXIT_OK = 0
EXIT_INPUT_ERROR = 2
#: 128 + SIGINT: the command was interrupted (Ctrl-C).
EXIT_INTERRUPTED = 130


def _read_input(name: str, stdin: BinaryIO) -> bytes:
    if name == "-":
        return stdin.read()
    return Path(name).read_bytes()


def _profile_for(site: str, url: str) -> SiteProfile | None:
    if site == "auto":
        return profile_for_url(url)
    return get_profile(site)


#: Where ``extract`` says a page came from when it is not told (``--url``): a host under
#: ``.invalid`` (RFC 2606, never resolves) and the saved file's absolute path, so the
#: record passes the schema (an http URL), its relative links resolve as they did
#: beside the file, and no one mistakes it for the page's address.
PLACEHOLDER_ORIGIN = "http://extract.invalid"
#: The warning of a record whose URL is the placeholder.
URL_UNKNOWN = "url_unknown"


def placeholder_url(name: str) -> str:
    """``http://extract.invalid/<absolute path of the file>`` (``/dev/stdin`` for ``-``)."""
    path = Path("/dev/stdin") if name == "-" else Path(name).resolve()
    return PLACEHOLDER_ORIGIN + path.as_uri().removeprefix("file://")


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
        url = args.url or placeholder_url(name)
        profile = _profile_for(args.site, url)
        fields = extract_page(url, body, args.content_type, profile.selectors if profile else None)
        assembly = ArticleAssembly(
            fields, site=profile.name if profile else "generic", crawled_at=utc_iso()
        )
        record = assembly.record(
            RecordOptions.for_profile(profile, to_simplified=args.to_simplified)
        )
        if not args.url:
            record["warnings"] = [*record["warnings"], URL_UNKNOWN]
        if args.format == "eval":
            record = {
                "title": record["title"],
                "date": record["published_date"],
                "author": record["authors"],
                "body": text_as_printed(record),
            }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return status


def text_as_printed(record: dict) -> str:
    """The record's paragraphs with its captions where they stand under their images.

    The ``eval`` format's body: the corpora extractors are scored on count a
    caption as article text, while the record keeps captions out of ``body``.
    """
    lines = list(record["paragraphs"])
    for image in sorted(record["images"], key=lambda i: i["position"], reverse=True):
        if image["caption"]:
            lines.insert(image["position"], image["caption"])
    return "\n".join(lines)


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


class _UnusableInputs(Exception):
    """Some inputs of ``reparse -o`` cannot be used: no output is written."""


def crawl_settings(overrides: dict[str, str] | None = None) -> Any:
    """The settings a crawl started here would use (project settings, then ``overrides``).

    Reading them does not change this process's environment (Scrapy's project
    lookup sets ``SCRAPY_SETTINGS_MODULE``, which child processes would inherit).
    """
    from newscrawl.crawling.process import project_settings

    saved = os.environ.get("SCRAPY_SETTINGS_MODULE")
    try:
        return project_settings(overrides)
    finally:
        if saved is None:
            os.environ.pop("SCRAPY_SETTINGS_MODULE", None)
        else:
            os.environ["SCRAPY_SETTINGS_MODULE"] = saved


def crawl_max_size() -> int | None:
    """The crawl's ``DOWNLOAD_MAXSIZE`` (project settings, else newscrawl's); None for no limit."""
    size = crawl_settings().getint("DOWNLOAD_MAXSIZE")
    return size if size > 0 else None


def _write_records(lines: Iterable[str], report: Any, handle: TextIO, strict: bool) -> None:
    """The record lines; with ``strict``, stop before the first line if an input failed."""
    for text in lines:
        if strict and report.unusable:
            raise _UnusableInputs
        handle.write(text)
    if strict and report.unusable:
        raise _UnusableInputs


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
    """Re-extract archived articles; exit 2 for unusable inputs, 1 for damage or failures.

    ``-o FILE`` is replaced only when the rebuild went through: on an unusable
    input, a write error, Ctrl-C or any exception it is left as it was.
    """
    from newscrawl.archive.reparse import ReparseReport, rebuild, record_line
    from newscrawl.atomic import open_atomic, remove_stale_temp_files
    from newscrawl.runs.lock import describe_os_error

    report = ReparseReport()
    max_size = args.max_size if args.max_size is not None else crawl_max_size()
    destination = Path(args.output) if args.output else None
    progress = ProgressLine(err) if err.isatty() else None
    lines = rebuild(
        [Path(a) for a in args.archives],
        site=args.site,
        to_simplified=args.to_simplified,
        report=report,
        max_size=max_size if max_size else None,
        jobs=args.jobs,
        encode=record_line,
        progress=_reparse_progress(progress) if progress is not None else None,
    )
    kept = f"; {destination} is left as it was" if destination is not None else ""
    try:
        if destination is None:
            _write_records(lines, report, out, strict=False)
        else:
            remove_stale_temp_files(destination.parent)
            with open_atomic(destination, "w", encoding="utf-8") as handle:
                _write_records(lines, report, handle, strict=True)
    except _UnusableInputs:
        kept = f"; nothing written, {destination} is left as it was"
    except KeyboardInterrupt:
        print(f"newscrawl reparse: interrupted{kept}", file=err)
        return EXIT_INTERRUPTED
    except OSError as exc:
        print(
            f"newscrawl reparse: cannot write {destination}: {describe_os_error(exc)}{kept}",
            file=err,
        )
        return 1
    finally:
        lines.close()  # stops the worker processes of a rebuild cut short
        if progress is not None:
            progress.clear()
    for line in report.unusable:
        print(f"newscrawl reparse: {line}", file=err)
    for line in report.damaged:
        print(f"newscrawl reparse: damaged: {line}", file=err)
    for line in report.failed:
        print(f"newscrawl reparse: failed: {line}", file=err)
    for line in report.too_large:
        print(f"newscrawl reparse: too large, skipped: {line}", file=err)
    print(
        f"newscrawl reparse: {report.records} records from {report.archives} archives; "
        f"{len(report.damaged)} damaged spots, {len(report.failed)} failed records, "
        f"{report.missing_pages} missing pages, {report.truncated} truncated pages, "
        f"{len(report.too_large)} pages over the size limit "
        f"({f'{max_size} bytes' if max_size else 'none'}), "
        f"{report.skipped} records skipped (not an article's first page), "
        f"{len(report.unusable)} unusable inputs",
        file=err,
    )
    if report.unusable:
        if destination is not None:
            print(f"newscrawl reparse: {kept.lstrip('; ')}", file=err)
        return EXIT_INPUT_ERROR
    problems = (
        report.damaged or report.failed or report.missing_pages or report.truncated
    ) or report.too_large
    return 1 if problems else EXIT_OK


def _state_settings(args: argparse.Namespace) -> Any:
    """The settings a run of the spider would use (project settings, then ``-s``)."""
    return crawl_settings(dict(_pairs(args.set, "-s")))


def feed_directories(settings: Any, spider: str) -> list[Path]:
    """Where a run of ``spider`` writes its data files: the local ``FEEDS`` directories,
    else the directory of ``NEWSCRAWL_DEFAULT_FEED`` (``output/<spider>``)."""
    from newscrawl.crawling.feeds import local_feed_directories

    if settings.getdict("FEEDS"):
        return local_feed_directories(settings, spider)
    return [Path(settings["NEWSCRAWL_DEFAULT_FEED"].replace("%(name)s", spider)).parent]


def state_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Check, repair or rebuild a spider's state store; 0 done, 1 not, 75 a run holds it."""
    from newscrawl.runs.lock import RunLockBusy, RunLockError, acquire_run_lock, last_holder
    from newscrawl.runs.state import lock_file, recovery_hint, state_file
    from newscrawl.runs.staterepair import StateToolError, describe_state

    settings = _state_settings(args)
    state_dir = Path(settings["NEWSCRAWL_STATE_DIR"])
    path = state_file(state_dir, args.spider)
    if args.action == "check":
        try:
            found = describe_state(path)
        except StateToolError as exc:
            print(f"newscrawl state check: {exc}", file=err)
            return 1
        holder = last_holder(lock_file(state_dir, args.spider))
        if not found.exists:
            print(f"{path}: no state store (the next run starts with an empty one)", file=out)
        elif found.healthy:
            last = f"; last run {found.last_run[0]} ({found.last_run[1]})" if found.last_run else ""
            print(
                f"{path}: ok (integrity_check): {found.articles} articles, {found.runs} runs{last}",
                file=out,
            )
        else:
            print(f"{path}: DAMAGED", file=out)
            for problem in found.problems:
                print(f"  {problem}", file=out)
            print(recovery_hint(path), file=out)
        if holder is not None:
            print(f"{lock_file(state_dir, args.spider)}: last held by pid {holder}", file=out)
        return EXIT_OK if found.healthy else 1
    try:
        lock = acquire_run_lock(lock_file(state_dir, args.spider), args.spider)
    except RunLockBusy as exc:
        print(f"newscrawl state: {exc}; try again when it has finished", file=err)
        return EXIT_LOCKED
    except RunLockError as exc:
        print(f"newscrawl state: {exc}", file=err)
        return 1
    try:
        if args.action == "repair":
            return _repair(path, out)
        return _rebuild(path, args, settings, out, err)
    except StateToolError as exc:
        print(f"newscrawl state {args.action}: {exc}", file=err)
        return 1
    finally:
        lock.close()


def _repair(path: Path, out: TextIO) -> int:
    from newscrawl.runs.staterepair import repair_state

    result = repair_state(path)
    print(f"{path}: damaged ({'; '.join(result.problems)})", file=out)
    print(
        f"{path}: repaired: {result.articles} articles and {result.runs} runs salvaged; "
        f"the damaged file is kept as {result.backup}",
        file=out,
    )
    print(
        "Articles that were not salvaged are exported again by the next run; "
        "`newscrawl state rebuild` restores every article the feeds hold instead.",
        file=out,
    )
    return EXIT_OK


def _rebuild(path: Path, args: argparse.Namespace, settings: Any, out: TextIO, err: TextIO) -> int:
    from newscrawl.runs.staterepair import StateToolError, data_files, rebuild_state

    sources = [Path(p) for p in args.sources] or feed_directories(settings, args.spider)
    if not data_files(sources):
        raise StateToolError(
            f"no data file (*.jsonl) in {', '.join(map(str, sources))}; name the feeds "
            "with --from FILE_OR_DIRECTORY"
        )
    result = rebuild_state(path, args.spider, sources)
    print(
        f"{path}: rebuilt from {len(result.files)} data files ({result.lines} lines): "
        f"{result.articles} articles at their latest version "
        f"({result.older_versions} older lines passed over, "
        f"{result.other_sites} lines of other sites left out)",
        file=out,
    )
    if result.backup is not None:
        print(f"{path}: the previous file is kept as {result.backup}", file=out)
    for problem in result.unreadable[:10]:
        print(f"newscrawl state rebuild: unreadable line: {problem}", file=err)
    if result.unreadable:
        print(
            f"newscrawl state rebuild: {len(result.unreadable)} unreadable lines: their "
            "articles are not known and the next run exports them again",
            file=err,
        )
        return 1
    return EXIT_OK


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


def manifest_merge_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Merge the manifests of the workers of one shared run; exit 2 for unusable inputs."""
    from newscrawl.atomic import write_atomic
    from newscrawl.distributed.manifests import ManifestMergeError, merge_manifest_files

    try:
        merged = merge_manifest_files([Path(p) for p in args.manifests])
    except ManifestMergeError as exc:
        print(f"newscrawl manifest merge: {exc}", file=err)
        return EXIT_INPUT_ERROR
    text = json.dumps(merged, ensure_ascii=False, indent=1) + "\n"
    if args.output:
        write_atomic(Path(args.output), text)
    else:
        out.write(text)
    return EXIT_OK


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
    extract.add_argument(
        "--url",
        default=None,
        help="the page's URL (for its id, links and dates); without it the record's url is "
        f"{PLACEHOLDER_ORIGIN}/<absolute file path> and its warnings hold {URL_UNKNOWN}",
    )
    extract.add_argument(
        "--content-type", default=None, help="HTTP Content-Type header the page came with"
    )
    extract.add_argument(
        "--format",
        choices=["record", "eval"],
        default="record",
        help="record (default) or eval: {title, date, author, body} for eval_extract.py "
        "(body: paragraphs with captions in place)",
    )
    extract.add_argument(
        "--to-simplified", action="store_true", help="convert Traditional text to Simplified"
    )

    run = commands.add_parser(
        "run",
        help="crawl a portal like 'scrapy crawl', exit code = run health (for cron)",
        description="Run a spider with the project settings, as 'scrapy crawl' does, and exit "
        "with the run's verdict: "
        + ", ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())
        + " (README: exit codes).",
    )
    run.add_argument("spider", help="spider name (one per profile; scrapy list shows them)")
    run.add_argument("-a", dest="arg", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE")

    reparse = commands.add_parser(
        "reparse",
        help="rebuild records from WARC archives with today's extraction (no network)",
        description="Run today's extraction and normalisation over archived article "
        "responses (multi-page articles stitched again) and write one record per article. "
        "Damaged records and pages over the size limit are skipped and reported; exit 1 "
        "then, 2 for unusable inputs (with -o nothing is written then), 130 when "
        "interrupted. -o FILE is replaced only when the whole rebuild went through.",
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
        "--max-size",
        type=int,
        metavar="BYTES",
        help="skip (and report) pages whose body is or inflates to more bytes (default: the "
        "crawl's DOWNLOAD_MAXSIZE; 0: no limit)",
    )
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
        "(with examples), which ids appear in one file only and which appear twice with "
        "the same version in one file. Exit 1 when anything differs or a file holds a "
        "duplicate, 0 when identical, 2 when an input cannot be read (file and line named).",
    )
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument(
        "--ignore",
        action="append",
        metavar="FIELD",
        help="field to leave out (repeatable; default: crawled_at, parser_version, archive)",
    )

    manifest = commands.add_parser(
        "manifest", help="work with run manifests", description="Work with run manifests."
    )
    manifest_commands = manifest.add_subparsers(
        dest="manifest_command", required=True, metavar="COMMAND"
    )
    merge = manifest_commands.add_parser(
        "merge",
        help="merge the manifests of the workers of one shared (Redis) run",
        description="Merge the manifests that the workers of one shared run wrote: counts "
        "summed, field coverage weighted by exported articles, data files listed, exit code "
        "the first non-zero one. Exit 2 when a manifest is unreadable or of another run.",
    )
    merge.add_argument("manifests", nargs="+", metavar="MANIFEST")
    merge.add_argument("-o", "--output", help="write the merged manifest here (default: stdout)")

    demo = commands.add_parser(
        "demo",
        help="crawl the bundled replica portal offline and summarise the result",
        description="Start the replica portal on 127.0.0.1, run the real spider of its "
        "portal against it and write output/demo/<UTC timestamp>.jsonl.",
    )
    demo.add_argument("--output-dir", default="output", help="where demo/ is created")

    state = commands.add_parser(
        "state",
        help="check, repair or rebuild a spider's state store",
        description="check: SQLite's integrity check of <NEWSCRAWL_STATE_DIR>/SPIDER.sqlite3 "
        "(exit 0 sound or absent, 1 damaged, with what is wrong). repair: a new store with "
        "every row SQLite can still read. rebuild: a new store from the data files already "
        "exported (the *.jsonl files in the spider's feed directories, output/SPIDER by "
        "default, or --from): per article id the line with the highest version, then the "
        "latest updated_at/crawled_at. repair and rebuild hold the run lock (exit 75 while a "
        "run holds it) and keep the old file as SPIDER.sqlite3.backup-<UTC time>.",
    )
    state.add_argument("action", choices=["check", "repair", "rebuild"])
    state.add_argument("spider", choices=profile_names(), metavar="SPIDER")
    state.add_argument(
        "-s",
        dest="set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting as the runs use it (NEWSCRAWL_STATE_DIR, FEEDS …)",
    )
    state.add_argument(
        "--from",
        dest="sources",
        action="append",
        default=[],
        metavar="PATH",
        help="rebuild: a data file or a directory of them (repeatable; default: the feed "
        "directories of the spider)",
    )

    add_health_parser(commands)
    return parser


#: 128 + SIGPIPE: what a shell reports for a tool whose reader went away.
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a reader that went away (``| head``) ends it quietly, as for Unix tools."""
    try:
        return _dispatch(argv)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing more to say to a closed pipe
        return EXIT_BROKEN_PIPE


def _dispatch(argv: Sequence[str] | None) -> int:
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
    if args.command == "manifest":
        return manifest_merge_command(args, sys.stdout, sys.stderr)
    if args.command == "state":
        return state_command(args, sys.stdout, sys.stderr)
    return demo_command(args, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
