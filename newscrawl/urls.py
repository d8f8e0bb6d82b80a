"""One URL per article: the canonical form that record ids and the state store use.

``http://WWW.Example.cn:80/a/../news/t1.htm?utm_source=x&from=list#top`` and
``http://www.example.cn/news/t1.htm`` name the same article; both become the
second. The form is w3lib's :func:`~w3lib.url.canonicalize_url` (lower-case scheme
and host, ``.``/``..`` segments resolved, percent-encoding normalised, query
arguments sorted, no fragment) plus: the scheme's default port dropped, tracking
query parameters dropped (``NEWSCRAWL_TRACKING_PARAMS``), and, for a portal whose
profile names the parameters that identify an article (``urls.keep_query``),
every other parameter dropped. No Scrapy.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fnmatch import fnmatchcase
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from newscrawl.settings import NEWSCRAWL_TRACKING_PARAMS

#: Query parameters that only say where a reader came from (``fnmatch`` patterns,
#: matched case-insensitively): the default of ``NEWSCRAWL_TRACKING_PARAMS``.
TRACKING_PARAMS: tuple[str, ...] = tuple(NEWSCRAWL_TRACKING_PARAMS)

DEFAULT_PORTS = {"http": 80, "https": 443}


def _param_name(pair: str) -> str:
    return unquote_plus(pair.partition("=")[0]).strip().lower()


def _kept_query(query: str, keep_query: Collection[str] | None, drop_query: Sequence[str]) -> str:
    kept_names = {name.lower() for name in keep_query} if keep_query is not None else None
    pairs = []
    for pair in query.split("&"):
        name = _param_name(pair)
        if not name:
            continue
        if kept_names is not None:
            if name in kept_names:
                pairs.append(pair)
        elif not any(fnmatchcase(name, pattern.lower()) for pattern in drop_query):
            pairs.append(pair)
    return "&".join(pairs)


def _without_default_port(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return url
    if port is None or DEFAULT_PORTS.get(parts.scheme) != port:
        return url
    netloc = parts.netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def canonical_url(
    url: str,
    *,
    keep_query: Collection[str] | None = None,
    drop_query: Sequence[str] = TRACKING_PARAMS,
) -> str:
    """The canonical form of ``url`` (see the module docstring).

    ``keep_query``: the only query parameters kept (None: all but ``drop_query``);
    ``drop_query``: ``fnmatch`` patterns of parameters dropped (``utm_*``).
    """
    parts = urlsplit(url.strip())
    query = _kept_query(parts.query, keep_query, drop_query)
    rebuilt = urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", query, ""))
    return _without_default_port(canonicalize_url(rebuilt, keep_fragments=False))
