"""Profile selectors, compiled so that most of them cost no scan of the page.

A profile lists dozens of selectors per portal, one set per template variant,
and a page of one variant holds the anchors of that variant only. A scan of
a large page costs a good fraction of parsing it, so a selector avoids it
where it can:

* one whose first step names an id runs from the element with that id,
  found in the id table the parser already keeps (:class:`PageIndex`), and
  costs nothing when the page has no such id;
* any other runs only if the page source holds every id, class name and
  (ASCII) string literal it requires, which rules out most selectors of the
  other template variants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from cssselect import HTMLTranslator, parse
from cssselect.parser import Attrib, Class, CombinedSelector, Function, Hash, Pseudo
from lxml import etree

_CSS = HTMLTranslator()
_XPATH_LITERAL = re.compile(r"'([^'\s]+)'|\"([^\"\s]+)\"")
_XPATH_ALTERNATIVES = re.compile(r"!=|\bnot\s*\(|\bor\b|\||translate\s*\(|lower-case\s*\(")
_BY_ID = etree.XPath("id($name)")


class PageIndex:
    """What selectors look up on one parsed page: its id table and its source.

    libxml2 registers each ``id`` attribute when it parses a page, keeping
    the first element of an id used twice (the parser reports the others;
    ``duplicate_ids`` lists those ids, whose elements are only found by a scan).
    """

    def __init__(
        self, tree: lxml.html.HtmlElement, source: str, duplicate_ids: frozenset[str]
    ) -> None:
        self.tree = tree
        self.source = source
        self.duplicate_ids = duplicate_ids

    def elements_with_id(self, element_id: str) -> list[lxml.html.HtmlElement] | None:
        """``[]`` or ``[the element]`` with this id; None when the table can't tell."""
        if element_id in self.duplicate_ids:
            return None
        found = _BY_ID(self.tree, name=element_id)
        if found:
            # A removed element stays in the table while something still refers to it.
            top = found[0]
            while (parent := top.getparent()) is not None:
                top = parent
            if top is not self.tree:
                return None
        return found


@dataclass(frozen=True)
class Selector:
    """One compiled profile selector (an XPath, or CSS written ``css:…``)."""

    text: str
    xpath: etree.XPath
    """The selector evaluated from the document."""
    anchor_id: str | None = None
    """The id the selector's first step requires (CSS only)."""
    from_anchor: etree.XPath | None = None
    """The selector evaluated from the element with that id."""
    needs: tuple[str, ...] = ()
    """Ids, class names and string literals the page source must hold for the
    selector to match (one written with character references is not recognised)."""

    def select(self, tree: lxml.html.HtmlElement, page: PageIndex | None = None) -> list:
        """What the selector finds on the page, in document order."""
        if page is not None:
            if self.from_anchor is not None and self.anchor_id is not None:
                anchors = page.elements_with_id(self.anchor_id)
                if anchors is not None:
                    return self.from_anchor(anchors[0]) if anchors else []
            source = page.source
            if not all(word in source for word in self.needs):
                return []
        return self.xpath(tree)


def compile_selector(selector: str) -> Selector:
    """Compile an XPath, or a CSS selector written ``css:…``."""
    if not selector.startswith("css:"):
        return Selector(selector, etree.XPath(selector), needs=_xpath_needs(selector))
    css = selector[4:].strip()
    xpath = etree.XPath(_CSS.css_to_xpath(css))
    anchor_id, names = _css_names(css)
    from_anchor = etree.XPath(_CSS.css_to_xpath(css, prefix="self::")) if anchor_id else None
    return Selector(selector, xpath, anchor_id, from_anchor, names)


def _css_names(css: str) -> tuple[str | None, tuple[str, ...]]:
    """The id of a single CSS selector's first step, and every id and class name it requires."""
    selectors = parse(css)
    if len(selectors) != 1 or selectors[0].pseudo_element is not None:
        return None, ()
    names: list[str] = []
    pending = [selectors[0].parsed_tree]
    while pending:
        node = pending.pop()
        if isinstance(node, Hash):
            names.append(node.id)
        elif isinstance(node, Class):
            names.append(node.class_name)
        if isinstance(node, CombinedSelector):
            pending += [node.subselector, node.selector]
        elif isinstance(node, (Hash, Class, Attrib, Pseudo, Function)):
            pending.append(node.selector)
    first = selectors[0].parsed_tree
    while isinstance(first, CombinedSelector):
        first = first.selector
    anchor_id = None
    while isinstance(first, (Hash, Class, Attrib, Pseudo, Function)):
        if isinstance(first, Hash):
            anchor_id = first.id
        first = first.selector
    return anchor_id, tuple(dict.fromkeys(names))


def _xpath_needs(xpath: str) -> tuple[str, ...]:
    """The ASCII string literals of an XPath without negation, alternatives or case folding.

    (Non-ASCII text may be written as character references in the source.)
    """
    if _XPATH_ALTERNATIVES.search(xpath):
        return ()
    literals = (a or b for a, b in _XPATH_LITERAL.findall(xpath))
    return tuple(literal for literal in literals if literal.isascii())


@dataclass(frozen=True)
class PageSelectors:
    """Ordered fallback selectors per field for one portal (first match wins).

    Each is an XPath or a CSS selector written ``css:…``; an XPath may end in
    ``/@attr`` (e.g. a ``<meta content>``) to yield text.
    """

    title: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    """Elements whose text holds the publication date."""
    source: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    meta: tuple[str, ...] = ()
    """Elements holding labelled ``时间/来源/作者`` text, read by label."""
    body: tuple[str, ...] = ()
    breadcrumb: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    """Elements removed before anything is read (nav, QR widgets, promos)."""
    label: str = ""
    """Names the selector set in the ``extractor`` field (the profile's name)."""
    compiled: dict[str, tuple[Selector, ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    FIELDS = ("title", "date", "source", "author", "meta", "body", "breadcrumb", "drop")

    def __post_init__(self) -> None:
        for name in self.FIELDS:
            self.compiled[name] = tuple(compile_selector(p) for p in getattr(self, name))
