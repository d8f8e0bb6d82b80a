"""Extraction: (url, raw bytes, headers) in, raw page fields out; no Scrapy needed.

:func:`extract_page` is the one path used by the spiders, ``newscrawl extract``
and re-extraction: decode the bytes as a response would be decoded, then read
the page with a portal's selectors, or with the generic extractor when none
are given.
"""

from __future__ import annotations

from newscrawl.encoding import decode_html
from newscrawl.extraction.dom import parse_html
from newscrawl.extraction.fields import ImageRef, PageFields
from newscrawl.extraction.generic import extract_generic
from newscrawl.extraction.profiled import ArticlePage
from newscrawl.extraction.selectors import PageSelectors


def extract_page(
    url: str,
    body: bytes,
    content_type: str | None = None,
    selectors: PageSelectors | None = None,
) -> PageFields:
    """Raw fields of one article page given its bytes and Content-Type header.

    ``selectors`` are a portal profile's; without them (or without body
    selectors, as for the generic profile) the generic extractor reads the page.
    """
    decoded = decode_html(body, content_type)
    if selectors is not None and selectors.body:
        fields = ArticlePage(url, decoded.text, selectors).to_fields()
    else:
        fields = extract_generic(parse_html(decoded.text), url)
    fields.encoding = decoded.encoding
    fields.warnings = decoded.warnings + fields.warnings
    return fields


__all__ = ["ArticlePage", "ImageRef", "PageFields", "PageSelectors", "extract_page"]
