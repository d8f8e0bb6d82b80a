"""One parse and one line model for every extractor.

A page is parsed once (:func:`parse_document`), cleaned of what is never text
(:func:`remove_non_content`), and any part of it (the whole document for the
generic extractor, the body container a profile selects) is flattened into
:class:`Line` objects in reading order by :func:`linearize`. Every later step,
in both extraction paths, reads these lines.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newscrawl.extraction.options import DEFAULT_OPTIONS, ExtractorOptions
from newscrawl.lexicon import LEXICON, any_pattern

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
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ID_REDEFINED = (etree.ErrorTypes.DTD_ID_REDEFINED,)
_NO_IDS: frozenset[str] = frozenset()
_EMPTY_DOCUMENT = "<html><body></body></html>"

#: Elements whose content is never article text.
DROPPED_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "applet", "select", "option", "textarea", "input", "button", "svg", "canvas", "map", "audio",
    "video",
)  # fmt: skip
#: The document head, dropped once what it says has been read.
HEAD_TAGS = ("head", "title", "meta", "link")
#: Elements that end a line of text.
BLOCK_TAGS = frozenset(
    "html body p div td th tr table tbody thead tfoot caption li ul ol dl dt dd h1 h2 h3 h4 h5 "
    "h6 blockquote pre section article header footer nav aside main form fieldset legend center "
    "figure figcaption address hr details summary menu dir text".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_LIST_TAGS = frozenset({"li", "dd", "dt"})
_STRONG_TAGS = frozenset({"strong", "b", *HEADING_TAGS})
_SMALL_FONT_SIZES = frozenset({"1", "2", "-1", "-2"})
IMAGE_SOURCE_ATTRS = ("src", "oldsrc", "data-src", "data-original", "data-lazy-src")

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ALIGN_STYLE = re.compile(r"text-align\s*:\s*([a-z-]+)", re.I)
_FONT_SIZE_STYLE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt)", re.I)
_PUNCT = re.compile(r"[，。！？；：、“”…,!?;]|\.(?!\d)")
_WS = re.compile(r"\s+")
_KEY_DROP = re.compile(r"[\s\W_]+", re.UNICODE)

_NAMES = LEXICON.class_names
_BOILERPLATE = re.compile(any_pattern(_NAMES.boilerplate))
_LAYOUT = re.compile(rf"(?:^|[^a-z])(?:{any_pattern(_NAMES.layout)})(?:$|[^a-z])")
_CONTENT = re.compile(any_pattern(_NAMES.content))
_CONTENT_TOKEN = re.compile(rf"(?:^|[^a-z])(?:{any_pattern(_NAMES.content_tokens)})(?:$|[^a-z])")
_CAPTION_CLASS = re.compile(any_pattern(_NAMES.caption), re.I)
_IMAGE_FURNITURE = re.compile(any_pattern(LEXICON.image_furniture), re.I)


# -- parsing -------------------------------------------------------------------


def parse_document(text: str) -> tuple[lxml.html.HtmlElement, frozenset[str]]:
    """The parsed document (comments dropped), and the ids it gives to more than one element.

    An XML declaration is dropped first (lxml refuses decoded text that names
    an encoding); an empty or unparsable text gives an empty document.
    """
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text or text.isspace():
        text = _EMPTY_DOCUMENT
    try:
        tree = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring(_EMPTY_DOCUMENT, parser=_PARSER), _NO_IDS
    duplicates = _PARSER.error_log.filter_types(_ID_REDEFINED)
    if not duplicates:
        return tree, _NO_IDS
    return tree, frozenset(_redefined_id(entry.message) for entry in duplicates)


def parse_html(text: str) -> lxml.html.HtmlElement:
    """:func:`parse_document` without the duplicated ids."""
    return parse_document(text)[0]


def _redefined_id(message: str) -> str:
    """The id in libxml2's ``ID x already defined`` message."""
    return message.strip().removeprefix("ID ").removesuffix(" already defined")


def remove_non_content(root: lxml.html.HtmlElement, *, keep_head: bool = False) -> None:
    """Remove scripts, styles, form controls, media (and the head) in place.

    Text following a removed element stays. ``keep_head`` keeps ``<head>``,
    whose ``<title>`` and ``<meta>`` profile selectors may read. (Hidden
    elements stay in the tree; :func:`linearize` leaves them out.)
    """
    tags = DROPPED_TAGS if keep_head else DROPPED_TAGS + HEAD_TAGS
    etree.strip_elements(root, *tags, with_tail=False)


# -- text of elements ----------------------------------------------------------------


def normalise_space(text: str) -> str:
    """Collapse whitespace runs (incl. U+3000 and nbsp) to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def text_key(text: str) -> str:
    """Lower-cased text without whitespace, punctuation and symbols, for comparisons."""
    return _KEY_DROP.sub("", text).lower()


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


def class_hint(value: str) -> int:
    """Classify a lower-cased class/id string.

    -2: boilerplate region, -1: layout part that is usually boilerplate,
    1: content-like name, 0: neutral.
    """
    if _BOILERPLATE.search(value):
        return -2
    if _LAYOUT.search(value):
        return -1
    if _CONTENT.search(value) or _CONTENT_TOKEN.search(value):
        return 1
    return 0


# -- images --------------------------------------------------------------------------


def image_url(img: lxml.html.HtmlElement, base_url: str) -> str | None:
    """Absolute URL of an image (``src``, else TRS ``oldsrc`` or lazy-load attributes)."""
    for attr in IMAGE_SOURCE_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith(("data:", "javascript:")):
            return urljoin(base_url, value) if base_url else value
    return None


def content_image_url(
    img: lxml.html.HtmlElement, base_url: str, options: ExtractorOptions = DEFAULT_OPTIONS
) -> str | None:
    """The URL of an article image; None for icons, spacers, logos and share buttons."""
    url = image_url(img, base_url)
    if url is None or _IMAGE_FURNITURE.search(url):
        return None
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().lower().removesuffix("px")
        if value.isdigit() and int(value) < options.min_image_px:
            return None
    return url


# -- lines -----------------------------------------------------------------------------


class Line:
    """One run of text between block boundaries, or one image, in reading order."""

    __slots__ = (
        "caption_hint",
        "centred",
        "chars",
        "heading",
        "image",
        "in_list",
        "indented",
        "index",
        "link_chars",
        "owner",
        "punct",
        "small",
        "strong",
        "text",
    )

    def __init__(self, owner: int, text: str, chars: int, link_chars: int) -> None:
        self.owner = owner
        """Index (in :attr:`Doc.elems`) of the innermost block element holding the line."""
        self.text = text
        """Whitespace-normalised text ('' for an image)."""
        self.chars = chars
        """Characters other than spaces."""
        self.link_chars = link_chars
        """Characters inside links."""
        self.punct = len(_PUNCT.findall(text)) if text else 0
        self.image: lxml.html.HtmlElement | None = None
        """The ``<img>`` of an image line."""
        self.index = 0
        self.in_list = False
        self.heading = False
        self.centred = False
        """Most of its text is centred."""
        self.small = False
        """Most of its text is in a small font."""
        self.strong = False
        """All of its text is bold (a sub-heading)."""
        self.indented = False
        """It starts with whitespace (a paragraph indent)."""
        self.caption_hint = False
        """Part of it sits in a caption element (figcaption, class ``caption`` …)."""


class Doc:
    """A flattened element tree: elements in document order, their parents and extents, lines."""

    __slots__ = ("elems", "end", "hint", "lines", "parent", "tags")

    def __init__(self) -> None:
        self.elems: list[lxml.html.HtmlElement] = []
        self.tags: list[str] = []
        self.parent: list[int] = []
        self.end: list[int] = []
        """One past the index of the element's last descendant."""
        self.hint: list[int] = []
        """:func:`class_hint` of each element (all 0 unless asked for)."""
        self.lines: list[Line] = []

    def contains(self, ancestor: int, index: int) -> bool:
        """Whether element ``index`` is ``ancestor`` or inside it."""
        return ancestor <= index < self.end[ancestor]


class _Styles:
    """Inherited presentation of each element, by element index."""

    __slots__ = ("caption", "caption_marks", "centred", "options", "small", "strong")

    def __init__(self, options: ExtractorOptions) -> None:
        self.options = options
        self.centred: list[bool] = []
        self.small: list[bool] = []
        self.strong: list[bool] = []
        self.caption: list[bool] = []
        self.caption_marks: dict[tuple[str | None, str | None], bool] = {}

    def push(self, el: lxml.html.HtmlElement, tag: str, parent: int) -> bool:
        """Record the presentation of element ``el`` (its parent's, changed by its own markup).

        Returns True when the element is hidden (``display:none``, ``visibility:hidden``).
        """
        hidden = False
        if parent >= 0:
            centred = self.centred[parent]
            small = self.small[parent]
            strong = self.strong[parent] or tag in _STRONG_TAGS
            caption = self.caption[parent] or tag == "figcaption"
        else:
            centred = small = False
            strong = tag in _STRONG_TAGS
            caption = tag == "figcaption"
        style = el.get("style")
        if style:
            hidden = bool(_HIDDEN_STYLE.search(style))
            align = _ALIGN_STYLE.search(style)
            if align:
                centred = "center" in align.group(1).lower()
            size = _FONT_SIZE_STYLE.search(style)
            if size:
                px = size.group(2).lower() == "px"
                limit = self.options.small_font_px if px else self.options.small_font_pt
                small = float(size.group(1)) <= limit
        if tag == "table":
            centred = False
        else:
            align_attr = el.get("align")
            if align_attr:
                centred = align_attr.strip().lower() in ("center", "middle")
            if tag == "center":
                centred = True
            elif tag == "small":
                small = True
            elif tag == "font":
                font_size = el.get("size")
                if font_size and font_size.strip() in _SMALL_FONT_SIZES:
                    small = True
        if not caption:
            cls = el.get("class")
            ident = el.get("id")
            if cls or ident:
                key = (cls, ident)
                marked = self.caption_marks.get(key)
                if marked is None:
                    marked = self.caption_marks[key] = bool(
                        _CAPTION_CLASS.search(f"{cls or ''} {ident or ''}")
                    )
                caption = marked
        self.centred.append(centred)
        self.small.append(small)
        self.strong.append(strong)
        self.caption.append(caption)
        return hidden


class _LineBuffer:
    """Text gathered for the line being built, with how much of it is small, centred …"""

    __slots__ = ("caption", "centre", "indent", "link_parts", "parts", "small", "strong", "total")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.link_parts: list[str] = []
        self.indent = False
        self.total = self.small = self.centre = self.strong = self.caption = 0

    def add(self, text: str, ctx: int, styles: _Styles, in_link: bool) -> None:
        if text.isspace():
            # Whitespace only separates words; before any text it is an indent.
            if self.parts:
                self.parts.append(" ")
            else:
                self.indent = True
            return
        self.parts.append(text)
        if in_link:
            self.link_parts.append(text)
        n = len(text)
        self.total += n
        if styles.small[ctx]:
            self.small += n
        if styles.centred[ctx]:
            self.centre += n
        if styles.strong[ctx]:
            self.strong += n
        if styles.caption[ctx]:
            self.caption += n

    def add_preformatted(self, text: str, in_link: bool, flush) -> None:
        """Text of a ``<pre>``: every source line is a line of its own."""
        for j, piece in enumerate(text.split("\n")):
            if j and self.parts:
                flush()
            if piece and not piece.isspace():
                self.parts.append(piece)
                if in_link:
                    self.link_parts.append(piece)
                self.total += len(piece)

    def take(self, owner: int) -> Line | None:
        """The buffered line (None when it holds no text); the buffer is emptied."""
        raw = "".join(self.parts)
        line = None
        words = raw.split()
        if words:
            text = " ".join(words)
            chars = len(text) - len(words) + 1
            link_chars = len("".join("".join(self.link_parts).split())) if self.link_parts else 0
            line = Line(owner, text, chars, min(link_chars, chars))
            total = self.total or 1
            line.small = self.small * 2 > total
            line.centred = self.centre * 2 > total
            line.strong = self.strong >= self.total > 0
            line.caption_hint = self.caption > 0
            line.indented = self.indent or raw[0].isspace()
        self.parts.clear()
        self.link_parts.clear()
        self.indent = False
        self.total = self.small = self.centre = self.strong = self.caption = 0
        return line


def linearize(
    root: lxml.html.HtmlElement,
    *,
    class_hints: bool = False,
    options: ExtractorOptions = DEFAULT_OPTIONS,
) -> Doc:
    """Walk ``root`` once and flatten it into a :class:`Doc` (the root's tail is not read).

    Block elements and ``<br>`` end a line; every ``<img>`` with a source is an
    image line of its own; hidden elements (``display:none``) are left out.
    ``class_hints`` classifies each element's class/id (the generic extractor
    weighs lines by it).
    """
    doc = Doc()
    elems, tags, parent, end, hint, lines = (
        doc.elems, doc.tags, doc.parent, doc.end, doc.hint, doc.lines
    )  # fmt: skip
    styles = _Styles(options)
    buffer = _LineBuffer()
    push = styles.push
    add = buffer.add
    hint_cache: dict[tuple[str | None, str | None], int] = {}
    stack: list[int] = []
    skipped: set[int] = set()
    owners: list[int] = [0]
    link_depth = pre_depth = 0

    def flush() -> None:
        if not buffer.parts:
            buffer.indent = False
            return
        line = buffer.take(owners[-1])
        if line is not None:
            lines.append(line)

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            idx = len(elems)
            elems.append(el)
            if not tag.islower():
                tag = tag.lower()
            tags.append(tag)
            par = stack[-1] if stack else -1
            parent.append(par)
            end.append(idx + 1)
            hint.append(_hint(el, tag, hint_cache) if class_hints else 0)
            hidden = push(el, tag, par)
            stack.append(idx)
            if hidden:
                walker.skip_subtree()
                skipped.add(idx)
                continue
            if tag in BLOCK_TAGS:
                flush()
                owners.append(idx)
                if tag == "pre":
                    pre_depth += 1
            elif tag == "br":
                flush()
            elif tag == "img":
                flush()
                if any(el.get(attr) for attr in IMAGE_SOURCE_ATTRS):
                    line = Line(owners[-1], "", 0, 0)
                    line.image = el
                    line.centred = styles.centred[idx]
                    lines.append(line)
            elif tag == "a":
                link_depth += 1
            text = el.text
            ctx = idx
        else:
            idx = stack.pop()
            end[idx] = len(elems)
            tag = tags[idx]
            if idx in skipped:
                pass
            elif tag in BLOCK_TAGS:
                flush()
                owners.pop()
                if tag == "pre":
                    pre_depth -= 1
            elif tag == "a":
                link_depth -= 1
            if not stack:
                break
            text = el.tail
            ctx = stack[-1]
        if text:
            if pre_depth and "\n" in text:
                buffer.add_preformatted(text, bool(link_depth), flush)
            else:
                add(text, ctx, styles, link_depth > 0)
    flush()
    for i, line in enumerate(lines):
        line.index = i
        owner_tag = tags[line.owner]
        line.in_list = owner_tag in _LIST_TAGS
        line.heading = owner_tag in HEADING_TAGS
    return doc


def _hint(el: lxml.html.HtmlElement, tag: str, cache: dict) -> int:
    cls = el.get("class")
    ident = el.get("id")
    if not (cls or ident) or tag in ("body", "html"):
        return 0
    key = (cls, ident)
    value = cache.get(key)
    if value is None:
        value = cache[key] = class_hint(f"{cls or ''} {ident or ''}".lower())
    return value
