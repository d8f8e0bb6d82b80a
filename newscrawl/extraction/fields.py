"""Raw fields of one article page, as an extractor finds them (before normalisation)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImageRef:
    """An image inside the article body."""

    url: str
    """Absolute URL (``src`` or the TRS ``oldsrc``, joined with the page URL)."""
    caption: str | None = None
    """The caption line found under the image, or None."""
    position: int = 0
    """Number of body paragraphs of the same page that precede the image."""


#: Where a field's value came from.
ORIGINS = {
    "profile": "the portal profile's selectors (or a labelled line they select)",
    "title_tag": "the page's <title>",
    "meta": "a <meta> tag of the page",
    "url": "the article URL (dates only)",
    "generic": "the generic extractor, because the profile found nothing",
}


@dataclass
class PageFields:
    """What an extractor read from one HTML page of an article.

    Text values are as printed on the page (only whitespace-trimmed); the
    normalisers in :mod:`newscrawl.normalise` turn them into record values.
    """

    url: str
    title: str | None = None
    published_raw: str | None = None
    """The date text exactly as shown, e.g. ``2025 / 05/23``."""
    source: str | None = None
    """来源 text without its label."""
    author: str | None = None
    """作者 text without its label."""
    breadcrumb: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    """Body paragraphs in reading order; captions and credit lines excluded."""
    images: list[ImageRef] = field(default_factory=list)
    credit_lines: list[str] = field(default_factory=list)
    """Editor credit lines (责编/审签/…) taken out of the body, as printed."""
    other_pages: list[str] = field(default_factory=list)
    """Absolute URLs of the article's further pages (multi-page articles), in order."""
    extractor: str = ""
    """Which extractor produced the fields: ``<profile>:<body selector>`` or ``generic``."""
    encoding: str | None = None
    """The charset the page was decoded with."""
    warnings: list[str] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    """Where each core field came from: ``title``, ``date``, ``source``, ``author``,
    ``body`` → one of :data:`ORIGINS` (a field not found has no entry)."""
