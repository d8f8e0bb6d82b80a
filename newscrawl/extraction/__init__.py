"""Extraction: (url, raw bytes, headers) in, raw page fields out; no Scrapy needed.

:func:`extract_page` is the one path used by the spiders, ``newscrawl extract``
and re-extraction: decode the bytes as a response would be decoded, then read
the page with the portal's selectors, or with the generic extractor when no
profile is given.
"""

from __future__ import annotations

from newscrawl.encoding import decode_html
from newscrawl.extraction.fields import ImageRef, PageFields
from newscrawl.extraction.page import ArticlePage, PageSelectors
from newscrawl.sites.profile import SiteProfile


def extract_page(
    url: str, body: bytes, content_type: str | None = None, profile: SiteProfile | None = None
) -> PageFields:
    """Raw fields of one article page given its bytes and Content-Type header."""
    decoded = decode_html(body, content_type)
    if profile is not None and not profile.generic:
        fields = ArticlePage(url, decoded.text, profile.selectors, profile.name).to_fields()
    else:
        from newscrawl.extraction.generic import extract_generic
        from newscrawl.extraction.html import parse_html

        fields = extract_generic(parse_html(decoded.text), url)
    fields.encoding = decoded.encoding
    fields.warnings = decoded.warnings + fields.warnings
    return fields


__all__ = ["ArticlePage", "ImageRef", "PageFields", "PageSelectors", "extract_page"]
