"""Rebuild records from archived responses with today's extraction (no network, no engine)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.archive.warc import ArchiveReadLog, archive_info, iter_archive, read_response_at
from newscrawl.assemble import ArticleAssembly
from newscrawl.extraction import extract_page
from newscrawl.record import RecordOptions
from newscrawl.sites import all_profiles
from newscrawl.sites.profile import SiteProfile


@dataclass
class ReparseReport:
    """What a re-extraction met: archives it could not use, damage, failed records."""

    records: int = 0
    archives: int = 0
    unusable: list[str] = field(default_factory=list)
    """Inputs not read at all (not a WARC, unreadable, another spider's), with the reason."""
    damaged: list[str] = field(default_factory=list)
    """Damage met inside archives that were otherwise read."""
    failed: list[str] = field(default_factory=list)
    """Records whose extraction failed."""
    missing_pages: int = 0


@dataclass(frozen=True)
class _Capture:
    path: Path
    offset: int


def _site_of(path: Path, site: str | None, report: ReparseReport) -> SiteProfile | None:
    info = archive_info(path)
    if info is None:
        report.unusable.append(f"{path}: not a WARC file")
        return None
    spider = info.get("spider")
    if site is not None and spider and spider != site:
        report.unusable.append(f"{path}: written by spider {spider!r}, not {site!r}")
        return None
    name = site or spider
    if not name:
        report.unusable.append(f"{path}: no warcinfo names its spider; give --site")
        return None
    profile = all_profiles().get(name)
    if profile is None:
        report.unusable.append(f"{path}: unknown site {name!r}")
    return profile


def _index(
    paths: Sequence[Path], site: str | None, report: ReparseReport
) -> tuple[dict[str, _Capture], list[tuple[str, SiteProfile]]]:
    """URL → newest capture, and the article first pages in archive order."""
    captures: dict[str, _Capture] = {}
    first_pages: list[tuple[str, SiteProfile]] = []
    for path in paths:
        if not path.is_file():
            report.unusable.append(f"{path}: no such file")
            continue
        profile = _site_of(path, site, report)
        if profile is None:
            continue
        log = ArchiveReadLog()
        for entry in iter_archive(path, log):
            headers = entry.record.rec_headers
            if headers.get_header("WARC-Type") != "response":
                continue
            url = headers.get_header("WARC-Target-URI")
            if url not in captures and profile.is_article_url(url):
                first_pages.append((url, profile))
            captures[url] = _Capture(path, entry.offset)
        if log.not_warc:
            report.unusable += [f"{p.path}: {p.message}" for p in log.problems]
            continue
        report.archives += 1
        report.damaged += [f"{p.path} at byte {p.offset}: {p.message}" for p in log.problems]
    return captures, first_pages


def reparse_archives(
    paths: Sequence[Path],
    *,
    site: str | None = None,
    to_simplified: bool = False,
    report: ReparseReport | None = None,
    profiles: dict[str, SiteProfile] | None = None,
) -> Iterator[dict[str, Any]]:
    """Records of every archived article (multi-page ones stitched), in archive order.

    Each record is built with its profile's options (title suffixes …), plus
    ``to_simplified``. ``profiles`` replaces the registered profile of the same
    name (to try a changed extractor on old captures).
    """
    report = report if report is not None else ReparseReport()
    captures, first_pages = _index(paths, site, report)
    for url, profile in first_pages:
        profile = (profiles or {}).get(profile.name, profile)
        options = RecordOptions.for_profile(profile, to_simplified=to_simplified)
        try:
            record = _rebuild(url, profile, captures, options, report)
        except Exception as exc:  # one bad capture must not stop the rebuild
            report.failed.append(f"{url}: {type(exc).__name__}: {exc}")
            continue
        report.records += 1
        yield record


def _rebuild(
    url: str,
    profile: SiteProfile,
    captures: dict[str, _Capture],
    options: RecordOptions,
    report: ReparseReport,
) -> dict[str, Any]:
    first = read_response_at(captures[url].path, captures[url].offset)
    assembly = ArticleAssembly(
        extract_page(url, first.body(), first.header("Content-Type"), profile.selectors),
        site=profile.name,
        crawled_at=first.date,
        archive={"file": first.file, "record_id": first.record_id},
    )
    next_url = assembly.next_url
    while next_url is not None:
        capture = captures.get(next_url)
        if capture is None:
            report.missing_pages += 1
            assembly.page_missing()
            break
        stored = read_response_at(capture.path, capture.offset)
        next_url = assembly.add_page(
            extract_page(next_url, stored.body(), stored.header("Content-Type"), profile.selectors)
        )
    return assembly.record(options)
