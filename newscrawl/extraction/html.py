"""lxml helpers shared by the extractors: parsing, text of an element, body lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
# Every element as a plain HtmlElement: lxml.html's default lookup picks form
# element classes in Python for each element touched, which nothing here needs.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
_WS = re.compile(r"\s+")
_INDENT = re.compile(r"^[\s\u3000\u00a0]+")

#: Elements whose content is never article text.
DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "form")

#: Elements that end a line of text.
BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table tr td th tbody thead tfoot center "
    "blockquote section article figure figcaption header footer aside nav pre address hr".split()
)
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_STRONG_TAGS = frozenset("strong b".split())
_IMAGE_SOURCE_ATTRS = ("src", "oldsrc", "data-src", "data-original")

_CENTRED_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_FONT_SIZE_STYLE = re.compile(r"font-size\s*:\s*([\d.]+)\s*(pt|px)", re.I)
_CAPTION_CLASS = re.compile(r"caption|desc|pictext|pic_?txt|img_?txt|imgtitle|tuzhu|zhu", re.I)
_TINY_DIMENSION = 40


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse a decoded HTML document (comments dropped); an empty text gives an empty document.

    An XML declaration is dropped first: lxml refuses decoded text that names
    an encoding.
    """
    return parse_document(text)[0]


def parse_document(text: str) -> tuple[lxml.html.HtmlElement, frozenset[str]]:
    """:func:`parse_html`, and the ids the page gives to more than one element."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text or text.isspace():
        text = "<html><body></body></html>"
    try:
        tree = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>", parser=_PARSER), _NONE
    duplicates = _PARSER.error_log.filter_types(_ID_REDEFINED)
    if not duplicates:
        return tree, _NONE
    return tree, frozenset(_redefined_id(entry.message) for entry in duplicates)


_ID_REDEFINED = (etree.ErrorTypes.DTD_ID_REDEFINED,)
_NONE: frozenset[str] = frozenset()


def _redefined_id(message: str) -> str:
    """The id in libxml2's ``ID x already defined`` message."""
    return message.strip().removeprefix("ID ").removesuffix(" already defined")


def drop_elements(tree: lxml.html.HtmlElement, tags: tuple[str, ...] = DROPPED_TAGS) -> None:
    """Remove the given elements (with their content, keeping their tail text)."""
    for el in tree.iter(*tags):
        el.drop_tree()


def normalise_space(text: str) -> str:
    """Collapse whitespace runs (incl. U+3000 and nbsp) to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def element_text(el: lxml.html.HtmlElement) -> str:
    """The element's text with text nodes joined by spaces, whitespace-normalised."""
    return normalise_space(" ".join(el.itertext()))


def has_text(el: lxml.html.HtmlElement, min_chars: int) -> bool:
    """``len(element_text(el)) >= min_chars``, reading only as much text as that needs."""
    if min_chars <= 0:
        return True
    # Normalised, the text is its words joined by single spaces.
    chars = words = 0
    for text in el.itertext():
        for word in text.split():
            chars += len(word)
            words += 1
        if chars + words - 1 >= min_chars:
            return True
    return False


@dataclass
class Line:
    """A line of body text, or an image, in reading order."""

    text: str = ""
    image: str | None = None
    centred: bool = False
    small: bool = False
    strong: bool = False
    indented: bool = False
    caption_hint: bool = False


@dataclass
class _Style:
    centred: bool = False
    small: bool = False
    strong: bool = False
    caption_hint: bool = False


#: Tags that change the style of their text without any attribute.
_STYLING_TAGS = frozenset({"center", "small", "figcaption"}) | _STRONG_TAGS | _HEADING_TAGS


def _style_of(el: lxml.html.HtmlElement, parent: _Style) -> _Style:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag not in _STYLING_TAGS and not len(el.attrib):
        return parent
    style = el.get("style") or ""
    centred = parent.centred or tag == "center" or (el.get("align") or "").lower() == "center"
    centred = centred or bool(_CENTRED_STYLE.search(style))
    small = parent.small
    size = _FONT_SIZE_STYLE.search(style)
    if size:
        value, unit = float(size.group(1)), size.group(2).lower()
        small = value <= (10.5 if unit == "pt" else 13)
    elif tag == "font" and (el.get("size") or "").strip() in ("1", "2"):
        small = True
    elif tag == "small":
        small = True
    strong = parent.strong or tag in _STRONG_TAGS or tag in _HEADING_TAGS
    caption_hint = parent.caption_hint or tag == "figcaption"
    marks = f"{el.get('class') or ''} {el.get('id') or ''}"
    caption_hint = caption_hint or bool(_CAPTION_CLASS.search(marks))
    return _Style(centred, small, strong, caption_hint)


def image_url(img: lxml.html.HtmlElement, base_url: str) -> str | None:
    """Absolute URL of an image (``src``, else TRS ``oldsrc`` or lazy-load attributes)."""
    for attr in _IMAGE_SOURCE_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith(("data:", "javascript:")):
            return urljoin(base_url, value)
    return None


def _is_tiny(img: lxml.html.HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _TINY_DIMENSION:
            return True
    return False


class _LineBuilder:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.lines: list[Line] = []
        self._reset()

    def _reset(self) -> None:
        self.parts: list[str] = []
        self.first_style: _Style | None = None
        self.all_strong = True
        self.caption_hint = False

    def add_text(self, text: str | None, style: _Style) -> None:
        if not text:
            return
        if text.strip():
            if self.first_style is None:
                self.first_style = style
            self.all_strong = self.all_strong and style.strong
            self.caption_hint = self.caption_hint or style.caption_hint
        self.parts.append(text)

    def flush(self) -> None:
        raw = "".join(self.parts)
        style = self.first_style
        text = normalise_space(raw)
        if text and style is not None:
            self.lines.append(
                Line(
                    text=text,
                    centred=style.centred,
                    small=style.small,
                    strong=self.all_strong,
                    indented=bool(_INDENT.match(raw)),
                    caption_hint=self.caption_hint,
                )
            )
        self._reset()

    def add_image(self, img: lxml.html.HtmlElement, style: _Style) -> None:
        url = image_url(img, self.base_url)
        if url is None or _is_tiny(img):
            return
        self.flush()
        self.lines.append(Line(image=url, centred=style.centred))

    def walk(self, el: lxml.html.HtmlElement, parent: _Style) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        style = _style_of(el, parent)
        if tag == "img":
            self.add_image(el, style)
        elif tag == "br":
            self.flush()
        else:
            block = tag in BLOCK_TAGS
            if block:
                self.flush()
            self.add_text(el.text, style)
            for child in el:
                self.walk(child, style)
            if block:
                self.flush()
        self.add_text(el.tail, parent)


def body_lines(container: lxml.html.HtmlElement, base_url: str) -> list[Line]:
    """Split a body container into text lines and images, in reading order.

    Block elements and ``<br>`` end a line; each line records whether it was
    centred, in a small font, all bold (a sub-heading) or indented, which the
    caption and sub-heading heuristics use.
    """
    builder = _LineBuilder(base_url)
    root_style = _style_of(container, _Style())
    builder.add_text(container.text, root_style)
    for child in container:
        builder.walk(child, root_style)
    builder.flush()
    return builder.lines
