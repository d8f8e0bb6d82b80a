"""Rebuild records from archived responses with today's extraction (no network, no engine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def _chooser(path: Path, site: str | None, report: ReparseReport) -> ProfileChooser | None:
    """How to pick the profile of each record of an archive; None if the archive is unusable."""
    info = archive_info(path)
    if info is None:
        report.unusable.append(f"{path}: not a WARC file")
        return None
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


def _index(
    paths: Sequence[Path], site: str | None, report: ReparseReport
) -> tuple[ArchiveLookup, list[tuple[str, SiteProfile]]]:
    """Every archived response by URL, and the article first pages in archive order."""
    lookup = ArchiveLookup()
    first_pages: list[tuple[str, SiteProfile]] = []
    seen: set[str] = set()
    for path in paths:
        if not path.is_file():
            report.unusable.append(f"{path}: no such file")
            continue
        if path.stat().st_size == 0:
            report.unusable.append(f"{path}: empty file")
            continue
        choose = _chooser(path, site, report)
        if choose is None:
            continue
        log = ArchiveReadLog()
        for entry in iter_archive(path, log):
            capture = lookup.add(entry)
            if capture is None or capture.url in seen:
                continue
            seen.add(capture.url)
            profile = choose(capture.url)
            if profile is not None and _is_page(entry):
                first_pages.append((capture.url, profile))
            else:
                report.skipped += 1
        if log.not_warc:
            report.unusable += [f"{p.path}: {p.message}" for p in log.problems]
            continue
        report.archives += 1
        report.damaged += [f"{p.path} at byte {p.offset}: {p.message}" for p in log.problems]
    return lookup, first_pages


def _read(lookup: ArchiveLookup, url: str, report: ReparseReport) -> StoredResponse | None:
    """The archived response of ``url`` (revisits resolved), counting truncated captures."""
    stored = lookup.read(url)
    if stored is not None and stored.truncated:
        report.truncated += 1
    return stored


def reparse_archives(
    paths: Sequence[Path],
    *,
    site: str | None = None,
    to_simplified: bool = False,
    report: ReparseReport | None = None,
    profiles: dict[str, SiteProfile] | None = None,
    max_size: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Records of every archived article (multi-page ones stitched), in archive order.

    Each record is built with its profile's options (title suffixes …), plus
    ``to_simplified``. ``profiles`` replaces the registered profile of the same
    name (to try a changed extractor on old captures). A page whose body is, or
    inflates to, more than ``max_size`` bytes is skipped and reported
    (``too_large``): a first page loses its record, a later page counts as missing.
    """
    report = report if report is not None else ReparseReport()
    captures, first_pages = _index(paths, site, report)
    for url, profile in first_pages:
        profile = (profiles or {}).get(profile.name, profile)
        options = RecordOptions.for_profile(profile, to_simplified=to_simplified)
        try:
            record = _rebuild(url, profile, captures, options, report, max_size)
        except BodyTooLarge as exc:
            report.too_large.append(f"{url}: {exc}")
            continue
        except Exception as exc:  # one bad capture must not stop the rebuild
            report.failed.append(f"{url}: {type(exc).__name__}: {exc}")
            continue
        report.records += 1
        yield record


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
