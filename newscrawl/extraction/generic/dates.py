"""Publication date detection for the generic extractor."""

from __future__ import annotations

import re

from newscrawl.extraction.dom import Doc, Line
from newscrawl.extraction.generic.head import HeadInfo
from newscrawl.extraction.patterns import COPYRIGHT
from newscrawl.lexicon import LEXICON, any_of
from newscrawl.normalise.dates import find_dates

_LABELS = LEXICON.labels
_DATE_META_KEYS = LEXICON.meta.date
_DATE_LABEL = re.compile(rf"(?:{any_of(_LABELS.date)})\s*[:：]?\s*$", re.I)
_UNRELATED_LABEL = re.compile(rf"(?:{any_of(_LABELS.date_unrelated)})[于时间日期]*\s*[:：]?\s*$")


def _has_date(text: str) -> bool:
    return next(find_dates(text), None) is not None


def _date_candidate(ln: Line, base: float) -> tuple[float, str] | None:
    """(score, date text) of the first date in a line; dates after 发布时间 score higher."""
    if ln.image is not None or ln.chars > 200:
        return None
    text = ln.text
    found = next(find_dates(text), None)
    if found is None:
        return None
    before = text[max(0, found.start - 12) : found.start]
    score = base
    if _DATE_LABEL.search(before):
        score += 1.5
    if _UNRELATED_LABEL.search(before):
        score -= 5.0
    if found.time is not None:
        score += 0.5
    if ln.link_chars * 2 > ln.chars:
        score -= 2.0
    if ln.chars > 80:
        score -= 1.0
    if COPYRIGHT.search(text):
        score -= 6.0
    return score, found.text


def header_lines(doc: Doc, title_line: int, body_start: int) -> list[Line]:
    """Text lines between the headline and the first prose line of the body.

    Without a headline, the lines just before the body start stand in for it.
    """
    lines = doc.lines
    if title_line >= 0:
        first = title_line + 1
    elif body_start >= 0:
        first = max(0, body_start - 15)
    else:
        return []
    out = []
    for ln in lines[first : first + 40]:
        if ln.image is not None:
            continue
        if ln.index >= body_start >= 0 and _is_prose(ln):
            break
        out.append(ln)
    return out


_PROSE_PUNCT_RE = re.compile(r"[，。；！？]")


def _is_prose(ln: Line) -> bool:
    return ln.chars >= 40 and ln.link_chars * 3 < ln.chars and bool(_PROSE_PUNCT_RE.search(ln.text))


def find_published(
    doc: Doc,
    head: HeadInfo,
    title_line: int,
    header: list[Line],
    body_start: int,
    body_end: int,
) -> str | None:
    """The publication date text; dates just after the headline are preferred."""
    lines = doc.lines
    best: tuple[float, str] | None = None

    def consider(cand: tuple[float, str] | None) -> None:
        nonlocal best
        if cand and (best is None or cand[0] > best[0]):
            best = cand

    if title_line >= 0:
        for dist, ln in enumerate(header):
            consider(_date_candidate(ln, 10.0 - 0.05 * dist))
        for dist, i in enumerate(range(title_line - 1, max(-1, title_line - 16), -1)):
            consider(_date_candidate(lines[i], 6.0 - 0.1 * dist))
    else:
        for dist, ln in enumerate(reversed(header)):
            consider(_date_candidate(ln, 8.0 - 0.1 * dist))
    for rank, key in enumerate(_DATE_META_KEYS):
        val = head.meta.get(key)
        if val and _has_date(val):
            consider((7.0 - 0.01 * rank, val))
            break
    if head.ld_date and _has_date(head.ld_date):
        consider((6.5, head.ld_date))
    if best is not None and best[0] >= 6.0:
        return best[1]
    if body_start >= 0:
        for i in range(body_end + 1, min(len(lines), body_end + 16)):
            consider(_date_candidate(lines[i], 4.0))
        for i in range(body_start, body_end + 1):
            if lines[i].chars <= 80:
                consider(_date_candidate(lines[i], 3.5))
    return best[1] if best is not None and best[0] > -1.0 else None
