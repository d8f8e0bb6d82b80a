"""Build the exported article record (docs/record.md) from extracted pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newscrawl import PARSER_VERSION, SCHEMA_VERSION
from newscrawl.extraction.fields import PageFields
from newscrawl.normalise.dates import PublishedDate, resolve_published
from newscrawl.normalise.people import (
    byline_authors,
    outlet_in_author_field,
    parse_authors,
    parse_credits,
)
from newscrawl.normalise.script import detect_language, to_simplified
from newscrawl.normalise.text import clean_text, has_mojibake, strip_pinyin_glosses
from newscrawl.sites.profile import SiteProfile
from newscrawl.urls import TRACKING_PARAMS, canonical_url

SHORT_BODY_CHARS = 100
_BYLINE_SCAN = 3
_LANGUAGE_SAMPLE_PARAGRAPHS = 20
_MAX_CHANNEL_CHARS = 10
#: Extraction warnings that already say the author is a person named in another role.
_GUESSED_AUTHOR = frozenset({"author_from_credits", "author_from_source"})

#: Separators tried, in order, between a ``<title>`` and its site suffix when the
#: profile does not name its own (``标题_栏目_站名``, ``标题-站名``, ``标题 | 站名``).
DEFAULT_TITLE_SEPARATORS = ("_", "-", "|", "｜")


@dataclass(frozen=True)
class RecordOptions:
    """Choices that change record content; build them with :meth:`for_profile`."""

    to_simplified: bool = False
    """Convert Traditional text to Simplified (``NEWSCRAWL_TO_SIMPLIFIED``)."""
    title_suffixes: tuple[str, ...] = ()
    """Site names stripped from the end of the title."""
    title_separators: tuple[str, ...] = DEFAULT_TITLE_SEPARATORS
    """Separators that may stand before a title suffix."""
    portal_names: tuple[str, ...] = ()
    """Names the portal goes by (display name, title suffixes)."""
    now: dt.datetime | None = None
    """Reference time for the future-date check (default: the current time)."""
    keep_query: tuple[str, ...] | None = None
    """Query parameters that name an article (the profile's ``urls.keep_query``)."""
    tracking_params: tuple[str, ...] = TRACKING_PARAMS
    """Query parameters left out of the record's URL and id (``NEWSCRAWL_TRACKING_PARAMS``)."""

    @classmethod
    def for_profile(
        cls,
        profile: SiteProfile | None,
        *,
        to_simplified: bool = False,
        now: dt.datetime | None = None,
        tracking_params: Sequence[str] | None = None,
    ) -> RecordOptions:
        """The options for records of ``profile``'s portal (None: no portal profile)."""
        tracking = TRACKING_PARAMS if tracking_params is None else tuple(tracking_params)
        if profile is None:
            return cls(to_simplified=to_simplified, now=now, tracking_params=tracking)
        separator = profile.title_separator
        separators = (separator,) if separator else DEFAULT_TITLE_SEPARATORS
        names = (profile.display_name, *profile.title_suffixes)
        return cls(
            to_simplified=to_simplified,
            title_suffixes=tuple(profile.title_suffixes),
            title_separators=separators,
            portal_names=tuple(dict.fromkeys(name for name in names if name)),
            now=now,
            keep_query=profile.keep_query,
            tracking_params=tracking,
        )

    def canonical_url(self, url: str) -> str:
        """The article URL records and the state store use (:mod:`newscrawl.urls`)."""
        return canonical_url(url, keep_query=self.keep_query, drop_query=self.tracking_params)


def record_id(site: str, url: str) -> str:
    """Stable id: site name + hash of host (without port or scheme), path and query.

    ``url`` is put in canonical form (:func:`newscrawl.urls.canonical_url`) without
    dropping any query parameter: records pass their URL already freed of tracking ones.
    """
    parts = urlsplit(canonical_url(url, drop_query=()))
    key = f"{parts.hostname or ''}{parts.path}{'?' + parts.query if parts.query else ''}"
    return f"{site}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}"


def content_hash(title: str, body: str) -> str:
    """sha256 hex of title + body."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def clean(text: str | None) -> str:
    """Text hygiene plus mirror pinyin-gloss removal for one value."""
    return clean_text(strip_pinyin_glosses(text)) if text else ""


def strip_title_suffix(
    title: str, suffixes: Sequence[str], separators: Sequence[str] = DEFAULT_TITLE_SEPARATORS
) -> str:
    """``标题_栏目_站名`` → ``标题`` when the last segment is one of the site names."""
    for sep in separators:
        segments = [s.strip() for s in title.split(sep)]
        if len(segments) > 1 and segments[-1] in suffixes and segments[0]:
            return segments[0]
    return title


def _paragraphs_and_images(pages: Sequence[PageFields]) -> tuple[list[str], list[dict]]:
    paragraphs: list[str] = []
    images: list[dict[str, Any]] = []
    for page in pages:
        kept_before: list[int] = []
        for raw in page.paragraphs:
            kept_before.append(len(paragraphs))
            text = clean(raw)
            if text:
                paragraphs.append(text)
        offset = len(paragraphs)
        for image in page.images:
            position = kept_before[image.position] if image.position < len(kept_before) else offset
            caption = clean(image.caption) or None
            images.append({"url": image.url, "caption": caption, "position": position})
    return paragraphs, images


#: A bracket opening a lead paragraph, possibly after its dateline:
#: ``（记者 于喆）…``, ``某某网3月26日讯（记者 于喆）…``, ``新华社济南5月2日电（记者 X）``.
_LEADING_BRACKET = re.compile(
    r"^(?:[^（(【\[。，,]{0,30}?(?:讯|电|消息|报道))?\s*([（(【\[][^（()）【】\[\]]{2,40}[）)】\]])"
)


def _leading_bracket(paragraph: str) -> str:
    """The byline bracket at the start of a lead paragraph (after its dateline), else ''."""
    match = _LEADING_BRACKET.match(paragraph)
    return match.group(1) if match else ""


@dataclass
class _People:
    authors: list[str]
    source: str | None
    authors_from: str | None
    """Where the authors were read: the page's author field (its origin) or ``byline``."""
    source_from: str | None
    """Where the source was read: the page's 来源 (its origin) or ``author_field``."""


def _people(first: PageFields, paragraphs: list[str]) -> _People:
    origins = first.provenance
    source = clean(first.source) or None
    source_from = origins.get("source") if source else None
    author_text = clean(first.author) or None
    authors = parse_authors(author_text)
    authors_from = origins.get("author") if authors else None
    outlet = outlet_in_author_field(author_text)
    if outlet and not source:
        source, source_from = outlet, "author_field"
    if not authors:
        for paragraph in paragraphs[:_BYLINE_SCAN] + paragraphs[-1:]:
            authors = byline_authors(paragraph) or byline_authors(_leading_bracket(paragraph))
            if authors:
                authors_from = "byline"
                break
    return _People(authors, source, authors_from, source_from)


@dataclass
class _Text:
    """The record's text fields, normalised."""

    title: str
    paragraphs: list[str]
    images: list[dict[str, Any]]
    authors: list[str]
    source: str | None
    credits: list[dict[str, str]]
    breadcrumb: list[str]
    language: str
    authors_from: str | None = None
    source_from: str | None = None


def _extraction_warnings(pages: Sequence[PageFields]) -> list[str]:
    """Warnings of the pages' extraction, and mojibake in their raw text."""
    warnings = [w for page in pages for w in page.warnings]
    raw_text = (pages[0].title or "") + "".join(p for page in pages for p in page.paragraphs)
    if has_mojibake(raw_text):
        warnings.append("mojibake")
    return warnings


def _normalised_text(pages: Sequence[PageFields], options: RecordOptions) -> _Text:
    first = pages[0]
    title = strip_title_suffix(clean(first.title), options.title_suffixes, options.title_separators)
    paragraphs, images = _paragraphs_and_images(pages)
    people = _people(first, paragraphs)
    return _Text(
        title=title,
        paragraphs=paragraphs,
        images=images,
        authors=people.authors,
        source=people.source,
        credits=parse_credits([line for page in pages for line in page.credit_lines]),
        breadcrumb=[c for c in (clean(item) for item in first.breadcrumb) if c],
        language=detect_language(title + "".join(paragraphs[:_LANGUAGE_SAMPLE_PARAGRAPHS])),
        authors_from=people.authors_from,
        source_from=people.source_from,
    )


def _in_simplified(text: _Text) -> _Text:
    """The text fields converted from Traditional to Simplified characters."""
    images = [
        {**image, "caption": to_simplified(image["caption"]) if image["caption"] else None}
        for image in text.images
    ]
    credits = [{**credit, "name": to_simplified(credit["name"])} for credit in text.credits]
    return _Text(
        title=to_simplified(text.title),
        paragraphs=[to_simplified(p) for p in text.paragraphs],
        images=images,
        authors=[to_simplified(a) for a in text.authors],
        source=to_simplified(text.source) if text.source else None,
        credits=credits,
        breadcrumb=[to_simplified(b) for b in text.breadcrumb],
        language="zh-Hans",
        authors_from=text.authors_from,
        source_from=text.source_from,
    )


def _cross_checks(text: _Text, options: RecordOptions, guessed_author: bool) -> list[str]:
    """Values that contradict each other, flagged.

    An author who is the 来源 outlet, a person in the credits or the portal itself
    is flagged (``author_is_source`` / ``_editor`` / ``_portal``) and, when a
    profile read it from the page's author field or byline, not exported as an
    author. The generic extractor's authors are kept, flagged: on small sites the
    editor often is the writer, and its guesses already say so
    (``author_from_credits``, ``author_from_source``). A title that is the
    portal's name or one of its channel names is kept but flagged.
    """
    warnings: list[str] = []
    editors = {credit["name"] for credit in text.credits}
    portal = set(options.portal_names)
    kept = []
    for author in text.authors:
        if text.source and author == text.source:
            conflict = "author_is_source"
        elif author in editors:
            conflict = "author_is_editor"
        elif author in portal:
            conflict = "author_is_portal"
        else:
            kept.append(author)
            continue
        if not guessed_author:
            warnings.append(conflict)
        if text.authors_from == "generic":
            kept.append(author)
    if len(kept) != len(text.authors):
        text.authors = kept
        if not kept:
            text.authors_from = None
    if text.title and text.title in portal:
        warnings.append("title_is_portal")
    elif len(text.title) <= _MAX_CHANNEL_CHARS and text.title in text.breadcrumb[1:]:
        # A breadcrumb may end with the article's own (long) headline; a channel name is short.
        warnings.append("title_is_channel")
    return warnings


def _quality_warnings(text: _Text, body: str, missing_pages: int) -> list[str]:
    warnings = []
    if not text.title:
        warnings.append("no_title")
    if not text.authors:
        warnings.append("no_author")
    if not text.source:
        warnings.append("no_source")
    if len(body) < SHORT_BODY_CHARS:
        warnings.append("short_body")
    if missing_pages:
        warnings.append("missing_pages")
    return warnings


def _provenance(first: PageFields, text: _Text, published: PublishedDate) -> dict[str, str]:
    """Where each core value of the record came from (docs/record.md, "Provenance")."""
    origins = first.provenance
    date_from = None
    if published.date is not None:
        date_from = origins.get("date") if published.raw is not None else "url"
    found = {
        "title": origins.get("title") if text.title else None,
        "published_date": date_from,
        "source": text.source_from if text.source else None,
        "authors": text.authors_from if text.authors else None,
        "body": origins.get("body") if text.paragraphs else None,
    }
    return {name: origin for name, origin in found.items() if origin}


def build_record(
    pages: Sequence[PageFields],
    *,
    site: str,
    crawled_at: str,
    options: RecordOptions | None = None,
    archive: dict[str, str] | None = None,
    missing_pages: int = 0,
) -> dict[str, Any]:
    """The article record for an article's pages (first page first).

    ``missing_pages``: pages the article names that could not be fetched.
    Stages: extraction warnings, normalised text, optional conversion to
    Simplified, the publication date, quality warnings.
    """
    if not pages:
        raise ValueError("an article record needs at least one page")
    options = options or RecordOptions()
    first = pages[0]
    warnings = _extraction_warnings(pages)
    text = _normalised_text(pages, options)
    if options.to_simplified and text.language == "zh-Hant":
        text = _in_simplified(text)
        warnings.append("converted_to_simplified")
    published = resolve_published(clean(first.published_raw) or None, first.url, now=options.now)
    warnings += published.warnings
    body = "\n".join(text.paragraphs)
    warnings += _cross_checks(text, options, bool(_GUESSED_AUTHOR.intersection(warnings)))
    warnings += _quality_warnings(text, body, missing_pages)
    url = options.canonical_url(first.url)
    return {
        "schema_version": SCHEMA_VERSION,
        "id": record_id(site, url),
        "site": site,
        "url": url,
        "title": text.title,
        "published_date": published.date,
        "published_at": published.at,
        "published_raw": published.raw,
        "source": text.source,
        "authors": text.authors,
        "credits": text.credits,
        "breadcrumb": text.breadcrumb,
        "paragraphs": text.paragraphs,
        "images": text.images,
        "body": body,
        "page_count": len(pages),
        "language": text.language,
        "content_hash": content_hash(text.title, body),
        "crawled_at": crawled_at,
        "parser_version": PARSER_VERSION,
        "warnings": list(dict.fromkeys(warnings)),
        "archive": archive,
        "encoding": first.encoding,
        "provenance": _provenance(first, text, published),
        "version": 1,
        "updated_at": None,
    }
