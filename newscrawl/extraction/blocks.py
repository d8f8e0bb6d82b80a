"""Blocks found by text pattern and position rather than by class name.

Portals move their credit lines, breadcrumbs and pagers around between
templates, so these finders look at what the text says and where it sits.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newscrawl.extraction.dom import element_text, has_text, linearize
from newscrawl.extraction.options import DEFAULT_OPTIONS, ExtractorOptions
from newscrawl.lexicon import LEXICON, any_of, any_pattern
from newscrawl.normalise.people import credit_text

_INLINE_TAGS = frozenset(("a", "span", "strong", "b", "font", "em", "label", "i"))

_CRUMBS = LEXICON.breadcrumb
_HOME = re.compile(rf"^(?:{any_of(_CRUMBS.home)}|.{{0,6}}首页|{any_of(_CRUMBS.location)})")
_LOCATION = re.compile(rf"^.{{0,8}}?(?:{any_of(_CRUMBS.location)})\s*[:：]?\s*")
_SEPARATOR = re.compile(rf"\s*(?:{any_pattern(_CRUMBS.separators)})\s*")
_LABELLED_SEPARATOR = re.compile(rf"\s*(?:{any_pattern(_CRUMBS.separators)}|/)\s*")
_SEPARATOR_CHAR = re.compile(r"[>›»＞→/]")
_TRAILING_WIDGETS = re.compile(r"(?:\s*【[^【】]*】)+\s*$")
_CLIMB = 3

_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']"
)
_PAGE_COUNT_VAR = re.compile(r"\bPAGE_COUNT\s*=\s*[\"']?(\d+)")


# -- credit lines ------------------------------------------------------------------------


@functools.cache
def _credit_candidates(words: tuple[str, ...]) -> etree.XPath:
    """Elements whose first text holds one of the words."""
    test = " or ".join(f"contains(., '{word}')" for word in words)
    return etree.XPath(f"/html/body/descendant::*[text()[1][{test}]]")


def _credit_words_in(source: str | None) -> tuple[str, ...]:
    """The credit words the page source may hold: 编 and 审 (on nearly every page),
    and the longer ones when the source has them (all of them when unsure)."""
    words = LEXICON.credits.words
    if source is None or "&#" in source:
        return words
    return tuple(word for word in words if len(word) == 1 or word in source)


def _credit_lines_in(block: lxml.html.HtmlElement, options: ExtractorOptions) -> list[str]:
    if len(element_text(block)) > options.max_credit_block_chars:
        return []
    lines = linearize(block, options=options).lines
    return [c for c in (credit_text(ln.text) for ln in lines if ln.image is None) if c]


def find_credit_lines(
    tree: lxml.html.HtmlElement,
    source: str | None = None,
    options: ExtractorOptions = DEFAULT_OPTIONS,
) -> list[str]:
    """Every credit line on the page (责编/审签/责任编辑 …), wherever it is printed.

    A credit in an inline element (``<span>编辑：X</span>`` inside a date and
    source line) counts on its own; otherwise its enclosing block is read line
    by line (``责编：X<br>审签：Y``). Given the page source, only the credit
    words it holds are looked for.
    """
    found: list[str] = []
    seen: set[lxml.html.HtmlElement] = set()
    for el in _credit_candidates(_credit_words_in(source))(tree):
        if el in seen or any(ancestor in seen for ancestor in el.iterancestors()):
            continue
        lines = _credit_lines_in(el, options)
        parent = el.getparent()
        if not lines and el.tag in _INLINE_TAGS and parent is not None:
            lines = _credit_lines_in(parent, options)
            if lines:
                el = parent
        if lines:
            seen.add(el)
            found += lines
    return found


# -- breadcrumbs ---------------------------------------------------------------------------


def _trail_text(el: lxml.html.HtmlElement) -> str:
    """The line of an element that holds its trail (the first with separators)."""
    lines = [ln.text for ln in linearize(el).lines if ln.image is None]
    for line in lines:
        located = _LOCATION.match(line)
        rest = line[located.end() :] if located else line
        if (_LABELLED_SEPARATOR if located else _SEPARATOR).search(rest):
            return line
    return " ".join(lines)


def breadcrumb_items(el: lxml.html.HtmlElement) -> list[str]:
    """Items of a breadcrumb element: split on ``>``-style separators, else its links."""
    text = _trail_text(el)
    located = _LOCATION.match(text)
    rest = text[located.end() :] if located else text
    separator = _LABELLED_SEPARATOR if located else _SEPARATOR
    if separator.search(rest):
        items = separator.split(rest)
    else:
        items = [element_text(a) for a in el.iter("a")]
    items = [item.strip() for item in items if item.strip()]
    if items:
        items[-1] = _TRAILING_WIDGETS.sub("", items[-1]) or items[-1]
    return items


def _breadcrumb_in(container: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement) -> list[str]:
    """The items of ``container`` when it reads as a location trail, else []."""
    links = [a for a in container.iter("a")]
    if len(links) < 2:
        return []
    text = _trail_text(container)
    located = _LOCATION.match(text)
    rest = text[located.end() :] if located else text
    separators = (_LABELLED_SEPARATOR if located else _SEPARATOR).findall(rest)
    if not separators:
        return []
    lead = (anchor.getparent().text or "").strip() if anchor.getparent() is not None else ""
    marked = located or _HOME.match(element_text(anchor)) or _HOME.match(lead)
    items = breadcrumb_items(container)
    if len(items) < 2:
        return []
    if not marked and not (len(separators) >= 2 and _reads_as_trail(text, items, links)):
        return []
    return items


def _reads_as_trail(text: str, items: list[str], links: list[lxml.html.HtmlElement]) -> bool:
    """Mostly link text, or every item but the last (the page itself) a link."""
    link_texts = [element_text(a) for a in links]
    if set(items[:-1]) <= set(link_texts):
        return True
    link_chars = sum(len("".join(t.split())) for t in link_texts)
    return link_chars * 2 >= len("".join(text.split()))


def _may_open_trail(a: lxml.html.HtmlElement) -> bool:
    """A link with text printed next to a separator, or a home link (a cheap first test)."""
    text = element_text(a)
    if not text:
        return False
    if _HOME.match(text):
        return True
    before = a.getprevious()
    after = a.getnext()
    beside = (
        a.tail,
        before.tail
        if before is not None
        else (a.getparent().text if a.getparent() is not None else None),
        after.text if after is not None else None,
    )
    return any(t and _SEPARATOR_CHAR.search(t) for t in beside)


def find_breadcrumb(
    tree: lxml.html.HtmlElement,
    stop: lxml.html.HtmlElement | None = None,
    options: ExtractorOptions = DEFAULT_OPTIONS,
) -> list[str]:
    """The channel path (``首页 > 学校动态 > 职业院校``) printed before ``stop`` (the headline).

    The smallest element around a link before the headline that holds at
    least two links separated by ``>``-style separators and starts with a
    home link or a "you are here" label (or is mostly links with at least two
    separators).
    """
    tags = ("a", stop.tag) if stop is not None else ("a",)
    rejected: set[lxml.html.HtmlElement] = set()
    for el in tree.iter(*tags):
        if el is stop:
            break
        if el.tag != "a" or not _may_open_trail(el):
            continue
        container = el.getparent()
        for _ in range(_CLIMB):
            if container is None:
                break
            if container not in rejected:
                if has_text(container, options.max_breadcrumb_chars + 1):
                    break
                items = _LABELLED_SEPARATOR.search(element_text(container)) and _breadcrumb_in(
                    container, el
                )
                if items:
                    return items
                rejected.add(container)
            container = container.getparent()
    return []


# -- pagers ----------------------------------------------------------------------------------


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
