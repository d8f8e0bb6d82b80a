"""The article's lines sorted out: paragraphs, captioned images, credit and source lines.

Both extraction paths end here: a profile hands over the lines of the body
container its selectors chose, the generic extractor the run of lines it
scored as the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from newscrawl.extraction.dom import Line, content_image_url
from newscrawl.extraction.fields import ImageRef
from newscrawl.extraction.options import DEFAULT_OPTIONS, ExtractorOptions
from newscrawl.extraction.patterns import (
    BYLINE_LEAD,
    CAPTION_START,
    COPYRIGHT,
    LEGAL_FOOTER,
    MAX_WIDGET_LINE,
    RELATED_START,
    SENTENCE_END,
    SOURCE_LINE,
    WIDGET_LINE,
)
from newscrawl.normalise.people import credit_text

_CAPTION_SENTENCE_END = SENTENCE_END + "；;"
_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_SOURCE_LINE_CHARS = 30
_DEDUPE_CHARS = 10


@dataclass
class BodyParts:
    """A body split into paragraphs, captioned images, credit lines and 来源 lines."""

    paragraphs: list[str] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    credit_lines: list[str] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)
    text_lines: list[Line] = field(default_factory=list)
    """The lines kept as paragraphs."""


def is_widget_line(text: str) -> bool:
    """True for share / QR / print / font-size widget lines such as ``手机查看``."""
    return len(text) <= MAX_WIDGET_LINE and bool(WIDGET_LINE.match(text))


def is_caption(
    line: Line, indented_body: bool, options: ExtractorOptions = DEFAULT_OPTIONS
) -> bool:
    """Whether a line standing under an image is that image's caption.

    A caption is short and marked as one (caption element or class, 图为 …),
    centred or in a small font, unindented in a body of indented paragraphs,
    or a short unbolded line without final punctuation. A byline is not.
    """
    text = line.text
    if line.chars > options.max_caption_chars or line.link_chars * 2 > line.chars:
        return False
    if not _WORD.search(text):
        return False
    if BYLINE_LEAD.match(text) and "摄" not in text and "图" not in text:
        return False
    if line.caption_hint or CAPTION_START.match(text):
        return True
    if text[-1] in _CAPTION_SENTENCE_END and line.chars > options.long_caption_chars:
        return False
    if line.centred or line.small or (indented_body and not line.indented):
        return True
    return (
        line.chars <= options.short_caption_chars
        and text[-1] not in SENTENCE_END
        and not line.strong
    )


def split_body(
    lines: Sequence[Line],
    base_url: str,
    options: ExtractorOptions = DEFAULT_OPTIONS,
    *,
    stop_at_related: bool = True,
) -> BodyParts:
    """Sort body lines into paragraphs, images with their captions, credit and 来源 lines.

    The caption of an image is the first caption-like line after it (or after
    the images printed with it). Widgets, copyright notices and repeated
    paragraphs are dropped; with ``stop_at_related`` everything from a
    related-news heading or the legal footer on is dropped too.
    """
    text_lines = [ln for ln in lines if ln.image is None]
    indented_body = bool(text_lines) and sum(ln.indented for ln in text_lines) * 2 >= len(
        text_lines
    )
    parts = BodyParts()
    image_run: list[ImageRef] = []
    seen: set[str] = set()
    for line in lines:
        if line.image is not None:
            url = content_image_url(line.image, base_url, options)
            if url is not None:
                image = ImageRef(url=url, position=len(parts.paragraphs))
                parts.images.append(image)
                image_run.append(image)
            continue
        text = line.text
        if stop_at_related and (RELATED_START.match(text) or LEGAL_FOOTER.match(text)):
            break
        credit = credit_text(text)
        if credit is not None:
            parts.credit_lines.append(credit)
            continue
        if is_widget_line(text) or (
            line.chars <= options.max_caption_chars and COPYRIGHT.search(text)
        ):
            continue
        uncaptioned = [image for image in image_run if image.caption is None]
        if uncaptioned and is_caption(line, indented_body, options):
            uncaptioned[0].caption = text
            continue
        image_run = []
        if line.chars <= _SOURCE_LINE_CHARS and SOURCE_LINE.match(text):
            parts.source_lines.append(text)
            continue
        if line.chars >= _DEDUPE_CHARS:
            if text in seen:
                continue
            seen.add(text)
        parts.paragraphs.append(text)
        parts.text_lines.append(line)
    return parts
