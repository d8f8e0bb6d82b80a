"""What a portal is: its domains, channels, URL shapes and page selectors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from newscrawl.extraction.selectors import PageSelectors
from newscrawl.urls import TRACKING_PARAMS, canonical_url

#: URL paths that look like articles on Chinese news portals: TRS ``t20250523_1``
#: / ``t3675001`` names, dated directories (``/202505/``, ``/2025-05-23/``,
#: ``/2025/0523/``, ``/2025/05/23/``), ``content_123`` and long numeric ids.
ARTICLE_LIKE_URL = re.compile(
    r"(?:/t\d{8}_\d+|/t\d{6,}|/\d{4}[-/]?\d{2}[-/]?\d{2}/[^/]+|/\d{6}/[^/]+|"
    r"/content_\d+[^/]*|/\d{8,}[^/]*)\.(?:s?html?)$"
)


@dataclass(frozen=True)
class SiteProfile:
    """Everything the crawler and extractor need to know about one portal."""

    name: str
    allowed_domains: tuple[str, ...]
    start_urls: tuple[str, ...]
    """Default channel list pages."""
    article_url: re.Pattern[str]
    """Matches the URL path of an article's first page."""
    list_page_url: re.Pattern[str]
    """Matches list (channel) page paths, including pagination pages."""
    selectors: PageSelectors
    pagination: re.Pattern[str] | None = None
    """Captures N in the file name of a later list page (``index_N.htm``)."""
    first_page_number: int = 1
    """The N printed on the second list page (1 for ``index_1.htm``, 2 for ``2.html``)."""
    title_suffixes: tuple[str, ...] = ()
    """Site names printed at the end of ``<title>`` (``_站名``)."""
    min_link_chars: int = 0
    """Article links must have at least this much link text (the generic spider)."""
    title_separator: str = ""
    """Separator of the ``<title>`` suffix (``标题_栏目_站名``); empty: any of the usual ones."""
    display_name: str = ""
    keep_query: tuple[str, ...] | None = None
    """The query parameters that name an article (``urls.keep_query``); the others are
    dropped from its canonical URL. None: every parameter but the tracking ones is kept."""
    source_file: str = ""

    @property
    def generic(self) -> bool:
        """True for the profile-free spider (no selectors of its own)."""
        return not self.selectors.body

    def is_article_url(self, url: str) -> bool:
        return bool(self.article_url.search(urlsplit(url).path))

    def is_list_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return path.endswith("/") or bool(self.list_page_url.search(path))

    def page_index(self, url: str) -> int | None:
        """0-based position of a list page in its channel (None when not recognisable)."""
        if self.pagination is None:
            return None
        match = self.pagination.search(urlsplit(url).path.rsplit("/", 1)[-1])
        if match is None:
            return None
        return int(match.group(1)) - self.first_page_number + 1

    def canonical_url(self, url: str, tracking_params: Sequence[str] = TRACKING_PARAMS) -> str:
        """The URL that identifies the article at ``url`` (:func:`newscrawl.urls.canonical_url`)."""
        return canonical_url(url, keep_query=self.keep_query, drop_query=tracking_params)

    def owns(self, url: str) -> bool:
        """True when the URL's host is one of the portal's domains or their sub-domains."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)
