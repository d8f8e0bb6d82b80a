"""Article page objects driven by ordered fallback selectors.

A portal declares, per field, XPath selectors tried in order
(:class:`PageSelectors`); :class:`ArticlePage` applies them to one parsed page,
one method per field, and falls back to text patterns for what selectors cannot
pin down (date/source/author labels, credits, breadcrumb, captions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newscrawl.extraction.blocks import (
    BodyParts,
    find_breadcrumb,
    find_credit_lines,
    find_trs_pager,
    split_body,
)
from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.html import body_lines, drop_elements, element_text, parse_html
from newscrawl.normalise.dates import parse_date_text

_LABELS = r"来源|作者|编辑|责任编辑|责编|时间|发布时间|日期|点击|浏览|字号|记者|通讯员|稿源|出处"
_LABEL_VALUE = {
    "source": re.compile(rf"(?:来源|稿源|出处)\s*[:：]\s*(.*?)(?=\s*(?:{_LABELS})\s*[:：]|$)"),
    "author": re.compile(rf"作者\s*[:：]\s*(.*?)(?=\s*(?:{_LABELS})\s*[:：]|$)"),
}
_MIN_BODY_CHARS = 20


def _xpaths(paths: list[str] | tuple[str, ...]) -> tuple[etree.XPath, ...]:
    return tuple(etree.XPath(p) for p in paths)


@dataclass(frozen=True)
class PageSelectors:
    """Ordered fallback XPaths per field for one portal (first match wins)."""

    title: tuple[str, ...] = ("//h1",)
    meta: tuple[str, ...] = ()
    """Elements holding the date / 来源 / 作者 line(s)."""
    body: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    """Elements removed before anything is read (nav, QR widgets, promos)."""
    title_separator: str = "_"
    """Separator of the ``<title>`` suffix (``标题_栏目_站名``)."""
    compiled: dict[str, tuple[etree.XPath, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for name in ("title", "meta", "body", "drop"):
            self.compiled[name] = _xpaths(getattr(self, name))


def _first(tree: lxml.html.HtmlElement, paths: tuple[etree.XPath, ...], min_chars: int = 1):
    for xpath in paths:
        for el in xpath(tree):
            if isinstance(el, str):
                if el.strip():
                    return el
            elif len(element_text(el)) >= min_chars:
                return el
    return None


class ArticlePage:
    """One HTML page of an article, read with a portal's selectors."""

    def __init__(self, url: str, html: str, selectors: PageSelectors, site: str) -> None:
        self.url = url
        self.html = html
        self.selectors = selectors
        self.site = site
        self.tree = parse_html(html)
        drop_elements(self.tree)
        for xpath in selectors.compiled["drop"]:
            for el in xpath(self.tree):
                el.drop_tree()

    @cached_property
    def headline_element(self) -> lxml.html.HtmlElement | None:
        return _first(self.tree, self.selectors.compiled["title"])

    def title(self) -> str | None:
        if self.headline_element is not None:
            return element_text(self.headline_element)
        head_title = self.tree.find(".//title")
        if head_title is not None and head_title.text:
            return head_title.text.split(self.selectors.title_separator)[0].strip() or None
        return None

    @cached_property
    def meta_texts(self) -> list[str]:
        texts = []
        for xpath in self.selectors.compiled["meta"]:
            for el in xpath(self.tree):
                text = el if isinstance(el, str) else element_text(el)
                if text.strip():
                    texts.append(text.strip())
        return texts

    def published_raw(self) -> str | None:
        for text in self.meta_texts:
            found = parse_date_text(text)
            if found:
                return found[2].strip()
        return None

    def _labelled(self, key: str) -> str | None:
        for text in self.meta_texts:
            match = _LABEL_VALUE[key].search(text)
            if match and match.group(1).strip():
                return match.group(1).strip()
        return None

    def source(self) -> str | None:
        return self._labelled("source") or self._meta_tag("source")

    def author(self) -> str | None:
        return self._labelled("author") or self._meta_tag("author")

    def _meta_tag(self, name: str) -> str | None:
        for el in self.tree.iter("meta"):
            if (el.get("name") or "").lower() == name and (el.get("content") or "").strip():
                return el.get("content").strip()
        return None

    @cached_property
    def body_element(self) -> lxml.html.HtmlElement | None:
        return _first(self.tree, self.selectors.compiled["body"], _MIN_BODY_CHARS)

    @cached_property
    def body(self) -> BodyParts:
        if self.body_element is None:
            return BodyParts()
        return split_body(body_lines(self.body_element, self.url))

    def credit_lines(self) -> list[str]:
        return self.body.credit_lines + find_credit_lines(self.tree, self.url)

    def breadcrumb(self) -> list[str]:
        return find_breadcrumb(self.tree, self.headline_element)

    def other_pages(self) -> list[str]:
        """URLs of the article's pages after this one (only known on page one)."""
        pager = find_trs_pager(self.html)
        if pager is None or pager.count <= 1 or pager.index != 0:
            return []
        if not pager.name:
            stem, _, ext = self.url.rsplit("/", 1)[-1].partition(".")
            pager = type(pager)(pager.count, 0, stem, ext or "htm")
        return pager.page_urls(self.url)[1:]

    def layout(self) -> str:
        """Name of the body selector that matched, for stats and debugging."""
        for path, xpath in zip(self.selectors.body, self.selectors.compiled["body"], strict=True):
            if self.body_element is not None and self.body_element in xpath(self.tree):
                return path
        return "none"

    def to_fields(self) -> PageFields:
        body = self.body
        warnings = [] if self.body_element is not None else ["no_body"]
        return PageFields(
            url=self.url,
            title=self.title(),
            published_raw=self.published_raw(),
            source=self.source(),
            author=self.author(),
            breadcrumb=self.breadcrumb(),
            paragraphs=body.paragraphs,
            images=body.images,
            credit_lines=self.credit_lines(),
            other_pages=self.other_pages(),
            extractor=f"{self.site}:{self.layout()}",
            warnings=warnings,
        )


def absolute(url: str, base: str) -> str:
    """``url`` resolved against ``base``."""
    return urljoin(base, url)
