"""The generic extractor's body: the article's run of lines, chosen and trimmed.

The run chosen by :mod:`newscrawl.extraction.generic.score` is widened by a
trailing name line and by images just above it, cut down to its first post,
and trimmed: headline copies, date and source lines and widgets before the
text, related-news / comment / footer tails and lines of boilerplate regions
go. The lines left are sorted out by the shared
:func:`~newscrawl.extraction.body.split_body`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newscrawl.extraction.body import BodyParts, is_widget_line, split_body
from newscrawl.extraction.dom import Doc, Line, text_key
from newscrawl.extraction.generic.score import choose_body, first_record, is_good, is_record_meta
from newscrawl.extraction.options import DEFAULT_OPTIONS, ExtractorOptions
from newscrawl.extraction.patterns import (
    COPYRIGHT,
    HEADER_FIELD,
    PAGE_END,
    PAGE_END_HEADING,
    TAIL_FURNITURE,
)
from newscrawl.normalise.people import credit_text

_WORD_RE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_TAIL_LINES = 3
_HEAD_LINES = 5
_LINES_AFTER_FOR_CREDITS = 8
_END_MARKER_CHARS = 40
_CUT_AFTER_CHARS = 100


@dataclass
class GenericBody:
    """The generic body: its parts and where its text starts and ends among the page's lines."""

    parts: BodyParts = field(default_factory=BodyParts)
    start_line: int = -1
    end_line: int = -1


def _is_tail_junk(ln: Line) -> bool:
    """A line after the text that is counters, buttons, links or notices."""
    text = ln.text
    if credit_text(text) is not None:
        return False
    return (
        ln.link_chars * 2 > ln.chars
        or bool(TAIL_FURNITURE.search(text))
        or bool(PAGE_END.match(text))
        or is_widget_line(text)
        or bool(COPYRIGHT.search(text))
        or is_record_meta(ln)
        or not _WORD_RE.search(text)
    )


def _extend_tail(doc: Doc, start: int, end: int, neg: list[int]) -> int:
    """Take in up to three short plain lines right after the run in the same block.

    The run ends on its last positive line; a trailing reporter name or
    ``（完）`` line has a small negative weight but belongs to the text.
    """
    lines = doc.lines
    if end < start:
        return end
    last = lines[end]
    if last.image is not None:
        return end
    box = doc.parent[last.owner]
    if box < 0:
        return end
    for i in range(end + 1, min(len(lines), end + 1 + _TAIL_LINES)):
        ln = lines[i]
        if ln.image is not None:
            if not doc.contains(box, ln.owner) or neg[ln.owner] > box:
                break
            end = i
            continue
        if (
            ln.link_chars
            or ln.chars > 30
            or not doc.contains(box, ln.owner)
            or neg[ln.owner] > box
            or _is_tail_junk(ln)
        ):
            break
        end = i
    return end


def _extend_head(doc: Doc, start: int, end: int, neg: list[int], title_line: int) -> int:
    """Take in images (and their caption lines) standing right above the first line."""
    lines = doc.lines
    if end < start or lines[start].image is not None:
        return start
    box = doc.parent[lines[start].owner]
    if box < 0:
        return start
    new_start = start
    for i in range(start - 1, max(title_line, start - _HEAD_LINES, -1), -1):
        ln = lines[i]
        if not doc.contains(box, ln.owner) or neg[ln.owner] > box:
            break
        if ln.image is not None:
            new_start = i
        elif ln.link_chars or ln.chars > 40 or HEADER_FIELD.search(ln.text):
            break
    return new_start


def _text_goes_on(doc: Doc, kept: list[Line], k: int, last_good: Line | None) -> bool:
    """Whether prose of the same block resumes after line ``k`` (an inline related box)."""
    if last_good is None:
        return False
    following = next((ln for ln in kept[k + 1 : k + 12] if ln.image is None and is_good(ln)), None)
    if following is None:
        return False
    if following.owner == last_good.owner:
        return True
    parent = doc.parent
    return parent[following.owner] == parent[last_good.owner] and (
        doc.tags[following.owner] == doc.tags[last_good.owner] == "p"
    )


def _drop_stray_images(doc: Doc, kept: list[Line]) -> list[Line]:
    """Drop images after the last prose line that lie outside that line's block."""
    last_text = next((ln for ln in reversed(kept) if ln.image is None and is_good(ln)), None)
    if last_text is None:
        return kept
    box = doc.parent[last_text.owner]
    if box < 0:
        return kept
    stop = len(kept)
    while stop and kept[stop - 1].image is not None:
        stop -= 1
    tail = [ln for ln in kept[stop:] if doc.contains(box, ln.owner)]
    return kept[:stop] + tail


def _is_header_line(ln: Line, title_key: str) -> bool:
    """A date / source / widget line or a copy of the headline before the text."""
    return (
        (ln.chars <= 80 and bool(HEADER_FIELD.search(ln.text)))
        or is_widget_line(ln.text)
        or bool(title_key and text_key(ln.text) == title_key)
    )


def _drop_header(kept: list[Line], title_key: str) -> list[Line]:
    """Drop header lines (and non-prose lines between them) standing before the text."""
    start = 0
    for ln in kept:
        if ln.image is None and not (_is_header_line(ln, title_key) or not is_good(ln)):
            break
        start += 1
    head = [ln for ln in kept[:start] if ln.image is not None or not _is_header_line(ln, title_key)]
    return head + kept[start:]


def _cut_tail(doc: Doc, kept: list[Line], title_key: str) -> list[Line]:
    """Cut a related-news / comments / footer tail; drop inline related boxes."""
    good_after = [0] * (len(kept) + 1)
    for k in range(len(kept) - 1, -1, -1):
        ln = kept[k]
        good_after[k] = good_after[k + 1] + (ln.chars if ln.image is None and is_good(ln) else 0)
    seen_good = 0
    cut = len(kept)
    last_good: Line | None = None
    inline_boxes: set[int] = set()
    for k, ln in enumerate(kept):
        if ln.image is not None:
            continue
        if (
            seen_good
            and ln.chars <= _END_MARKER_CHARS
            and credit_text(ln.text) is None
            and PAGE_END.match(ln.text)
        ):
            if _text_goes_on(doc, kept, k, last_good):
                inline_boxes.add(k)
            elif good_after[k] < seen_good or (
                seen_good >= _CUT_AFTER_CHARS and PAGE_END_HEADING.match(ln.text)
            ):
                cut = k
                break
        if seen_good >= _CUT_AFTER_CHARS and title_key and text_key(ln.text) == title_key:
            # The headline again: a share box, print copy or next article.
            cut = k
            break
        if is_good(ln):
            seen_good += ln.chars
            last_good = ln
    kept = [ln for k, ln in enumerate(kept[:cut]) if k not in inline_boxes]
    kept = _drop_stray_images(doc, kept)
    while kept and kept[-1].image is None and not is_good(kept[-1]) and _is_tail_junk(kept[-1]):
        kept.pop()
    return kept


def extract_body(
    doc: Doc,
    title_line: int,
    title_key: str,
    base_url: str,
    options: ExtractorOptions = DEFAULT_OPTIONS,
) -> GenericBody:
    """Choose the article's run of lines and sort it into paragraphs, images and credits."""
    choice = choose_body(doc, title_line, options)
    neg = choice.neg_owner
    seg_start, seg_end = choice.segment
    seg_end = _extend_tail(doc, seg_start, seg_end, neg)
    seg_start = _extend_head(doc, seg_start, seg_end, neg, title_line)
    inside = first_record(doc, doc.lines[seg_start : seg_end + 1])
    if title_line >= 0 and inside and inside[0].index <= title_line <= inside[-1].index:
        inside = [ln for ln in inside if ln.index > title_line]
    kept = [
        ln
        for ln in inside
        if neg[ln.owner] < 0
        and (ln.image is not None or ln.link_chars * 2 <= ln.chars or is_good(ln))
    ]
    kept = _cut_tail(doc, _drop_header(kept, title_key), title_key)
    body = GenericBody(split_body(kept, base_url, options, stop_at_related=False))
    if body.parts.text_lines:
        body.start_line = body.parts.text_lines[0].index
        body.end_line = body.parts.text_lines[-1].index
        last = max(body.end_line, kept[-1].index if kept else -1)
        body.parts.credit_lines += _credits_below(doc, last)
    return body


def _credits_below(doc: Doc, last: int) -> list[str]:
    """Credit lines just below the text (often outside the chosen run)."""
    found = []
    for ln in doc.lines[last + 1 : last + 1 + _LINES_AFTER_FOR_CREDITS]:
        if ln.image is not None:
            continue
        credit = credit_text(ln.text)
        if credit is not None:
            found.append(credit)
        elif is_good(ln) and ln.chars > 60:
            break
    return found
