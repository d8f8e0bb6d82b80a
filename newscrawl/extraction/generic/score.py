"""Line weights and the choice of the article run for the generic extractor.

Every text line gets a weight: positive for prose (text with sentence
punctuation and little link text), negative for links, menus, list items with
links, teaser lists, copyright and disclaimer lines, and for anything inside
an element whose class/id names boilerplate (comments, related news, share
bars, footers, ...).  The article is the maximum-sum run of consecutive lines
in reading order, preferably one starting just below the headline.  A run
that strings several dated posts together (forum threads, blog front pages)
is cut down to its first post.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from newscrawl.extraction.dom import Doc, Line
from newscrawl.extraction.options import DEFAULT_OPTIONS, ExtractorOptions
from newscrawl.extraction.patterns import COPYRIGHT, DISCLAIMER, POSTED, TIME_OF_DAY
from newscrawl.normalise.dates import parse_date_text


def line_weight(ln: Line) -> float:
    """How much a line looks like article prose (positive) or boilerplate (negative)."""
    chars = ln.chars
    if not chars:
        return 0.0
    links = ln.link_chars
    own = chars - links
    if links * 2 > chars:
        return -0.8 * links - 3.0
    if links and ln.in_list:
        return -links - 3.0
    if chars <= 300 and (DISCLAIMER.search(ln.text) or (chars <= 60 and COPYRIGHT.search(ln.text))):
        return -0.5 * chars - 3.0
    if ln.punct:
        density = ln.punct / chars
        quality = 1.0 if density >= 0.02 or chars < 60 else 0.6
    elif own >= 40:
        quality = 0.5
    else:
        quality = 0.25
    return own * quality - 2.0 * links - 3.0


def is_good(ln: Line, options: ExtractorOptions = DEFAULT_OPTIONS) -> bool:
    """A line that is certainly prose: long enough, punctuated, not a link."""
    own = ln.chars - ln.link_chars
    return ln.link_chars * 3 < ln.chars and (
        (ln.punct and own >= options.min_prose_chars) or own >= 50
    )


class BodyChoice:
    """Result of the body search: boilerplate regions and the chosen run of lines."""

    __slots__ = ("neg_owner", "segment")

    def __init__(self, neg_owner: list[int], segment: tuple[int, int]) -> None:
        self.neg_owner = neg_owner
        self.segment = segment


def choose_body(
    doc: Doc, title_line: int, options: ExtractorOptions = DEFAULT_OPTIONS
) -> BodyChoice:
    """Weigh every line and find the run of lines holding the article text.

    Lines inside boilerplate-named regions (comments, related news, footers,
    ...) are turned negative, unless the region holds the headline or nearly
    all of the page's prose.  The run is the maximum-sum run of line weights;
    when a headline is known and the run starts elsewhere, a run starting
    just below the headline is preferred if it is not much lighter.
    """
    lines = doc.lines
    n = len(doc.elems)
    parent = doc.parent
    raw = [line_weight(ln) if ln.image is None else 0.0 for ln in lines]
    positive = [0.0] * n
    for ln, w in zip(lines, raw, strict=True):
        if w > 0:
            positive[ln.owner] += w
    for i in range(n - 1, 0, -1):
        p = parent[i]
        if p >= 0:
            positive[p] += positive[i]
    total = positive[0] or 1.0
    title_owner = lines[title_line].owner if title_line >= 0 else -1
    hint = doc.hint
    end = doc.end
    # Innermost boilerplate-hinted ancestor of every element (-1 when none),
    # and whether an element sits in a content-named one (article, content, ...).
    neg = [-1] * n
    content = [False] * n
    for i in range(n):
        p = parent[i]
        inherited = neg[p] if p >= 0 else -1
        h = hint[i]
        content[i] = h > 0 or (p >= 0 and content[p])
        if h < 0 and not (i <= title_owner < end[i]):
            share = positive[i] / total
            if (h == -1 and share < 0.5) or (h == -2 and share < 0.95):
                neg[i] = i
            else:
                neg[i] = inherited
        else:
            neg[i] = inherited
    teasers = _teaser_lines(lines)
    weights = []
    for ln, w in zip(lines, raw, strict=True):
        if neg[ln.owner] >= 0 or ln.index in teasers:
            w = -abs(w) * 0.5 - 1.0
        elif w > 0 and content[ln.owner]:
            w *= 1.2
        weights.append(w)
    seg, seg_sum = _best_run(weights, 0)
    reach = options.title_reach
    if title_line >= 0 and not title_line < seg[0] <= title_line + reach:
        near, near_sum = _best_run(weights, title_line + 1, title_line + 1 + reach)
        if near_sum >= max(30.0, 0.3 * seg_sum):
            seg = near
    return BodyChoice(neg, seg)


def _teaser_lines(lines: list[Line]) -> set[int]:
    """Indexes of summary lines in teaser lists (link headline, summary, link, summary, ...).

    Three or more alternations of a linked headline and a short plain text
    line are a list of other articles, not the article's own text.
    """
    texts = [ln for ln in lines if ln.image is None]
    found: set[int] = set()
    run: list[int] = []
    k = 0
    while k + 1 < len(texts):
        head, summary = texts[k], texts[k + 1]
        if (
            head.link_chars * 2 > head.chars >= 6
            and summary.link_chars * 3 < summary.chars <= 200
            and head.owner != summary.owner
        ):
            run.append(summary.index)
            k += 2
            continue
        if len(run) >= 3:
            found.update(run)
        run = []
        k += 1
    if len(run) >= 3:
        found.update(run)
    return found


def _best_run(weights: list[float], lo: int, start_hi: int | None = None) -> tuple:
    """Maximum-sum run ``((start, end), sum)`` of ``weights[lo:]`` starting before ``start_hi``."""
    n = len(weights)
    if start_hi is None:
        start_hi = n
    # prefix[k] = sum(weights[lo:k]); the best run from s ends where prefix peaks after s.
    prefix = [0.0] * (n + 1 - lo)
    acc = 0.0
    for k in range(lo, n):
        acc += weights[k]
        prefix[k + 1 - lo] = acc
    best_end = [0] * len(prefix)
    peak = len(prefix) - 1
    for k in range(len(prefix) - 1, 0, -1):
        if prefix[k] >= prefix[peak]:
            peak = k
        best_end[k] = peak
    best, best_sum = (lo, lo - 1), 0.0
    for s in range(lo, min(start_hi, n)):
        end = best_end[s + 1 - lo]
        total = prefix[end] - prefix[s - lo]
        if total > best_sum:
            best, best_sum = (s, end - 1 + lo), total
    return best, best_sum


def is_record_meta(ln: Line) -> bool:
    """A short line with a date and time or a posting label (post header/footer)."""
    if ln.image is not None or ln.chars > 80:
        return False
    text = ln.text
    if "，" in text or "。" in text:
        return False
    return bool(POSTED.search(text)) or (
        bool(TIME_OF_DAY.search(text)) and parse_date_text(text) is not None
    )


def _signature(doc: Doc, ln: Line) -> tuple[str, str]:
    return doc.tags[ln.owner], doc.elems[ln.owner].get("class") or ""


def first_record(doc: Doc, seg: list[Line]) -> list[Line]:
    """Keep only the first post when the run is a list of dated posts (forum/blog list).

    Posts are recognised by repeated post header/footer lines (date and time,
    posting labels) produced by the same template element, which split the
    run into several chunks of real text.
    """
    metas = [k for k, ln in enumerate(seg) if is_record_meta(ln)]
    if len(metas) < 2:
        return seg
    text_sigs = Counter(_signature(doc, ln) for ln in seg if ln.image is None and is_good(ln))
    main_sig = text_sigs.most_common(1)[0][0] if text_sigs else None
    meta_sigs = Counter(_signature(doc, seg[k]) for k in metas)
    metas = [
        k
        for k in metas
        if meta_sigs[_signature(doc, seg[k])] >= 2 and _signature(doc, seg[k]) != main_sig
    ]
    if len(metas) < 2:
        return seg
    bounds = [-1, *metas, len(seg)]
    chunks = [(a + 1, b) for a, b in pairwise(bounds) if b > a + 1]
    goods = [
        sum(ln.chars for ln in seg[a:b] if ln.image is None and is_good(ln)) for a, b in chunks
    ]
    if sum(g > 0 for g in goods) < 2:
        return seg
    top = max(goods)
    for (a, b), amount in zip(chunks, goods, strict=True):
        if amount >= max(50.0, 0.05 * top):
            return seg[a:b]
    return seg
