"""What a fetched body holds: an HTML page worth extracting, or why it is not one. No Scrapy.

An article URL may answer with an empty 200, an image, a PDF, a JSON error object
or random bytes served as ``text/html``. None of these is an article: the crawl
counts them as failed fetches (``empty_page``, ``not_html``) instead of exporting
a record of gibberish. The verdict comes from the declared Content-Type and from
the bytes themselves (magic numbers, JSON, control characters), so a lying header
is caught either way.
"""

from __future__ import annotations

import lxml.html
from lxml import etree

EMPTY_PAGE = "empty_page"
NOT_HTML = "not_html"
PARSER_LIMIT = "parser_limit"

#: Media types of HTML pages.
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Media types that say nothing useful (servers send them for anything): sniffed.
_VAGUE_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
#: Leading bytes of formats that are not HTML.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BM", "BMP image"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SAMPLE_BYTES = 64 * 1024
#: Share of control bytes (not tab, newline, form feed, carriage return) above which a
#: sample is binary: text in any charset has none; random bytes have about 12 %.
_MAX_CONTROL_SHARE = 0.01
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_MARKUP_WINDOW = 4096


def media_type(content_type: str | None) -> str:
    """``text/html; charset=gbk`` → ``text/html``; None → ``""``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _magic(body: bytes) -> str | None:
    head = body.lstrip()[:16]
    for prefix, name in _MAGIC:
        if head.startswith(prefix):
            if prefix == b"BM" and not body.startswith(b"BM"):
                continue
            return name
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "WebP image"
    if head[:1] in (b"{", b"["):
        return "JSON"
    return None


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    kept = sample.translate(None, _CONTROL_BYTES)
    return (len(sample) - len(kept)) / len(sample)


def body_problem(body: bytes, content_type: str | None) -> tuple[str, str] | None:
    """``(reason, detail)`` when ``body`` is no HTML page (:data:`EMPTY_PAGE`,
    :data:`NOT_HTML`), else None."""
    if not body.strip():
        return EMPTY_PAGE, "empty body"
    declared = media_type(content_type)
    if declared not in _HTML_TYPES and declared not in _VAGUE_TYPES:
        return NOT_HTML, f"Content-Type {declared}"
    found = _magic(body)
    if found is not None:
        return NOT_HTML, f"{found} served as {declared or 'no Content-Type'}"
    if not body.startswith(_UTF16_BOMS):
        share = _control_share(body[:_SAMPLE_BYTES])
        if share > _MAX_CONTROL_SHARE:
            return NOT_HTML, f"binary bytes ({share:.0%} control characters)"
    if declared in _VAGUE_TYPES and b"<" not in body[:_MARKUP_WINDOW]:
        return NOT_HTML, f"no markup in a {declared or 'body without Content-Type'}"
    return None


def parser_limit(text: str) -> str | None:
    """The libxml2 limit the HTML parser hit on ``text`` (and dropped the rest of the
    document or a text node for), or None. Deep nesting (256) and text nodes over
    10 MB are such limits; they keep parsing bounded (``huge_tree`` stays off)."""
    parser = lxml.html.HTMLParser()
    try:
        lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    for entry in parser.error_log:
        if entry.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            return entry.message.strip()
    return None
