"""Rebuild records from archived responses with today's extraction (no network, no engine).

Two steps, either in this process or spread over worker processes (``jobs``): every
archive is read once to index its records (and find its damage), file by file; then
each article's first page is rebuilt, with its later pages, from the index. The
records come out in archive order whatever the number of workers, and at most a few
batches of them are held at a time.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from warcio.statusandheaders import StatusAndHeaders

from newscrawl.archive.lookup import ArchiveLookup
from newscrawl.archive.warc import (
    ArchiveEntry,
    ArchiveReadLog,
    BodyTooLarge,
    StoredResponse,
    archive_info,
    iter_archive,
)
from newscrawl.assemble import ArticleAssembly
from newscrawl.extraction import extract_page
from newscrawl.record import RecordOptions
from newscrawl.sites import all_profiles, get_profile, profile_for_url
from newscrawl.sites.profile import SiteProfile

AUTO = "auto"
"""Pick the profile of each record by its URL (the default when no warcinfo names a spider)."""
_HTML_TYPES = ("text/html", "application/xhtml+xml")

ProfileChooser = Callable[[str], SiteProfile | None]


@dataclass
class ReparseReport:
    """What a re-extraction met: archives it could not use, damage, failed records."""

    records: int = 0
    archives: int = 0
    unusable: list[str] = field(default_factory=list)
    """Inputs not read at all (not a WARC, empty, unreadable, another spider's), with the reason."""
    damaged: list[str] = field(default_factory=list)
    """Damage met inside archives that were otherwise read."""
    failed: list[str] = field(default_factory=list)
    """Records whose extraction failed (or whose revisit has no payload in the archives)."""
    missing_pages: int = 0
    skipped: int = 0
    """Archived URLs that are not articles (other pages, statuses other than 200, not HTML)."""
    truncated: int = 0
    """Pages read from captures the archiving tool marked truncated (WARC-Truncated)."""
    too_large: list[str] = field(default_factory=list)
    """Pages skipped because their body is (or inflates to) more than the size limit."""


def profile_by_url(url: str) -> SiteProfile | None:
    """The profile for an archived URL: the one whose domains own it, else the generic one.

    None when the URL is not an article of that profile (a list page, a script …).
    """
    profile = profile_for_url(url) or get_profile("generic")
    return profile if profile.is_article_url(url) else None


_T = TypeVar("_T")
_R = TypeVar("_R")

#: Articles rebuilt per batch handed to a worker process.
BATCH_ARTICLES = 32
#: Record header fields the index keeps (all that finding and resolving captures reads).
_INDEX_FIELDS = frozenset(
    name.lower()
    for name in (
        "WARC-Type",
        "WARC-Target-URI",
        "WARC-Record-ID",
        "WARC-Date",
        "WARC-Payload-Digest",
        "WARC-Refers-To",
        "WARC-Refers-To-Target-URI",
    )
)
_HTTP_RECORD_TYPES = ("response", "revisit")


def record_line(record: dict[str, Any]) -> str:
    """A record as one line of the JSON Lines output."""
    return json.dumps(record, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class _IndexedRecord:
    """The headers of an archived record that the index reads (its payload stays on disk)."""

    rec_headers: StatusAndHeaders
    http_headers: StatusAndHeaders | None


def _indexed(entry: ArchiveEntry) -> ArchiveEntry:
    rec = entry.record.rec_headers
    http = entry.record.http_headers
    kept = [(name, value) for name, value in rec.headers if name.lower() in _INDEX_FIELDS]
    content_type = http.get_header("Content-Type") if http is not None else None
    return ArchiveEntry(
        entry.path,
        entry.offset,
        _IndexedRecord(  # type: ignore[arg-type]
            StatusAndHeaders(rec.statusline, kept, protocol=rec.protocol),
            None
            if http is None
            else StatusAndHeaders(
                http.statusline,
                [("Content-Type", content_type)] if content_type is not None else [],
                protocol=http.protocol,
            ),
        ),
    )


@dataclass
class ArchiveIndex:
    """One read of one archive: its warcinfo, its HTTP records' headers, the damage met."""

    path: Path
    unusable: str | None = None
    """Why the archive cannot be read at all (no file, empty, not a WARC)."""
    info: dict[str, str] = field(default_factory=dict)
    entries: list[ArchiveEntry] = field(default_factory=list)
    log: ArchiveReadLog = field(default_factory=ArchiveReadLog)


def read_index(path: Path) -> ArchiveIndex:
    """Read an archive once, keeping the headers of its response and revisit records."""
    index = ArchiveIndex(path)
    if not path.is_file():
        index.unusable = f"{path}: no such file"
        return index
    if path.stat().st_size == 0:
        index.unusable = f"{path}: empty file"
        return index
    info = archive_info(path)
    if info is None:
        index.unusable = f"{path}: not a WARC file"
        return index
    index.info = info
    for entry in iter_archive(path, index.log):
        if entry.record.rec_headers.get_header("WARC-Type") in _HTTP_RECORD_TYPES:
            index.entries.append(_indexed(entry))
    return index


def _chooser(
    path: Path, info: dict[str, str], site: str | None, report: ReparseReport
) -> ProfileChooser | None:
    """How to pick the profile of each record of an archive; None if the archive is unusable."""
    spider = info.get("spider")
    if site == AUTO or (site is None and not spider):
        return profile_by_url
    if site is not None and spider and spider != site:
        report.unusable.append(f"{path}: written by spider {spider!r}, not {site!r}")
        return None
    name = site or spider
    profile = all_profiles().get(name)
    if profile is None:
        report.unusable.append(f"{path}: unknown site {name!r}")
        return None
    return lambda url: profile if profile.is_article_url(url) else None


def _is_page(entry: ArchiveEntry) -> bool:
    """True for a 200 response (or revisit) whose payload is HTML (or untyped)."""
    http = entry.record.http_headers
    if http is None or http.get_statuscode() != "200":
        return False
    content_type = (http.get_header("Content-Type") or "").strip().lower()
    return not content_type or content_type.startswith(_HTML_TYPES)


@dataclass
class _Index:
    """Every archived response by URL, and the article first pages in archive order."""

    site: str | None
    lookup: ArchiveLookup = field(default_factory=ArchiveLookup)
    first_pages: list[tuple[str, SiteProfile, int]] = field(default_factory=list)
    """(URL, profile, position of its archive among the inputs)."""
    seen: set[str] = field(default_factory=set)

    def add(self, index: ArchiveIndex, position: int, report: ReparseReport) -> None:
        """Take one archive's index, in input order."""
        if index.unusable is not None:
            report.unusable.append(index.unusable)
            return
        choose = _chooser(index.path, index.info, self.site, report)
        if choose is None:
            return
        for entry in index.entries:
            capture = self.lookup.add(entry)
            if capture is None or capture.url in self.seen:
                continue
            self.seen.add(capture.url)
            profile = choose(capture.url)
            if profile is not None and _is_page(entry):
                self.first_pages.append((capture.url, profile, position))
            else:
                report.skipped += 1
        log = index.log
        if log.not_warc:
            report.unusable += [f"{p.path}: {p.message}" for p in log.problems]
            return
        report.archives += 1
        report.damaged += [f"{p.path} at byte {p.offset}: {p.message}" for p in log.problems]


@dataclass
class ReparseProgress:
    """How far a re-extraction is, for a progress line."""

    files: int = 0
    files_read: int = 0
    """Archives indexed."""
    articles: int = 0
    """Article first pages found (known once every archive is indexed)."""
    articles_done: int = 0
    files_done: int = 0
    """Archives whose articles have all been rebuilt."""
    started: float = field(default_factory=time.monotonic)


def _read(lookup: ArchiveLookup, url: str, report: ReparseReport) -> StoredResponse | None:
    """The archived response of ``url`` (revisits resolved), counting truncated captures."""
    stored = lookup.read(url)
    if stored is not None and stored.truncated:
        report.truncated += 1
    return stored


def _in_order(
    executor: Executor | None,
    function: Callable[[_T], _R],
    items: Iterable[_T],
    window: int,
) -> Iterator[_R]:
    """``function`` over the items, results in item order; on the executor at most
    ``window`` items at a time (so that finished results never pile up), else here."""
    if executor is None:
        yield from map(function, items)
        return
    pending: deque[Future[_R]] = deque()
    for item in items:
        pending.append(executor.submit(function, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass
class _Rebuilder:
    """Rebuilds batches of articles from an index (in this process or in a worker)."""

    lookup: ArchiveLookup
    to_simplified: bool
    profiles: dict[str, SiteProfile]
    encode: Callable[[dict[str, Any]], Any]
    max_size: int | None = None

    def batch(self, articles: list[tuple[str, str]]) -> tuple[list[Any], ReparseReport]:
        """The encoded records of (URL, profile name) pairs, and what rebuilding them met."""
        report = ReparseReport()
        out = []
        for url, name in articles:
            profile = self.profiles.get(name) or all_profiles()[name]
            options = RecordOptions.for_profile(profile, to_simplified=self.to_simplified)
            try:
                record = _rebuild(url, profile, self.lookup, options, report, self.max_size)
            except BodyTooLarge as exc:
                report.too_large.append(f"{url}: {exc}")
                continue
            except Exception as exc:  # one bad capture must not stop the rebuild
                report.failed.append(f"{url}: {type(exc).__name__}: {exc}")
                continue
            report.records += 1
            out.append(self.encode(record))
        return out, report


_WORKER: _Rebuilder | None = None


def _start_worker(rebuilder: _Rebuilder) -> None:
    global _WORKER
    _WORKER = rebuilder


def _worker_batch(articles: list[tuple[str, str]]) -> tuple[list[Any], ReparseReport]:
    assert _WORKER is not None
    return _WORKER.batch(articles)


def _pool(jobs: int, **kwargs: Any) -> ProcessPoolExecutor | None:
    if jobs <= 1:
        return None
    import multiprocessing

    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), **kwargs)


def _batches(first_pages: list[tuple[str, SiteProfile, int]]) -> Iterator[list[tuple[str, str]]]:
    for start in range(0, len(first_pages), BATCH_ARTICLES):
        chunk = first_pages[start : start + BATCH_ARTICLES]
        yield [(url, profile.name) for url, profile, _ in chunk]


def rebuild(
    paths: Sequence[Path],
    *,
    site: str | None = None,
    to_simplified: bool = False,
    report: ReparseReport | None = None,
    profiles: dict[str, SiteProfile] | None = None,
    max_size: int | None = None,
    jobs: int = 1,
    encode: Callable[[dict[str, Any]], _R],
    progress: Callable[[ReparseProgress], None] | None = None,
) -> Iterator[_R]:
    """The encoded records of every archived article, in archive order (see
    :func:`reparse_archives`), with ``jobs`` worker processes (1: none)."""
    if jobs > 1 and profiles:
        raise ValueError("replacement profiles cannot be sent to worker processes; use jobs=1")
    report = report if report is not None else ReparseReport()
    state = ReparseProgress(files=len(paths))
    index = _Index(site)
    readers = _pool(min(jobs, len(paths)))
    try:
        for position, found in enumerate(_in_order(readers, read_index, paths, 2 * jobs)):
            index.add(found, position, report)
            state.files_read += 1
            if progress:
                progress(state)
    finally:
        if readers is not None:
            readers.shutdown(wait=True, cancel_futures=True)
    first_pages = index.first_pages
    state.articles = len(first_pages)
    last_article_of_file: dict[int, int] = {}
    for number, (_, _, position) in enumerate(first_pages):
        last_article_of_file[position] = number
    ends = sorted(last_article_of_file.values())
    rebuilder = _Rebuilder(index.lookup, to_simplified, profiles or {}, encode, max_size)
    workers = _pool(jobs, initializer=_start_worker, initargs=(rebuilder,))
    batch_function = _worker_batch if workers is not None else rebuilder.batch
    try:
        for outputs, found in _in_order(workers, batch_function, _batches(first_pages), 2 * jobs):
            report.records += found.records
            report.failed += found.failed
            report.missing_pages += found.missing_pages
            report.truncated += found.truncated
            report.too_large += found.too_large
            yield from outputs
            state.articles_done += found.records + len(found.failed)
            while state.files_done < len(ends) and ends[state.files_done] < state.articles_done:
                state.files_done += 1
            if progress:
                progress(state)
    finally:
        if workers is not None:
            workers.shutdown(wait=True, cancel_futures=True)
    state.files_done = state.files
    if progress:
        progress(state)


def reparse_archives(
    paths: Sequence[Path],
    *,
    site: str | None = None,
    to_simplified: bool = False,
    report: ReparseReport | None = None,
    profiles: dict[str, SiteProfile] | None = None,
    max_size: int | None = None,
    jobs: int = 1,
) -> Iterator[dict[str, Any]]:
    """Records of every archived article (multi-page ones stitched), in archive order.

    Each record is built with its profile's options (title suffixes …), plus
    ``to_simplified``. ``profiles`` replaces the registered profile of the same
    name (to try a changed extractor on old captures; only with ``jobs=1``). A page
    whose body is, or inflates to, more than ``max_size`` bytes is skipped and
    reported (``too_large``): a first page loses its record, a later page counts as
    missing. ``jobs`` > 1 reads and rebuilds in that many worker processes; the
    records and the report are the same as with one.
    """
    return rebuild(
        paths,
        site=site,
        to_simplified=to_simplified,
        report=report,
        profiles=profiles,
        max_size=max_size,
        jobs=jobs,
        encode=_same,
    )


def _same(record: dict[str, Any]) -> dict[str, Any]:
    return record


def _rebuild(
    url: str,
    profile: SiteProfile,
    captures: ArchiveLookup,
    options: RecordOptions,
    report: ReparseReport,
    max_size: int | None = None,
) -> dict[str, Any]:
    first = _read(captures, url, report)
    assert first is not None
    assembly = ArticleAssembly(
        extract_page(url, first.body(max_size), first.header("Content-Type"), profile.selectors),
        site=profile.name,
        crawled_at=first.date,
        archive={"file": first.file, "record_id": first.record_id},
    )
    next_url = assembly.next_url
    while next_url is not None:
        stored = _read(captures, next_url, report)
        try:
            body = stored.body(max_size) if stored is not None else None
        except BodyTooLarge as exc:
            report.too_large.append(f"{next_url}: {exc}")
            body = None
        if stored is None or body is None:
            report.missing_pages += 1
            assembly.page_missing()
            break
        next_url = assembly.add_page(
            extract_page(next_url, body, stored.header("Content-Type"), profile.selectors)
        )
    return assembly.record(options)
