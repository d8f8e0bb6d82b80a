"""Tree preparation and linearisation for the generic extractor.

The document is walked once and turned into a flat list of text lines
(:class:`Line`) plus per-element arrays (parent, subtree end, class hints).
Every later step works on these arrays instead of walking the tree again.
"""

from __future__ import annotations

import re

from lxml import etree

# Elements whose content is never article text.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "select",
    "option",
    "textarea",
    "input",
    "button",
    "svg",
    "canvas",
    "map",
    "audio",
    "video",
    "head",
    "title",
    "meta",
    "link",
)

BLOCK_TAGS = frozenset(
    {
        "html",
        "body",
        "p",
        "div",
        "td",
        "th",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "form",
        "fieldset",
        "legend",
        "center",
        "figure",
        "figcaption",
        "address",
        "hr",
        "details",
        "summary",
        "menu",
        "dir",
        "text",
    }
)

_LIST_TAGS = frozenset({"li", "dd", "dt"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

_HIDDEN_XP = etree.XPath(
    "//*[@style][contains(translate(@style, 'DISPLAYNOEVIBT ', 'displaynoevibt'), 'display:none')"
    " or contains(translate(@style, 'DISPLAYNOEVIBT ', 'displaynoevibt'), 'visibility:hidden')]"
)

_WS_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[，。！？；：、“”…,!?;]|\.(?!\d)")

# Class/id words of boilerplate regions.  Long, unambiguous words match
# anywhere; short ones only as whole tokens of the class/id value.  Strong
# words name a region that is never the article; weak ones name layout
# parts that sometimes wrap it.
_NEG_STRONG = re.compile(
    r"comment|pinglun|related|relate[dn]|xiangguan|recommend|tuijian|share|fenxiang|bdshare"
    r"|jiathis|footer|copyright|banquan|breadcrumb|crumb|sidebar|advert|guanggao|login|paging"
    r"|pagination|pagenav|toolbar|qrcode|erweima|weixin|wechat|subscribe|hotnews|navbar"
    r"|friendlink|youqing|disclaimer|dianzan|reply|huifu|keyword"
)
_NEG_WEAK = re.compile(
    r"(?:^|[^a-z])(?:nav|menu|foot|side|aside|ad|ads|ggw|banner|top|topbar|header|head|hot|tags?"
    r"|links?|more|search|xgxw|xgwz|xgtj|pl|plist|bottom|tool|tools|print|logo|rank|ranking"
    r"|rightbox|leftbox|gotop|backtop|ewm|zan|tip|tips|float|pop|popup|mask|user|statement"
    r"|userinfo|profile|sign|signature|nextpage|prev|next|page_nav)(?:$|[^a-z])"
)
_POS_ANY = re.compile(
    r"content|article|artic|zhengwen|text|detail|entry|story|post_body|postbody|main|news_con"
    r"|newscon|body|neirong|message|trs_editor|cont"
)
_POS_TOKEN = re.compile(r"(?:^|[^a-z])(?:zw|txt|con|nr|wz|post|blog)(?:$|[^a-z])")


class Line:
    """One run of text between block boundaries (or one image)."""

    __slots__ = (
        "centered",
        "chars",
        "heading",
        "img",
        "in_list",
        "index",
        "link_chars",
        "owner",
        "punct",
        "small",
        "text",
        "weight",
    )

    def __init__(self, owner: int, text: str, chars: int, link_chars: int) -> None:
        self.owner = owner
        self.text = text
        self.chars = chars
        self.link_chars = link_chars
        self.punct = len(_PUNCT_RE.findall(text)) if text else 0
        self.img = None
        self.in_list = False
        self.heading = False
        self.index = 0
        self.centered = False
        self.small = False
        self.weight = 0.0


class Doc:
    """Flat view of a document: elements in document order plus text lines."""

    __slots__ = (
        "centered",
        "elems",
        "end",
        "hint",
        "lines",
        "parent",
        "small",
        "tags",
    )

    def __init__(self) -> None:
        self.elems: list = []
        self.tags: list[str] = []
        self.parent: list[int] = []
        self.end: list[int] = []
        self.hint: list[int] = []
        self.centered: list[bool] = []
        self.small: list[bool] = []
        self.lines: list[Line] = []

    def contains(self, anc: int, idx: int) -> bool:
        """Whether element ``idx`` is ``anc`` or inside it."""
        return anc <= idx < self.end[anc]


def class_hint(value: str) -> int:
    """Classify a lower-cased class/id string.

    -2: boilerplate region, -1: layout part that is usually boilerplate,
    1: content-like name, 0: neutral.
    """
    if _NEG_STRONG.search(value):
        return -2
    if _NEG_WEAK.search(value):
        return -1
    if _POS_ANY.search(value) or _POS_TOKEN.search(value):
        return 1
    return 0


def prepare(root) -> None:
    """Remove scripts, styles, forms controls, comments and hidden elements in place."""
    for el in _HIDDEN_XP(root):
        if el.getparent() is not None:
            el.drop_tree()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)


_ALIGN_STYLE = re.compile(r"text-align\s*:\s*([a-z-]+)", re.I)
_SMALL_STYLE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)(px|pt)", re.I)
_SMALL_FONT_SIZES = frozenset({"1", "2", "-1", "-2"})


def linearize(root) -> Doc:
    """Walk the tree once and build the flat :class:`Doc` view."""
    doc = Doc()
    elems, tags, parent, end, hint = doc.elems, doc.tags, doc.parent, doc.end, doc.hint
    centered, small = doc.centered, doc.small
    lines = doc.lines
    block_tags = BLOCK_TAGS
    hint_cache: dict[tuple, int] = {}
    stack: list[int] = []
    owners: list[int] = [0]
    parts: list[str] = []
    link_parts: list[str] = []
    link_depth = 0
    pre_depth = 0
    # Lengths of the buffered text: total, in a small font, centred.
    st_total = st_small = st_centre = 0

    def flush() -> None:
        nonlocal st_total, st_small, st_centre
        raw = "".join(parts)
        parts.clear()
        words = raw.split()
        if words:
            text = " ".join(words)
            chars = len(text) - len(words) + 1
            link_chars = len("".join("".join(link_parts).split())) if link_parts else 0
            line = Line(owners[-1], text, chars, min(link_chars, chars))
            total = st_total or 1
            line.small = st_small * 2 > total
            line.centered = st_centre * 2 > total
            lines.append(line)
        link_parts.clear()
        st_total = st_small = st_centre = 0

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if not isinstance(tag, str):
                continue
            idx = len(elems)
            elems.append(el)
            if not tag.islower():
                tag = tag.lower()
            tags.append(tag)
            par = stack[-1] if stack else -1
            parent.append(par)
            end.append(idx + 1)
            cls = el.get("class")
            ident = el.get("id")
            if (cls or ident) and tag != "body" and tag != "html":
                key = (cls, ident)
                value = hint_cache.get(key)
                if value is None:
                    value = hint_cache[key] = class_hint(f"{cls or ''} {ident or ''}".lower())
                hint.append(value)
            else:
                hint.append(0)
            is_centre = par >= 0 and centered[par]
            is_small = par >= 0 and small[par]
            style = el.get("style")
            if style:
                m = _ALIGN_STYLE.search(style)
                if m:
                    is_centre = "center" in m.group(1).lower()
                m = _SMALL_STYLE.search(style)
                if m:
                    is_small = float(m.group(1)) <= (13 if m.group(2).lower() == "px" else 10)
            if tag == "table":
                is_centre = False
            elif tag == "center":
                is_centre = True
            elif tag == "small":
                is_small = True
            elif tag == "font":
                size = el.get("size")
                if size and size.strip() in _SMALL_FONT_SIZES:
                    is_small = True
            if tag != "table":
                align = el.get("align")
                if align:
                    is_centre = align.strip().lower() in ("center", "middle")
            centered.append(is_centre)
            small.append(is_small)
            stack.append(idx)
            if tag in block_tags:
                if parts:
                    flush()
                owners.append(idx)
                if tag == "pre":
                    pre_depth += 1
            elif tag == "br":
                if parts:
                    flush()
            elif tag == "img":
                if parts:
                    flush()
                line = Line(owners[-1], "", 0, 0)
                line.img = el
                line.centered = is_centre
                lines.append(line)
            elif tag == "a":
                link_depth += 1
            text = el.text
            ctx = idx
        else:
            if not isinstance(tag, str):
                continue
            idx = stack.pop()
            end[idx] = len(elems)
            tag = tags[idx]
            if tag in block_tags:
                if parts:
                    flush()
                owners.pop()
                if tag == "pre":
                    pre_depth -= 1
            elif tag == "a":
                link_depth -= 1
            text = el.tail
            ctx = stack[-1] if stack else 0
        if text:
            if pre_depth and "\n" in text:
                # Preformatted text: every source line is a line of its own.
                for j, piece in enumerate(text.split("\n")):
                    if j and parts:
                        flush()
                    if piece and not piece.isspace():
                        parts.append(piece)
                        if link_depth:
                            link_parts.append(piece)
                        st_total += len(piece)
                continue
            if text.isspace():
                # Whitespace only separates words; leading whitespace is dropped.
                if parts:
                    parts.append(" ")
                continue
            parts.append(text)
            if link_depth:
                link_parts.append(text)
            n = len(text)
            st_total += n
            if small[ctx]:
                st_small += n
            if centered[ctx]:
                st_centre += n
    if parts:
        flush()
    list_tags = _LIST_TAGS
    for i, line in enumerate(lines):
        line.index = i
        tag = tags[line.owner]
        line.in_list = tag in list_tags
        line.heading = tag in HEADING_TAGS
    return doc
