"""Build the exported article record (docs/record.md) from extracted pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newscrawl import PARSER_VERSION, SCHEMA_VERSION
from newscrawl.extraction.fields import PageFields
from newscrawl.normalise.dates import resolve_published
from newscrawl.normalise.people import (
    byline_authors,
    outlet_in_author_field,
    parse_authors,
    parse_credits,
)
from newscrawl.normalise.script import detect_language, to_simplified
from newscrawl.normalise.text import clean_text, has_mojibake, strip_pinyin_glosses

SHORT_BODY_CHARS = 100
_BYLINE_SCAN = 3
_TITLE_SEPARATORS = ("_", "-", "|", "｜")


@dataclass(frozen=True)
class RecordOptions:
    """Choices that change record content (set from NEWSCRAWL_* settings)."""

    to_simplified: bool = False
    title_suffixes: tuple[str, ...] = ()
    now: dt.datetime | None = None
    """Reference time for the future-date check (default: the current time)."""


def canonical_url(url: str) -> str:
    """The URL with a lower-case scheme and host, and no fragment."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def record_id(site: str, url: str) -> str:
    """Stable id: site name + hash of host (without port or scheme), path and query."""
    parts = urlsplit(canonical_url(url))
    key = f"{parts.hostname or ''}{parts.path}{'?' + parts.query if parts.query else ''}"
    return f"{site}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}"


def content_hash(title: str, body: str) -> str:
    """sha256 hex of title + body."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def clean(text: str | None) -> str:
    """Text hygiene plus mirror pinyin-gloss removal for one value."""
    return clean_text(strip_pinyin_glosses(text)) if text else ""


def strip_title_suffix(title: str, suffixes: Sequence[str]) -> str:
    """``标题_栏目_大众网`` → ``标题`` when the last segment is one of the site names."""
    for sep in _TITLE_SEPARATORS:
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
#: ``（记者 于喆）…``, ``中国山东网3月26日讯（记者 于喆）…``, ``新华社济南5月2日电（记者 X）``.
_LEADING_BRACKET = re.compile(
    r"^(?:[^（(【\[。，,]{0,30}?(?:讯|电|消息|报道))?\s*([（(【\[][^（()）【】\[\]]{2,40}[）)】\]])"
)


def _leading_bracket(paragraph: str) -> str:
    """The byline bracket at the start of a lead paragraph (after its dateline), else ''."""
    match = _LEADING_BRACKET.match(paragraph)
    return match.group(1) if match else ""


def _authors_and_source(first: PageFields, paragraphs: list[str]) -> tuple[list[str], str | None]:
    source = clean(first.source) or None
    author_text = clean(first.author) or None
    authors = parse_authors(author_text)
    outlet = outlet_in_author_field(author_text)
    if outlet and not source:
        source = outlet
    if not authors:
        for paragraph in paragraphs[:_BYLINE_SCAN] + paragraphs[-1:]:
            authors = byline_authors(paragraph) or byline_authors(_leading_bracket(paragraph))
            if authors:
                break
    return authors, source


def build_record(
    pages: Sequence[PageFields],
    *,
    site: str,
    crawled_at: str,
    options: RecordOptions | None = None,
    archive: dict[str, str] | None = None,
    expected_pages: int | None = None,
) -> dict[str, Any]:
    """The article record for an article's pages (first page first)."""
    if not pages:
        raise ValueError("an article record needs at least one page")
    options = options or RecordOptions()
    first = pages[0]
    warnings = [w for page in pages for w in page.warnings]

    raw_text = (first.title or "") + "".join(p for page in pages for p in page.paragraphs)
    if has_mojibake(raw_text):
        warnings.append("mojibake")

    title = strip_title_suffix(clean(first.title), options.title_suffixes)
    paragraphs, images = _paragraphs_and_images(pages)
    authors, source = _authors_and_source(first, paragraphs)
    credits = parse_credits([line for page in pages for line in page.credit_lines])
    breadcrumb = [c for c in (clean(item) for item in first.breadcrumb) if c]

    language = detect_language(title + "".join(paragraphs[:20]))
    if options.to_simplified and language == "zh-Hant":
        title = to_simplified(title)
        paragraphs = [to_simplified(p) for p in paragraphs]
        for image in images:
            image["caption"] = to_simplified(image["caption"]) if image["caption"] else None
        authors = [to_simplified(a) for a in authors]
        source = to_simplified(source) if source else None
        breadcrumb = [to_simplified(b) for b in breadcrumb]
        for credit in credits:
            credit["name"] = to_simplified(credit["name"])
        language = "zh-Hans"
        warnings.append("converted_to_simplified")

    published = resolve_published(clean(first.published_raw) or None, first.url, now=options.now)
    warnings += published.warnings
    body = "\n".join(paragraphs)
    if not title:
        warnings.append("no_title")
    if not authors:
        warnings.append("no_author")
    if len(body) < SHORT_BODY_CHARS:
        warnings.append("short_body")
    if expected_pages is not None and expected_pages > len(pages):
        warnings.append("missing_pages")

    return {
        "schema_version": SCHEMA_VERSION,
        "id": record_id(site, first.url),
        "site": site,
        "url": first.url,
        "title": title,
        "published_date": published.date,
        "published_at": published.at,
        "published_raw": published.raw,
        "source": source,
        "authors": authors,
        "credits": credits,
        "breadcrumb": breadcrumb,
        "paragraphs": paragraphs,
        "images": images,
        "body": body,
        "page_count": len(pages),
        "language": language,
        "content_hash": content_hash(title, body),
        "crawled_at": crawled_at,
        "parser_version": PARSER_VERSION,
        "warnings": list(dict.fromkeys(warnings)),
        "archive": archive,
        "encoding": first.encoding,
        "version": 1,
        "updated_at": None,
    }
