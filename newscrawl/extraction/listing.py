"""Channel list pages: the article links they hold and the pages that follow them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urldefrag, urlsplit

import lxml.html

from newscrawl.extraction.blocks import find_trs_pager
from newscrawl.extraction.dom import element_text, parse_html, remove_non_content
from newscrawl.normalise.dates import date_from_url, parse_date_text

_NEXT_TEXT = re.compile(r"^(下一页|下页|后一页|下一頁|next|Next|>|›|»)$")
_ITEM_TAGS = frozenset(("li", "tr", "dd", "dt", "p", "div", "td"))
_MAX_ITEM_CHARS = 300


@dataclass(frozen=True)
class ListItem:
    """An article link on a list page, with the date printed beside it (if any)."""

    url: str
    title: str
    date: dt.date | None


def _item_date(anchor: lxml.html.HtmlElement) -> dt.date | None:
    """The date printed in the list item holding the link."""
    node = anchor.getparent()
    while node is not None and node.tag not in _ITEM_TAGS:
        node = node.getparent()
    for _ in range(2):
        if node is None:
            break
        text = element_text(node)
        if len(text) > _MAX_ITEM_CHARS:
            break
        found = parse_date_text(text)
        if found:
            return found[0]
        node = node.getparent()
    return None


class LinkRules(Protocol):
    """What a list page needs to know of its portal (a site profile provides it)."""

    min_link_chars: int

    def is_article_url(self, url: str) -> bool: ...

    def is_list_url(self, url: str) -> bool: ...

    def page_index(self, url: str) -> int | None: ...


class ListPage:
    """A channel list page of a portal."""

    def __init__(self, url: str, html: str, profile: LinkRules) -> None:
        self.url = url
        self.html = html
        self.profile = profile
        self.tree = parse_html(html)
        remove_non_content(self.tree)
        self.tree.make_links_absolute(url, resolve_base_href=True, handle_failures="ignore")

    def _anchors(self):
        for a in self.tree.iter("a"):
            href = a.get("href")
            if href and href.startswith(("http://", "https://")):
                yield urldefrag(href)[0], a

    def items(self) -> list[ListItem]:
        """Article links in page order, each once."""
        seen: set[str] = set()
        items = []
        for url, a in self._anchors():
            if url in seen or not self.profile.is_article_url(url):
                continue
            title = element_text(a)
            if len(title) < self.profile.min_link_chars:
                continue
            seen.add(url)
            items.append(ListItem(url=url, title=title, date=_item_date(a) or date_from_url(url)))
        return items

    def next_page(self, current: int) -> str | None:
        """URL of the channel's list page after page ``current`` (0 = the first), if any.

        Taken from the TRS ``createPageHTML(count, index, name, ext)`` script
        (on many channels the only trace of the pager in the HTML), from pager
        links whose file name gives their page number, or from a 下一页 link.
        """
        directory = self.url.rsplit("/", 1)[0] + "/"
        pager = find_trs_pager(self.html)
        if pager is not None and pager.name and current + 1 < pager.count:
            return pager.page_urls(directory)[current + 1]
        next_text = None
        for url, a in self._anchors():
            if url == self.url or urlsplit(url).netloc != urlsplit(self.url).netloc:
                continue
            if not self.profile.is_list_url(url):
                continue
            if self.profile.page_index(url) == current + 1:
                return url
            if next_text is None and _NEXT_TEXT.match(element_text(a)):
                next_text = url
        return next_text
