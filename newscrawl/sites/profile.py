"""What a portal is: its domains, channels, URL shapes and page selectors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newscrawl.extraction.page import PageSelectors


@dataclass(frozen=True)
class SiteProfile:
    """Everything the crawler and extractor need to know about one portal."""

    name: str
    allowed_domains: tuple[str, ...]
    start_urls: tuple[str, ...]
    """Default channel list pages."""
    article_url: re.Pattern[str]
    """Matches the URL of an article's first page."""
    list_page_url: re.Pattern[str]
    """Matches list (channel) pages, including pagination pages."""
    selectors: PageSelectors
    title_suffixes: tuple[str, ...] = ()
    """Site names printed at the end of ``<title>`` (``_大众网``)."""
    list_item_containers: tuple[str, ...] = field(default=("li", "tr", "dd", "p", "div"))

    def is_article_url(self, url: str) -> bool:
        return bool(self.article_url.search(urlsplit(url).path))

    def is_list_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return path.endswith("/") or bool(self.list_page_url.search(path))

    def owns(self, url: str) -> bool:
        """True when the URL's host is one of the portal's domains or their sub-domains."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)
