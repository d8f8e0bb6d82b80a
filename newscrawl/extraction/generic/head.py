"""What the document head says, and the headline, for the generic extractor."""

from __future__ import annotations

import json
import re

from lxml import etree

from newscrawl.extraction.dom import Doc, text_key
from newscrawl.extraction.patterns import LABELLED_FIELD, TITLE_LABEL
from newscrawl.lexicon import LEXICON, any_pattern
from newscrawl.normalise.dates import parse_date_text

_META_XP = etree.XPath("//meta[@content]")
_TITLE_XP = etree.XPath("//title")
_LDJSON_XP = etree.XPath("//script[contains(@type, 'ld+json')]")
_LINK_XP = etree.XPath("//link[@href][@rel]|//base[@href]")

_TITLE_META_KEYS = LEXICON.meta.title
_TITLE_SPLIT_RE = re.compile(r"\s*(?:_{1,3}|\s[-–—|｜]+\s|[|｜]|--+|——|\s-|-\s)\s*")
_TITLE_CLASS_RE = re.compile(any_pattern(LEXICON.class_names.title), re.I)


class HeadInfo:
    """What the document head says: ``<title>``, meta values, JSON-LD, base URL."""

    __slots__ = ("base", "ld_author", "ld_date", "meta", "title")

    def __init__(self) -> None:
        self.title = ""
        self.meta: dict[str, str] = {}
        self.ld_date: str | None = None
        self.ld_author: str | None = None
        self.base = ""


def _ld_walk(obj, info: HeadInfo) -> None:
    if isinstance(obj, list):
        for item in obj:
            _ld_walk(item, info)
    elif isinstance(obj, dict):
        if info.ld_date is None and isinstance(obj.get("datePublished"), str):
            info.ld_date = obj["datePublished"]
        author = obj.get("author")
        if info.ld_author is None and author:
            if isinstance(author, list) and author:
                author = author[0]
            if isinstance(author, dict):
                author = author.get("name")
            if isinstance(author, str) and author.strip():
                info.ld_author = author.strip()
        graph = obj.get("@graph")
        if graph:
            _ld_walk(graph, info)


def read_head(root, url: str) -> HeadInfo:
    """Collect ``<title>``, meta tags, JSON-LD and base/canonical URLs (before cleaning)."""
    info = HeadInfo()
    titles = _TITLE_XP(root)
    if titles:
        info.title = " ".join(titles[0].text_content().split())
    meta = info.meta
    for el in _META_XP(root):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if key:
            key = key.strip().lower()
            if key not in meta:
                meta[key] = el.get("content", "").strip()
    for el in _LDJSON_XP(root):
        try:
            _ld_walk(json.loads(el.text or ""), info)
        except ValueError:
            continue
    info.base = url or ""
    if not info.base:
        for el in _LINK_XP(root):
            href = el.get("href", "").strip()
            if href.startswith(("http://", "https://")) and (
                el.tag == "base" or el.get("rel", "").lower() == "canonical"
            ):
                info.base = href
                break
        else:
            og = meta.get("og:url", "")
            if og.startswith(("http://", "https://")):
                info.base = og
    return info


def title_segments(title: str) -> list[str]:
    """``<title>`` split at site-name separators, empty parts dropped."""
    return [s for s in _TITLE_SPLIT_RE.split(title) if s.strip()]


def _main_segment(segments: list[str]) -> str:
    """The headline part of a split ``<title>``: the longest segment (the first on ties)."""
    best = ""
    for seg in segments:
        if len(text_key(seg)) > len(text_key(best)):
            best = seg
    return best


def find_title(doc: Doc, head: HeadInfo) -> tuple[str | None, int]:
    """The headline text and the index of its line (-1 when not found on the page)."""
    full_key = text_key(head.title)
    segments = title_segments(head.title)
    main_segment = _main_segment(segments)
    seg_key = text_key(main_segment) if main_segment else ""
    meta_keys = [text_key(head.meta.get(k, "")) for k in _TITLE_META_KEYS]
    meta_keys = [k for k in meta_keys if len(k) >= 4]
    best, best_score, best_text = -1, 0.0, ""
    tags = doc.tags
    elems = doc.elems
    for ln in doc.lines:
        if ln.image is not None or ln.chars < 4 or ln.chars > 120:
            continue
        key = text_key(ln.text)
        if len(key) < 4:
            continue
        score = 0.0
        text = ln.text
        labelled = TITLE_LABEL.match(text)
        if labelled:
            text = text[labelled.end() :].strip()
            key = text_key(text)
            if len(key) < 4:
                continue
        if key in meta_keys or (seg_key and key == seg_key) or key == full_key:
            score = 4.0
        elif full_key and key in full_key and len(key) * 2 >= len(seg_key or full_key):
            score = 3.0
        elif any(key in mk and len(key) * 2 >= len(mk) for mk in meta_keys):
            score = 3.0
        elif seg_key and len(seg_key) >= 6 and seg_key in key and len(seg_key) * 3 >= len(key):
            score = 1.5
        if labelled:
            score = max(score, 2.5)
        if not score:
            continue
        tag = tags[ln.owner]
        if tag in ("h1", "h2", "h3"):
            score += {"h1": 1.5, "h2": 1.0, "h3": 0.6}[tag]
        else:
            el = elems[ln.owner]
            cls = f"{el.get('class') or ''} {el.get('id') or ''}"
            if _TITLE_CLASS_RE.search(cls):
                score += 0.8
        if ln.link_chars * 2 > ln.chars:
            score -= 2.0
        if score > best_score:
            best, best_score, best_text = ln.index, score, text
    if best >= 0 and best_score >= 2.5:
        return best_text, best
    for key in ("og:title", "articletitle", "headline"):
        val = head.meta.get(key, "").strip()
        if val:
            segs = title_segments(val)
            return (_main_segment(segs) or val).strip(), -1
    if segments:
        return main_segment.strip(), -1
    return (head.title or None), -1


def heading_before(doc: Doc, start: int) -> int:
    """Index of the headline-like line just before body line ``start``, or -1.

    A heading element (``h1``-``h4`` or a title-like class) within a few lines
    wins; otherwise the short, unpunctuated, unlinked line right above the body.
    """
    lines = doc.lines
    tags = doc.tags
    elems = doc.elems
    candidates = []
    links = 0
    for i in range(min(start + 2, len(lines) - 1), max(-1, start - 16), -1):
        ln = lines[i]
        if ln.image is None and ln.link_chars * 2 > ln.chars:
            links += 1
            if links > 2:
                break
        if ln.image is not None or not 4 <= ln.chars <= 80:
            continue
        date = parse_date_text(ln.text)
        if date and len(text_key(ln.text.replace(date[2], ""))) < 6:
            continue
        candidates.append(ln)
        owner = ln.owner
        if tags[owner] in ("h1", "h2", "h3", "h4"):
            return i
        el = elems[owner]
        if _TITLE_CLASS_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return i
    for ln in candidates:
        if ln.index >= start:
            continue
        if ln.link_chars * 2 > ln.chars or LABELLED_FIELD.search(ln.text):
            continue
        if ln.chars <= 50 and ln.text[-1] not in "。，；：:":
            return ln.index
        break
    return -1
