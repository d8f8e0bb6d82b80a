"""Blocks found by text pattern and position rather than by class name.

Portals move their credit lines, captions, breadcrumbs and related-news boxes
around between templates, so these finders look at what the text says and
where it sits (after an image, before the headline, after the body).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newscrawl.extraction.fields import ImageRef
from newscrawl.extraction.html import Line, body_lines, element_text
from newscrawl.normalise.people import is_credit_line

#: A line starting like this opens a related-news / recommendation block: it and
#: everything after it in the body is boilerplate.
_RELATED_START = re.compile(
    r"^[\s【\[（(]*(相关推荐|相关新闻|相关阅读|相关链接|相关文章|延伸阅读|推荐阅读|热点推荐|猜你喜欢|更多精彩|热门推荐)"
)
#: Whole lines that are widgets, not text.
_WIDGET_LINE = re.compile(
    r"^(?:[\s【\[（(]*(?:手机查看|用手机看|扫一扫|扫描二维码|扫码阅读|扫码|分享到|分享至|分享|打印本页|打印|"
    r"关闭窗口|关闭|返回顶部|我要纠错|纠错|换一换|收藏|字号|[大中小]|上一张|下一张|上一篇|下一篇|"
    r"在手机上阅读|本页|本文)[\s】\]）)：:|/]*)+$"
)
#: Body text after this marker is the portal's legal footer.
_BODY_END_MARKER = re.compile(r"^(本稿件所含文字|版权声明|免责声明|凡本网注明)")
_CAPTION_START = re.compile(r"^(图为|▲|△|↑|图[:：]|（图|\(图|摄影[:：])")
_SENTENCE_END = "。！？!?…"
MAX_CAPTION_CHARS = 80
_MAX_CREDIT_BLOCK_CHARS = 200

_INLINE_TAGS = frozenset(("a", "span", "strong", "b", "font", "em", "label", "i"))
#: Every credit line holds one of these.
CREDIT_WORDS = ("编", "审", "校对", "监制")


@functools.cache
def _credit_candidates(words: tuple[str, ...]) -> etree.XPath:
    """Elements whose first text holds one of the words."""
    test = " or ".join(f"contains(., '{word}')" for word in words)
    return etree.XPath(f"/html/body/descendant::*[text()[1][{test}]]")


def _credit_words_in(source: str | None) -> tuple[str, ...]:
    """The credit words the page source may hold: 编 and 审 (on nearly every page),
    and 校对 / 监制 when the source has them (all of them when unsure)."""
    if source is None or "&#" in source:
        return CREDIT_WORDS
    return tuple(word for word in CREDIT_WORDS if len(word) == 1 or word in source)


_BREADCRUMB_HOME = re.compile(r"^(首页|网站首页|.{0,6}首页|您的位置|当前位置|您现在的位置|位置)")
_BREADCRUMB_PREFIX = re.compile(
    r"^.{0,8}?(您的当前位置|您现在的位置|您的位置|当前位置|位置)\s*[:：]?\s*"
)
_BREADCRUMB_SEPARATOR = re.compile(r"\s*[>›»＞→]+\s*")
_MAX_BREADCRUMB_CHARS = 120

_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']"
)
_PAGE_COUNT_VAR = re.compile(r"\bPAGE_COUNT\s*=\s*[\"']?(\d+)")


@dataclass
class BodyParts:
    """A body split into paragraphs, captioned images and credit lines."""

    paragraphs: list[str] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    credit_lines: list[str] = field(default_factory=list)


def is_widget_line(text: str) -> bool:
    """True for share / QR / print widget lines such as ``手机查看``."""
    return len(text) <= 20 and bool(_WIDGET_LINE.match(text))


def _looks_like_caption(line: Line, indented_body: bool) -> bool:
    text = line.text
    if len(text) > MAX_CAPTION_CHARS:
        return False
    if line.caption_hint or line.centred or line.small or _CAPTION_START.match(text):
        return True
    if indented_body and not line.indented:
        return True
    return len(text) <= 30 and text[-1] not in _SENTENCE_END and not line.strong


def split_body(lines: list[Line]) -> BodyParts:
    """Classify body lines: paragraphs, images with their captions, credit lines.

    A caption is a short line right after an image (or after the image's
    neighbours in a run of images) that is centred, in a small font, marked as
    a caption, or unindented in a body whose paragraphs are indented.
    Everything from a related-news heading on is dropped.
    """
    text_lines = [ln for ln in lines if ln.image is None]
    indented_body = bool(text_lines) and (
        sum(ln.indented for ln in text_lines) >= 0.5 * len(text_lines)
    )
    parts = BodyParts()
    image_run: list[ImageRef] = []
    for line in lines:
        if line.image is not None:
            image = ImageRef(url=line.image, position=len(parts.paragraphs))
            parts.images.append(image)
            image_run.append(image)
            continue
        text = line.text
        if _RELATED_START.match(text) or _BODY_END_MARKER.match(text):
            break
        if is_credit_line(text):
            parts.credit_lines.append(text)
            continue
        if is_widget_line(text):
            continue
        uncaptioned = [img for img in image_run if img.caption is None]
        if uncaptioned and _looks_like_caption(line, indented_body):
            uncaptioned[0].caption = text
            continue
        image_run = []
        parts.paragraphs.append(text)
    return parts


def _credit_lines_in(block: lxml.html.HtmlElement, base_url: str) -> list[str]:
    if len(element_text(block)) > _MAX_CREDIT_BLOCK_CHARS:
        return []
    return [
        line.text
        for line in body_lines(block, base_url)
        if line.image is None and is_credit_line(line.text)
    ]


def find_credit_lines(
    tree: lxml.html.HtmlElement, base_url: str, source: str | None = None
) -> list[str]:
    """Every credit line on the page (责编/审签/责任编辑 …), wherever it is printed.

    A credit in an inline element (``<span>编辑：X</span>`` inside a date and
    source line) counts on its own; otherwise its enclosing block is read line
    by line (``责编：X<br>审签：Y``). Given the page source, only the credit
    words it holds are looked for.
    """
    words = _credit_words_in(source)
    found: list[str] = []
    seen: set[lxml.html.HtmlElement] = set()
    for el in _credit_candidates(words)(tree):
        if el in seen or any(anc in seen for anc in el.iterancestors()):
            continue
        lines = _credit_lines_in(el, base_url)
        parent = el.getparent()
        if not lines and el.tag in _INLINE_TAGS and parent is not None:
            lines = _credit_lines_in(parent, base_url)
            if lines:
                el = parent
        if lines:
            seen.add(el)
            found += lines
    return found


def breadcrumb_items(el: lxml.html.HtmlElement) -> list[str]:
    """Items of a breadcrumb element: split on ``>``-style separators, else its links."""
    text = _BREADCRUMB_PREFIX.sub("", element_text(el))
    if _BREADCRUMB_SEPARATOR.search(text):
        items = _BREADCRUMB_SEPARATOR.split(text)
    else:
        items = [element_text(a) for a in el.iter("a")]
    return [item.strip() for item in items if item.strip()]


def find_breadcrumb(
    tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None = None
) -> list[str]:
    """The channel path (``首页 > 学校动态 > 职业院校``) shown before the headline.

    Looks for the smallest element before the headline whose text starts with
    a home link or a "you are here" label, holds at least two links and uses
    ``>``-style separators.
    """
    tags = ("a", headline.tag) if headline is not None else ("a",)
    for el in tree.iter(*tags):
        if el is headline:
            break
        if el.tag != "a":
            continue
        parent = el.getparent()
        lead = (parent.text or "").strip() if parent is not None else ""
        if not (_BREADCRUMB_HOME.match(element_text(el)) or _BREADCRUMB_HOME.match(lead)):
            continue
        container = parent
        for _ in range(3):
            if container is None:
                break
            text = element_text(container)
            if len(text) > _MAX_BREADCRUMB_CHARS:
                break
            links = sum(1 for _ in container.iter("a"))
            if links >= 2 and _BREADCRUMB_SEPARATOR.search(text):
                items = breadcrumb_items(container)
                if len(items) >= 2:
                    return items
            container = container.getparent()
    return []


@dataclass(frozen=True)
class TrsPager:
    """The arguments of a TRS ``createPageHTML(count, index, name, ext)`` call."""

    count: int
    index: int
    name: str
    ext: str

    def page_urls(self, base_url: str) -> list[str]:
        """URLs of every page: ``name.ext``, ``name_1.ext``, … resolved against base_url."""
        names = [f"{self.name}.{self.ext}"]
        names += [f"{self.name}_{i}.{self.ext}" for i in range(1, self.count)]
        return [urljoin(base_url, n) for n in names]


def find_trs_pager(html: str) -> TrsPager | None:
    """The TRS pager call in a page's scripts (``PAGE_COUNT`` alone gives the count)."""
    if "createPageHTML" not in html and "PAGE_COUNT" not in html:
        return None
    match = _TRS_PAGER.search(html)
    if match:
        count, index, name, ext = match.groups()
        return TrsPager(int(count), int(index), name, ext)
    match = _PAGE_COUNT_VAR.search(html)
    if match:
        return TrsPager(int(match.group(1)), 0, "", "")
    return None
