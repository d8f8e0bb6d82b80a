"""Where a replica page's blocks are, found from what the expected record says they hold.

The mutations move and rewrite these blocks; finding them by their known
content (the expected title, date line, captions …) rather than by class
name works on every template variant of the fixtures (A, B, C).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.variants.markup import HtmlElement, deepest_with_text, squash, text_of

#: The profile's body containers, outermost first as the templates nest them.
BODY_SELECTORS = (
    "#news-body",
    ".news-body",
    "#news-con",
    ".news-con",
    ".photoNews",
    "#main .TRS_Editor",
    ".TRS_Editor",
    "#text",
)
SIDE_SELECTORS = ("#news-side", "div.side", "#side")
RELATED_SELECTORS = ("div.xgtj",)

_CREDIT_LABELS = r"责任编辑|初审编辑|责编|审签|审核|校对|编辑|监制|终审"
_CREDIT_LINE = re.compile(
    rf"^(?:[\[【（(]?(?:{_CREDIT_LABELS})[:：][^\s\[\]【】（）()/|，；:：]{{1,12}}[\]】）)]?[/|，；]*)+$"
)


def is_credit_text(text: str) -> bool:
    """True when an element's whole text is credit lines (责编：X 审签：Y …)."""
    return bool(_CREDIT_LINE.match(squash(text)))


def body_element(doc: HtmlElement) -> HtmlElement | None:
    """The outermost body container the profile's selectors would pick."""
    for selector in BODY_SELECTORS:
        for el in doc.cssselect(selector):
            if len(text_of(el)) >= 20:
                return el
    return None


def paragraph_elements(doc: HtmlElement, paragraphs: tuple[str, ...]) -> list[HtmlElement]:
    """The ``<p>`` elements holding expected paragraphs, in document order."""
    wanted = {squash(p) for p in paragraphs}
    root = body_element(doc)
    if root is None:
        return []
    return [p for p in root.iter("p") if text_of(p) in wanted]


def paragraph_container(doc: HtmlElement, paragraphs: tuple[str, ...]) -> HtmlElement | None:
    """The element whose children are the body paragraphs (``div.TRS_Editor`` inside
    ``div.news-con``, or the body container itself)."""
    found = paragraph_elements(doc, paragraphs)
    return found[-1].getparent() if found else body_element(doc)


def headline(doc: HtmlElement, title: str) -> HtmlElement | None:
    """The headline element (deepest element in ``<body>`` whose text is the title)."""
    body = doc.find("body")
    found = deepest_with_text(body, title, ("h1", "h2", "h3", "div", "p", "span", "strong"))
    return found[0] if found else None


def side_column(doc: HtmlElement) -> HtmlElement | None:
    for selector in SIDE_SELECTORS:
        found = doc.cssselect(selector)
        if found:
            return found[0]
    return None


@dataclass
class DateLine:
    """The element printing the article date."""

    element: HtmlElement
    whole: bool
    """True when the element holds only the date (``div.date``, a ``<span>``); False
    when the date opens a longer line (``2016-12-27 12:26:00 来源: 大众网 …``)."""
    raw: str
    """The date text as printed inside ``element.text`` (for a line)."""

    @property
    def block(self) -> bool:
        """Whether block elements may go inside (a ``<div>``, not a ``<span>``/``<p>``)."""
        return self.whole and self.element.tag == "div"


def date_line(doc: HtmlElement, published_raw: str | None) -> DateLine | None:
    """The article's date line, found from the expected ``published_raw``."""
    if not published_raw:
        return None
    key = squash(published_raw)
    body = doc.find("body")
    carriers = [
        el
        for el in body.iter()
        if isinstance(el.tag, str) and el.tag not in ("script", "style") and key in text_of(el)
    ]
    carriers = [el for el in carriers if not any(key in text_of(c) for c in el if c in carriers)]
    if not carriers:
        return None
    el = carriers[0]
    if text_of(el) == key:
        return DateLine(el, True, published_raw)
    text = el.text or ""
    raw = _literal(text, published_raw)
    return DateLine(el, False, raw) if raw else None


def _literal(text: str, published_raw: str) -> str | None:
    """The span of ``text`` that is ``published_raw`` with its whitespace as printed."""
    pattern = r"[\s\u3000\u00a0]*".join(re.escape(ch) for ch in squash(published_raw))
    match = re.search(pattern, text)
    return match.group(0) if match else None


_SOURCE_LABEL = "来源"
_AUTHOR_LABEL = "作者"
_VALUE = r"[:：]\s*([^\s\u3000<]+)"


@dataclass
class Byline:
    """Where 来源 and 作者 are printed and what they say."""

    source: str | None
    author: str | None
    blocks: list[HtmlElement] = field(default_factory=list)
    """Side-column blocks (template C: ``div.text`` with an ``h5`` label or ``来源：X``)."""
    line: HtmlElement | None = None
    """The element whose content holds ``来源：X 作者：Y`` inline (templates A, B)."""

    @property
    def side(self) -> bool:
        return bool(self.blocks)


def _side_value(block: HtmlElement, label: str) -> str | None:
    text = " ".join(t.strip() for t in block.itertext() if t.strip())
    match = re.match(rf"^{label}\s*[:：]?\s*(.+)$", text)
    return match.group(1).strip() if match else None


def byline(doc: HtmlElement) -> Byline | None:
    """The 来源 / 作者 block of a page."""
    side = doc.cssselect("#news-side")
    if side:
        blocks, source, author = [], None, None
        for block in side[0]:
            if not isinstance(block.tag, str):
                continue
            value = _side_value(block, _SOURCE_LABEL)
            if value is not None:
                source = value
                blocks.append(block)
                continue
            value = _side_value(block, _AUTHOR_LABEL)
            if value is not None:
                author = value
                blocks.append(block)
        return Byline(source, author, blocks) if blocks else None
    candidates = [el for el in doc.find("body").iter() if _holds_byline(el)]
    lines = [el for el in candidates if not any(a in candidates for a in el.iterdescendants())]
    if not lines:
        return None
    own = _own_text(lines[0])
    source = re.search(_SOURCE_LABEL + _VALUE, own)
    author = re.search(_AUTHOR_LABEL + _VALUE, own)
    return Byline(
        source.group(1) if source else None, author.group(1) if author else None, line=lines[0]
    )


_INLINE = frozenset("span a em i label strong b font".split())


def _own_text(el: HtmlElement) -> str:
    """The element's text and that of its inline children (not of nested blocks)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in _INLINE:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _holds_byline(el: HtmlElement) -> bool:
    if not isinstance(el.tag, str) or el.tag in ("script", "style", "title"):
        return False
    own = _own_text(el)
    return bool(re.search(_SOURCE_LABEL + r"[:：]", own) and re.search(r"\d{4}", own))


def credit_elements(doc: HtmlElement) -> list[HtmlElement]:
    """Elements whose whole text is credit lines (outermost first, none nested)."""
    body = doc.find("body")
    found = []
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "body"):
            continue
        if any(el is f or f in el.iterancestors() for f in found):
            continue
        if any(a in found for a in el.iterancestors()):
            continue
        text = text_of(el)
        if text and len(text) < 80 and is_credit_text(text):
            found.append(el)
    return found


def related_blocks(doc: HtmlElement) -> list[HtmlElement]:
    """The template's related-news boxes (``div.xgtj``: 相关推荐 换一换)."""
    return [el for selector in RELATED_SELECTORS for el in doc.cssselect(selector)]


@dataclass
class CaptionPair:
    """An image-only element and the caption element right after it."""

    image: HtmlElement
    """The element holding only the image (``<p align="center"><img></p>``)."""
    img: HtmlElement
    caption: HtmlElement
    text: str


def caption_pairs(doc: HtmlElement, captions: tuple[str | None, ...]) -> list[CaptionPair]:
    """Captioned images of the page: an image-only element, then its caption line."""
    root = body_element(doc)
    if root is None:
        return []
    pairs = []
    for caption in {c for c in captions if c}:
        for el in deepest_with_text(root, caption):
            # the caption may be wrapped (<p><font>…</font></p>): climb to the body's child
            while el.getparent() is not None and el.getprevious() is None:
                if text_of(el.getparent()) != squash(caption):
                    break
                el = el.getparent()
            previous = el.getprevious()
            if previous is None or text_of(previous):
                continue
            imgs = previous.findall(".//img") if previous.tag != "img" else [previous]
            if len(imgs) == 1:
                pairs.append(CaptionPair(previous, imgs[0], el, caption))
    return pairs
