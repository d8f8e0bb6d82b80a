"""Article page objects driven by a portal's ordered fallback selectors.

A portal declares, per field, XPath selectors tried in order
(:class:`PageSelectors`, read from its profile file); :class:`ArticlePage`
applies them to one parsed page, one method per field. What selectors cannot
pin down is found by text pattern (date / 来源 / 作者 labels, credit lines,
breadcrumb, captions), and a core field that stays empty (title, date, body)
is taken from the generic extractor, flagged ``fallback_extractor``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cached_property
from itertools import chain
from urllib.parse import urljoin, urlsplit

import lxml.html

from newscrawl.extraction.blocks import (
    breadcrumb_items,
    find_breadcrumb,
    find_credit_lines,
    find_trs_pager,
)
from newscrawl.extraction.body import BodyParts, split_body
from newscrawl.extraction.dom import (
    Line,
    element_text,
    has_text,
    linearize,
    parse_document,
    parse_html,
    remove_non_content,
)
from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.generic import extract_generic
from newscrawl.extraction.generic.score import is_good
from newscrawl.extraction.options import DEFAULT_OPTIONS, ExtractorOptions
from newscrawl.extraction.selectors import PageIndex, PageSelectors, Selector
from newscrawl.lexicon import LEXICON, any_of
from newscrawl.normalise.dates import date_from_url, parse_date_text

_L = LEXICON.labels
_LABELS = any_of({*_L.source, *_L.author, *_L.date, *_L.other})
_NEXT_LABEL = rf"(?=\s*(?:{_LABELS})\s*[:：]|\s+(?:{_LABELS})\s|$)"


def _label_value(labels: tuple[str, ...]) -> re.Pattern[str]:
    """``来源：X``, ``来源 X`` (the label in an element of its own), up to the next label."""
    return re.compile(
        rf"(?<![\u4e00-\u9fff])(?:{any_of(labels)})(?:\s*[:：]\s*|\s+)(.*?){_NEXT_LABEL}"
    )


_LABEL_VALUE = {"source": _label_value(_L.source), "author": _label_value(_L.author)}
_LABEL_PREFIX = re.compile(rf"^\s*(?:{_LABELS})\s*[:：]?\s*")
_META_SOURCE = {name.lower() for name in LEXICON.meta.source}
_CONTINUATION = re.compile(r"^(?P<stem>.+?)_(?P<n>\d{1,3})(?P<ext>\.[a-z]+)$")
_CONTINUATION_HREF = re.compile(r"_\d{1,3}\.[a-z]+(?:[?#].*)?$")

#: Fields whose absence sends the page through the generic extractor.
FALLBACK_FIELDS = ("title", "date", "body")
_FIELD_ATTRIBUTES = {"title": "title", "date": "published_raw", "body": "paragraphs"}
#: Below this overlap with the generic extractor's body, a suspect body is flagged.
_MIN_BODY_OVERLAP = 0.5


#: A value found by a profile selector has the origin ``profile:<selector>``.
PROFILE_ORIGIN = "profile:"


def _texts(page: ArticlePage, selectors: tuple[Selector, ...]) -> Iterator[tuple[str, str]]:
    """(origin, text) of the non-empty texts the selectors find, in selector order (lazily)."""
    for selector in selectors:
        for found in page.select(selector):
            text = found if isinstance(found, str) else element_text(found)
            text = text.strip()
            if text:
                yield PROFILE_ORIGIN + selector.text, text


def _first_element(
    page: ArticlePage, selectors: tuple[Selector, ...], min_chars: int = 1
) -> tuple[int, lxml.html.HtmlElement | None]:
    for index, selector in enumerate(selectors):
        for found in page.select(selector):
            if not isinstance(found, str) and has_text(found, min_chars):
                return index, found
    return -1, None


Found = tuple[str | None, str | None]
"""A field's value and its origin (:data:`~newscrawl.extraction.fields.ORIGINS`)."""


class ArticlePage:
    """One HTML page of an article, read with a portal's selectors."""

    def __init__(
        self,
        url: str,
        html: str,
        selectors: PageSelectors,
        options: ExtractorOptions = DEFAULT_OPTIONS,
    ) -> None:
        self.url = url
        self.html = html
        self.selectors = selectors
        self.options = options
        self._meta_found: dict[int, list[tuple[str, str]]] = {}
        self.tree, duplicate_ids = parse_document(html)
        self.index = PageIndex(self.tree, html, duplicate_ids)
        remove_non_content(self.tree, keep_head=True)
        for selector in selectors.compiled["drop"]:
            for el in self.select(selector):
                el.drop_tree()

    def select(self, selector: Selector) -> list:
        """What one profile selector finds on the page."""
        return selector.select(self.tree, self.index)

    # -- title ---------------------------------------------------------------

    @cached_property
    def _headline_match(self) -> tuple[int, lxml.html.HtmlElement | None]:
        return _first_element(self, self.selectors.compiled["title"])

    @property
    def headline_element(self) -> lxml.html.HtmlElement | None:
        return self._headline_match[1]

    def title(self) -> Found:
        """The headline and where it came from: the profile's selectors, else ``<title>``.

        ``<title>`` keeps its ``_栏目_站名`` suffix here; the record strips it.
        """
        index, element = self._headline_match
        if element is not None:
            return element_text(element), PROFILE_ORIGIN + self.selectors.title[index]
        origin, text = next(_texts(self, self.selectors.compiled["title"]), (None, None))
        if text:
            return text, origin
        head_title = self.tree.find("head/title")
        text = element_text(head_title) if head_title is not None else ""
        return (text, "title_tag") if text else (None, None)

    # -- date, source, author --------------------------------------------------

    def meta_texts(self) -> Iterator[tuple[str, str]]:
        """The meta selectors' (origin, text) pairs in order, each selector evaluated once and
        only when a reader gets that far (the date is usually in the first, 来源 and 作者
        soon after)."""
        for index, selector in enumerate(self.selectors.compiled["meta"]):
            found = self._meta_found.get(index)
            if found is None:
                found = self._meta_found[index] = list(_texts(self, (selector,)))
            yield from found

    def published_raw(self) -> Found:
        """The date text as printed, from the profile's date selectors, else its meta lines."""
        for origin, text in chain(_texts(self, self.selectors.compiled["date"]), self.meta_texts()):
            found = parse_date_text(text)
            if found:
                return found[2].strip(), origin
        return None, None

    def _labelled(self, key: str) -> Found:
        for origin, text in _texts(self, self.selectors.compiled[key]):
            match = _LABEL_VALUE[key].search(text)
            value = match.group(1) if match else _LABEL_PREFIX.sub("", text)
            if value.strip():
                return value.strip(), origin
        for origin, text in self.meta_texts():
            match = _LABEL_VALUE[key].search(text)
            if match and match.group(1).strip():
                return match.group(1).strip(), origin
        return None, None

    def source(self) -> Found:
        """The 来源 outlet and where it came from (the profile's lines, else ``<meta>``).

        One name: anything after it on the line (``A+ A-``) is not it.
        """
        value, origin = self._labelled("source")
        if value:
            return value.split()[0], origin
        for meta in self.tree.iterfind("head/meta"):
            if (meta.get("name") or "").strip().lower() in _META_SOURCE:
                content = (meta.get("content") or "").strip()
                if content:
                    return content.split()[0], "meta"
        return None, None

    def author(self) -> Found:
        return self._labelled("author")

    # -- body ------------------------------------------------------------------

    @cached_property
    def _body_match(self) -> tuple[int, lxml.html.HtmlElement | None]:
        return _first_element(self, self.selectors.compiled["body"], self.options.min_body_chars)

    @property
    def body_element(self) -> lxml.html.HtmlElement | None:
        return self._body_match[1]

    def layout(self) -> str:
        """The body selector that matched (names the template variant in stats)."""
        index = self._body_match[0]
        return self.selectors.body[index] if index >= 0 else "none"

    @cached_property
    def body_lines(self) -> list[Line]:
        if self.body_element is None:
            return []
        return linearize(self.body_element, options=self.options).lines

    @cached_property
    def body(self) -> BodyParts:
        return split_body(self.body_lines, self.url, self.options)

    def credit_lines(self) -> list[str]:
        return self.body.credit_lines + find_credit_lines(self.tree, self.html, self.options)

    def breadcrumb(self) -> list[str]:
        _, element = _first_element(self, self.selectors.compiled["breadcrumb"])
        if element is not None:
            return breadcrumb_items(element)
        return find_breadcrumb(self.tree, self.headline_element, self.options)

    # -- multi-page articles ---------------------------------------------------

    def other_pages(self) -> list[str]:
        """URLs of the article's later pages known from this page, in page order.

        From the TRS pager script (``createPageHTML`` / ``PAGE_COUNT``) on page
        one, and from links to ``<stem>_N.<ext>`` continuation pages.
        """
        name = urlsplit(self.url).path.rsplit("/", 1)[-1]
        match = _CONTINUATION.match(name)
        stem, ext, current = (
            (match["stem"], match["ext"], int(match["n"]))
            if match
            else (name.rsplit(".", 1)[0], "." + name.rsplit(".", 1)[-1], 0)
        )
        pages: dict[int, str] = {}
        pager = find_trs_pager(self.html)
        if pager is not None and pager.count > 1 and current == 0:
            for number in range(1, pager.count):
                pages[number] = urljoin(self.url, f"{stem}_{number}{ext}")
        # A link to a continuation page names its file: without that name in
        # the source there is none to look for among the page's links.
        links = self.tree.iter("a") if f"{stem}_" in self.html else ()
        for a in links:
            href = (a.get("href") or "").strip()
            if "_" not in href or not _CONTINUATION_HREF.search(href):
                continue
            target = urljoin(self.url, href)
            found = _CONTINUATION.match(urlsplit(target).path.rsplit("/", 1)[-1])
            if found and found["stem"] == stem and found["ext"] == ext:
                number = int(found["n"])
                if number > current and (number not in pages):
                    pages[number] = target.split("#", 1)[0]
        return [pages[n] for n in sorted(pages)]

    # -- the whole page --------------------------------------------------------

    def body_disagrees(self) -> bool:
        """Whether the body the profile chose looks doubtful (short, mostly links or little
        prose) and the generic extractor finds another text on the page: the selector
        caught a wrong block."""
        lines = [ln for ln in self.body_lines if ln.image is None]
        chars = sum(ln.chars for ln in lines)
        if not chars:
            return False
        links = sum(ln.link_chars for ln in lines)
        prose = sum(ln.chars for ln in lines if is_good(ln, self.options))
        long_enough = chars >= self.options.trusted_body_chars
        if long_enough and links * 3 < chars and prose * 2 >= chars:
            return False
        generic = extract_generic(parse_html(self.html), self.url, self.options)
        return text_overlap(self.body.paragraphs, generic.paragraphs) < _MIN_BODY_OVERLAP

    def to_fields(self) -> PageFields:
        body = self.body
        title, title_origin = self.title()
        published_raw, date_origin = self.published_raw()
        source, source_origin = self.source()
        author, author_origin = self.author()
        fields = PageFields(
            url=self.url,
            title=title,
            published_raw=published_raw,
            source=source,
            author=author,
            breadcrumb=self.breadcrumb(),
            paragraphs=body.paragraphs,
            images=body.images,
            credit_lines=self.credit_lines(),
            other_pages=self.other_pages(),
            extractor=f"{self.selectors.label}:{self.layout()}",
        )
        body_origin = PROFILE_ORIGIN + self.layout() if body.paragraphs else None
        origins = {
            "title": title_origin,
            "date": date_origin,
            "source": source_origin,
            "author": author_origin,
            "body": body_origin,
        }
        fields.provenance = {name: origin for name, origin in origins.items() if origin}
        missing = [name for name in FALLBACK_FIELDS if not fields.provenance.get(name)]
        if "date" in missing and date_from_url(self.url) is not None:
            # The URL dates the article better than a guess from elsewhere on the page.
            missing.remove("date")
            fields.provenance["date"] = "url"
        if missing:
            fill_from_generic(fields, self.html, missing)
        elif self.body_disagrees():
            fields.warnings.append("body_disagrees")
        return fields


def text_overlap(ours: list[str], theirs: list[str]) -> float:
    """How much two bodies share: F1 of their character bags (0 when either is empty)."""
    mine, other = Counter("".join("".join(ours).split())), Counter("".join("".join(theirs).split()))
    common = sum((mine & other).values())
    if not common:
        return 0.0
    precision, recall = common / sum(mine.values()), common / sum(other.values())
    return 2 * precision * recall / (precision + recall)


def fill_from_generic(fields: PageFields, html: str, missing: list[str]) -> None:
    """Take the missing core fields from the generic extractor, flagged ``fallback_<field>``."""
    generic = extract_generic(parse_html(html), fields.url)
    filled = []
    for name in missing:
        attribute = _FIELD_ATTRIBUTES[name]
        value = getattr(generic, attribute)
        if value:
            setattr(fields, attribute, value)
            filled.append(name)
            fields.provenance[name] = "generic"
            fields.warnings.append(f"fallback_{name}")
            if name == "body":
                fields.images = generic.images
                fields.credit_lines = fields.credit_lines + generic.credit_lines
    if filled:
        fields.warnings.append("fallback_extractor")
        fields.extractor += "+generic:" + ",".join(filled)
    if not fields.paragraphs and "no_body" not in fields.warnings:
        fields.warnings.append("no_body")
