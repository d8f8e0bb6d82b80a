"""lxml editing helpers for page variants: parse, serialise, splice HTML fragments.

The variants are edited as trees (so a mutation is made where the template
puts a block, not where a string happens to match) and written back with
lxml, which keeps comments, scripts and attribute order as they were.
"""

from __future__ import annotations

import re
from html import escape

import lxml.html

_WS = re.compile(r"[\s\u3000\u00a0]+")
_DOCTYPE = re.compile(r"^\s*<!DOCTYPE[^>]*>", re.IGNORECASE)
_HTTP_EQUIV = re.compile(r"<meta\s+http-equiv=[\"']?content-type[\"']?[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)

HtmlElement = lxml.html.HtmlElement


def squash(text: str | None) -> str:
    """The text without any whitespace (ASCII, ideographic or no-break spaces)."""
    return _WS.sub("", text or "")


def text_of(el: HtmlElement) -> str:
    """Visible text of an element (comments excluded), without whitespace."""
    return squash("".join(el.xpath(".//text()[not(parent::script or parent::style)]")))


def parse(html: str) -> HtmlElement:
    """A whole document, comments kept."""
    return lxml.html.document_fromstring(html)


def serialise(doc: HtmlElement, original: str) -> str:
    """The document as HTML text, with the original's doctype line and its
    ``<meta http-equiv="Content-Type">`` charset declaration (which lxml drops when
    it parses decoded text) back in place."""
    html = lxml.html.tostring(doc, encoding=str, method="html")
    declaration = _HTTP_EQUIV.search(original)
    if declaration and not _HTTP_EQUIV.search(html):
        html = _HEAD.sub(lambda m: m.group(0) + "\n" + declaration.group(0), html, count=1)
    doctype = _DOCTYPE.match(original)
    return (doctype.group(0).strip() + "\n" if doctype else "") + html + "\n"


def fragment(html: str) -> tuple[str, list[HtmlElement]]:
    """Leading text and elements of an HTML fragment (comments kept)."""
    parts = lxml.html.fragments_fromstring(html) if html.strip() else []
    lead = ""
    if parts and isinstance(parts[0], str):
        lead = parts.pop(0)
    return lead, parts


def _append_text(parent: HtmlElement, previous: HtmlElement | None, text: str) -> None:
    if not text:
        return
    if previous is None:
        parent.text = (parent.text or "") + text
    else:
        previous.tail = (previous.tail or "") + text


def inner_html(el: HtmlElement) -> str:
    """The element's content as HTML."""
    return escape(el.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding=str) for child in el
    )


def set_inner_html(el: HtmlElement, html: str) -> None:
    """Replace the element's content (its tail is kept)."""
    for child in list(el):
        el.remove(child)
    el.text = None
    lead, parts = fragment(html)
    el.text = lead or None
    for part in parts:
        el.append(part)


def insert_before(el: HtmlElement, html: str) -> list[HtmlElement]:
    """Insert a fragment right before an element; returns the inserted elements."""
    parent = el.getparent()
    lead, parts = fragment(html)
    previous = el.getprevious()
    _append_text(parent, previous, lead)
    index = parent.index(el)
    for offset, part in enumerate(parts):
        parent.insert(index + offset, part)
    return parts


def insert_after(el: HtmlElement, html: str) -> list[HtmlElement]:
    """Insert a fragment right after an element (after its tail)."""
    parent = el.getparent()
    lead, parts = fragment(html)
    tail, el.tail = el.tail, None
    el.tail = (tail or "") + lead if (tail or lead) else None
    index = parent.index(el)
    for offset, part in enumerate(parts, start=1):
        parent.insert(index + offset, part)
    return parts


def append_html(parent: HtmlElement, html: str) -> list[HtmlElement]:
    """Append a fragment at the end of an element's content."""
    lead, parts = fragment(html)
    last = parent[-1] if len(parent) else None
    _append_text(parent, last, lead)
    for part in parts:
        parent.append(part)
    return parts


def replace_with(el: HtmlElement, html: str) -> list[HtmlElement]:
    """Replace an element (not its tail) by a fragment."""
    parts = insert_before(el, html)
    remove(el)
    return parts


def remove(el: HtmlElement) -> None:
    """Remove an element and its content, keeping its tail text in place."""
    el.drop_tree()


def wrap(el: HtmlElement, tag: str, attrs: dict[str, str]) -> HtmlElement:
    """Put an element inside a new one, in its place."""
    wrapper = el.makeelement(tag, attrs)
    parent = el.getparent()
    parent.replace(el, wrapper)
    wrapper.tail, el.tail = el.tail, None
    wrapper.append(el)
    return wrapper


def deepest_with_text(root: HtmlElement, wanted: str, tags: tuple[str, ...] = ()) -> list:
    """Elements whose whole visible text is ``wanted`` (whitespace ignored), deepest first."""
    key = squash(wanted)
    found = [
        el
        for el in root.iter(*tags)
        if isinstance(el.tag, str)
        and el.tag not in ("html", "head", "title", "script", "style")
        and text_of(el) == key
    ]
    return [el for el in found if not any(text_of(c) == key for c in el if isinstance(c.tag, str))]
