"""The item a portal spider yields: every page of one article, extracted but not normalised."""

from __future__ import annotations

from dataclasses import dataclass, field

from newscrawl.extraction.fields import PageFields


@dataclass
class ArticlePages:
    """One article as crawled: its pages in order; the record pipeline turns it into a record."""

    site: str
    url: str
    """URL of the first page."""
    pages: list[PageFields]
    crawled_at: str
    """ISO 8601 UTC time of the first page's fetch."""
    expected_pages: int = 1
    """Pages the article announced; more than ``len(pages)`` means some could not be fetched."""
    archive: dict[str, str] | None = None
    warnings: list[str] = field(default_factory=list)
