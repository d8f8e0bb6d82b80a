"""The thresholds extraction works with, named in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExtractorOptions:
    """Every size and distance the extractors compare against (defaults suit Chinese news)."""

    # Lines and images
    min_image_px: int = 60
    """An image declared narrower or lower than this is an icon or spacer, not content."""
    small_font_px: float = 13.0
    small_font_pt: float = 10.0
    """Text at or below these sizes counts as small print (captions, footers)."""

    # Body of a profiled page
    min_body_chars: int = 20
    """A body selector's match needs this much text to count."""
    trusted_body_chars: int = 300
    """A body this long, mostly prose and few links, is not checked against the generic
    extractor's (``body_disagrees``)."""
    max_credit_block_chars: int = 200
    """An element holding a credit line is read line by line only up to this size."""

    # Captions
    max_caption_chars: int = 80
    short_caption_chars: int = 30
    """An unmarked short line without final punctuation under an image is its caption."""
    long_caption_chars: int = 40
    """A caption-looking line ending a sentence is text from this length on."""

    # Credit lines
    max_credit_line_chars: int = 80
    max_loose_credit_chars: int = 60
    """A line opening with a credit label is a credit line up to this length."""

    # Breadcrumbs
    max_breadcrumb_chars: int = 120

    # Generic extractor: choosing the article's lines
    title_reach: int = 40
    """Lines below the headline where the article run is looked for first."""
    min_prose_chars: int = 12
    """A punctuated line of this much text (or 50 without punctuation) is certainly prose."""
    max_header_lines: int = 40
    """Lines between the headline and the body read for date, source and author."""


DEFAULT_OPTIONS = ExtractorOptions()
