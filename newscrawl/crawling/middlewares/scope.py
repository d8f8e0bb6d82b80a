"""Keep every request, redirects included, inside the crawl: its domains and its ports.

Scrapy's offsite filter checks host names only, lets ``dont_filter`` requests
through, and drops a filtered redirect without a trace. Pointed at
``http://127.0.0.1:8123/``, a crawl followed a redirect to ``http://127.0.0.1:8124/``
and exported pages of another local service. This filter replaces Scrapy's (same
place, priority 50) and adds:

* a host named by a start URL **with a port** is in scope on the ports the start
  URLs name for it only (``PortalSpider.allowed_ports``); hosts whose start URLs
  name no port keep Scrapy's rule (any port);
* the pages of an article (first pages, redirects of them, later pages, whether
  ``dont_filter`` or not) are checked when they are about to be downloaded, and a
  refusal raises :class:`OutOfScope`, so the request's errback counts and lists
  the article as failed (reason ``offsite`` or ``other_port``). Other requests are
  dropped when scheduled, as Scrapy does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import SplitResult, urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest

from newscrawl.crawling import keys
from newscrawl.urls import DEFAULT_PORTS


class OutOfScope(IgnoreRequest):
    """A request outside the crawl: ``reason`` is ``offsite`` or ``other_port``."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"outside the crawl ({reason}): {url}")
        self.reason = reason


def url_port(parts: SplitResult) -> int | None:
    """The port a URL goes to (the scheme's default when it names none; None if invalid)."""
    try:
        return parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None


def port_scope(start_urls: Iterable[str]) -> dict[str, frozenset[int]]:
    """Hosts that start URLs name with a port, and the ports they name for each.

    ``http://127.0.0.1:8123/a/`` → ``{"127.0.0.1": {8123}}``: other ports of that host
    are outside the crawl. A host named once without a port is not restricted.
    """
    named: dict[str, set[int]] = {}
    unrestricted: set[str] = set()
    for url in start_urls:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = url_port(parts)
        if not host or port is None:
            continue
        if parts.port is None:
            unrestricted.add(host)
        named.setdefault(host, set()).add(port)
    return {h: frozenset(p) for h, p in named.items() if h not in unrestricted}


def scope_refusal(
    url: str, allowed_domains: Iterable[str], allowed_ports: Mapping[str, frozenset[int]]
) -> str | None:
    """Why ``url`` is outside the crawl (``offsite``, ``other_port``), or None.

    In scope: a host that is one of ``allowed_domains`` or a sub-domain of one (any
    host when there are none), on one of the ports ``allowed_ports`` names for it.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    domains = [d.lower() for d in allowed_domains if d]
    if domains and not any(host == d or host.endswith("." + d) for d in domains):
        return "offsite"
    if host in allowed_ports and url_port(parts) not in allowed_ports[host]:
        return "other_port"
    return None


def _is_article(request: Request) -> bool:
    return bool(request.meta.get(keys.META_ARTICLE)) or keys.META_ASSEMBLY in request.meta


class ScopeMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, by host and (where start URLs name one) port."""

    def refusal(self, request: Request, spider: Spider) -> str | None:
        """None when the request is in scope, else why not (``offsite``, ``other_port``)."""
        if not super().should_follow(request, spider):
            return "offsite"
        ports = getattr(spider, "allowed_ports", None) or {}
        return scope_refusal(request.url, (), ports)

    def should_follow(self, request: Request, spider: Spider) -> bool:
        return self.refusal(request, spider) is None

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        if not _is_article(request):  # article pages are refused on download, with errback
            super().request_scheduled(request, spider)

    def process_request(self, request: Request) -> None:
        if not _is_article(request):
            super().process_request(request)
            return
        if request.meta.get("allow_offsite"):
            return
        assert self.crawler.spider
        reason = self.refusal(request, self.crawler.spider)
        if reason is None:
            return
        self.stats.inc_value("offsite/filtered")
        raise OutOfScope(request.url, reason)
