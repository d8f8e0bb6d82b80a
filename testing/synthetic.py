"""A synthetic dzwww-shaped portal of any size, generated on request (for benchmarks).

:class:`SyntheticPortal` describes a portal of *N* fictional articles spread over
a few channels, deterministic from a seed: the same seed and size give the same
URLs and the same bytes for every page. Nothing is written to disk; each page is
rendered when it is requested.

* Articles use the variant-C markup of the fixture site (``div#news-head h2``,
  ``div#news-side`` with date / 来源 / 作者, ``div#news-body``, credit block (a)
  printed twice, a related box), 60–100 KB per page, of which 2–6 KB (UTF-8)
  is body text; the rest is the template: inline styles, scripts, the nav
  bar, the 融媒体矩阵 dropdown, side columns of links and the footer.
* Channel list pages hold 20–40 items (newest first, each with its date) and
  are paginated ``index.htm``, ``index_1.htm`` … with the TRS
  ``createPageHTML(count, index, "index", "htm")`` script as the only pager.
* ``/robots.txt`` disallows ``/sd/private/`` (nothing links there).

:class:`SyntheticServer` serves a portal on 127.0.0.1 (HTTP/1.1, keep-alive)
from a daemon thread, like :class:`~newscrawl.replica.ReplicaServer`, and
records every request path. Run it from the repository root with
``python -m testing.synthetic --articles 2000``.

The page text comes from :mod:`testing.synthetic_text`, the template chrome
around it from :mod:`testing.synthetic_templates`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newscrawl.replica.server import LocalHTTPServer, serve_until_signalled
from testing.synthetic_templates import (
    FOOTER,
    PAGER_JS,
    SIDE_BOXES,
    hot_data_js,
    page_head,
    stylesheet,
    top_and_nav,
)
from testing.synthetic_text import (
    ACTIONS,
    DISTRICTS,
    PLACES,
    SOURCES,
    escape_html,
    headline,
    person_name,
    sentence,
)

__all__ = [
    "DEFAULT_CHANNELS",
    "DEFAULT_SEED",
    "MAX_LIST_ITEMS",
    "MIN_LIST_ITEMS",
    "ROBOTS_TXT",
    "Channel",
    "SyntheticArticle",
    "SyntheticPortal",
    "SyntheticServer",
    "main",
]

DEFAULT_SEED = 20250523
MIN_LIST_ITEMS = 20
MAX_LIST_ITEMS = 40
MIN_PAGE_BYTES = 60_000
MAX_PAGE_BYTES = 100_000
MIN_BODY_TEXT_BYTES = 2_048
MAX_BODY_TEXT_BYTES = 6_144

ROBOTS_TXT = b"User-agent: *\nDisallow: /sd/private/\n"

_NEWEST = dt.datetime(2025, 10, 28, 18, 30)
_FIRST_DOCID = 16_900_000


@dataclass(frozen=True)
class Channel:
    """A channel: sub-site, path under it, name and breadcrumb."""

    site: str
    path: str
    name: str
    crumbs: tuple[str, ...]

    @property
    def prefix(self) -> str:
        """URL path of the channel directory, e.g. ``/www/news/yw/``."""
        return f"/{self.site}/{self.path}/"


DEFAULT_CHANNELS = (
    Channel("www", "xinwen/shehuixinwen", "社会新闻", ("首页", "新闻", "社会新闻")),
    Channel("www", "news/yw", "要闻", ("首页", "要闻")),
    Channel("sd", "sdnews", "山东新闻", ("首页", "山东", "山东新闻")),
    Channel("edu", "dzjyxw/jyzytt2", "教育资讯", ("首页", "教育", "教育资讯")),
    Channel("www", "finance/jrtt", "财经头条", ("首页", "财经", "财经头条")),
)


@dataclass(frozen=True)
class SyntheticArticle:
    """One article of the portal: where it lives and what its list item shows."""

    path: str
    channel: int
    docid: int
    published: dt.datetime
    title: str


# -- the portal ----------------------------------------------------------------------

_LIST_PAGE = re.compile(r"^index(?:_(\d+))?\.htm$")


class SyntheticPortal:
    """A dzwww-shaped portal of ``articles`` articles, deterministic from ``seed``.

    Each article goes to a channel drawn at random (seeded); articles are
    dated newest first, one every 5–60 minutes going back from 2025-10-28
    18:30 (Beijing time). ``articles`` lists them all, ``by_channel`` per
    channel, ``pages`` the list pages of each channel (lists of articles).
    :meth:`render` returns any page's status, headers and bytes.
    """

    def __init__(
        self,
        articles: int = 2000,
        seed: int = DEFAULT_SEED,
        channels: tuple[Channel, ...] = DEFAULT_CHANNELS,
    ) -> None:
        if articles < 1:
            raise ValueError("a synthetic portal needs at least one article")
        self.seed = seed
        self.channels = channels
        rng = random.Random(f"{seed}:catalog")
        self.articles: list[SyntheticArticle] = []
        self.by_channel: list[list[SyntheticArticle]] = [[] for _ in channels]
        when = _NEWEST
        docid = _FIRST_DOCID
        for _ in range(articles):
            when -= dt.timedelta(minutes=rng.randint(5, 60))
            docid -= rng.randint(1, 40)
            index = rng.randrange(len(channels))
            channel = channels[index]
            path = f"{channel.prefix}{when:%Y%m}/t{when:%Y%m%d}_{docid}.htm"
            article = SyntheticArticle(path, index, docid, when, headline(rng))
            self.articles.append(article)
            self.by_channel[index].append(article)
        self.by_path = {a.path: a for a in self.articles}
        self.pages: list[list[list[SyntheticArticle]]] = [
            self._paginate(items, rng) for items in self.by_channel
        ]
        self._rank = {a.path: n for items in self.by_channel for n, a in enumerate(items)}
        self._prefixes = {c.prefix: i for i, c in enumerate(channels)}
        self._style = stylesheet()
        self._hot_js = hot_data_js(random.Random(f"{seed}:hot"), _FIRST_DOCID + 7000)
        self._top = top_and_nav()
        self._filler = self._filler_pool(random.Random(f"{seed}:filler"))
        self._filler_sizes = [len(item) for item in self._filler]

    @staticmethod
    def _paginate(items: list[SyntheticArticle], rng: random.Random) -> list[list]:
        """Split a channel's articles into list pages of 20–40 items."""
        pages: list[list[SyntheticArticle]] = []
        start, remaining = 0, len(items)
        while remaining > MAX_LIST_ITEMS:
            size = rng.randint(MIN_LIST_ITEMS, MAX_LIST_ITEMS)
            if remaining - size < MIN_LIST_ITEMS:
                size = remaining - MIN_LIST_ITEMS
            pages.append(items[start : start + size])
            start += size
            remaining -= size
        pages.append(items[start:])
        return pages

    # -- catalogue -------------------------------------------------------------------

    def channel_paths(self) -> list[str]:
        """The channel directory paths (start URLs relative to the server)."""
        return [c.prefix for c in self.channels]

    def list_page_paths(self) -> list[str]:
        """Every list page path, ``<channel>/`` for the first page, ``index_N.htm`` after."""
        paths = []
        for channel, pages in zip(self.channels, self.pages, strict=True):
            paths.append(channel.prefix)
            paths += [f"{channel.prefix}index_{n}.htm" for n in range(1, len(pages))]
        return paths

    def article_paths(self) -> list[str]:
        """Every article path, newest first."""
        return [a.path for a in self.articles]

    @property
    def max_list_pages(self) -> int:
        """The largest number of list pages of any channel."""
        return max(len(pages) for pages in self.pages)

    # -- rendering -------------------------------------------------------------------

    def render(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """``(status, headers, body)`` for a request path (query ignored)."""
        path = unquote(urlsplit(raw_path).path)
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, ROBOTS_TXT
        article = self.by_path.get(path)
        if article is not None:
            return 200, {"Content-Type": "text/html"}, self.article_page(article)
        directory, _, name = path.rpartition("/")
        channel = self._prefixes.get(directory + "/")
        if channel is not None:
            number = self._list_page_number(name)
            if number is not None and number < len(self.pages[channel]):
                return 200, {"Content-Type": "text/html"}, self.list_page(channel, number)
        if path + "/" in self._prefixes:
            return 301, {"Location": path + "/"}, b""
        return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404 Not Found</h1>\n"

    @staticmethod
    def _list_page_number(name: str) -> int | None:
        """0 for ``""``/``index.htm``, N for ``index_N.htm`` (N ≥ 1, no leading zero)."""
        if name in ("", "index.htm"):
            return 0
        match = _LIST_PAGE.match(name)
        if match is None or match.group(1) is None or match.group(1).startswith("0"):
            return None
        return int(match.group(1))

    def _filler_pool(self, rng: random.Random) -> list[bytes]:
        """Side-column link items (absolute links to the live portal, never article-shaped)."""
        items = []
        for n in range(600):
            title = escape_html(headline(rng))
            sub = rng.choice(("www", "sd", "edu", "finance", "health", "travel"))
            day = (_NEWEST - dt.timedelta(days=rng.randrange(400))).strftime("%m-%d")
            items.append(
                f'      <li><a href="http://{sub}.dzwww.com/zt/{n:04d}/" target="_blank" '
                f'title="{title}">{title}</a><span class="time">{day}</span></li>\n'.encode()
            )
        return items

    def _side(self, rng: random.Random, budget: int) -> bytes:
        """Side boxes of link items adding up to about ``budget`` bytes."""
        if budget <= 0:
            return b""
        out = [b'<div class="news-right">\n']
        used = len(out[0])
        start = rng.randrange(len(self._filler))
        n = 0
        while used < budget:
            if n % 20 == 0:
                if n:
                    out.append(b"    </ul>\n  </div>\n")
                box = SIDE_BOXES[(n // 20) % len(SIDE_BOXES)]
                head = (
                    f'  <div class="side-box">\n    <div class="tab"><span class="on">{box}</span>'
                    f'<a class="more" href="http://www.dzwww.com/" target="_blank">更多</a>'
                    f'</div>\n    <ul class="con">\n'
                ).encode()
                out.append(head)
                used += len(head) + 20
            item = self._filler[(start + n) % len(self._filler)]
            out.append(item)
            used += len(item)
            n += 1
        out.append(b"    </ul>\n  </div>\n</div>\n")
        return b"".join(out)

    def _position(self, channel: Channel) -> str:
        links = ['<a href="http://www.dzwww.com/" target="_blank">首页</a>']
        for crumb in channel.crumbs[1:-1]:
            links.append(f'<a href="http://www.dzwww.com/" target="_blank">{crumb}</a>')
        links.append(f'<a href="{channel.prefix}">{channel.crumbs[-1]}</a>')
        return '  <div class="position">' + " &gt;".join(links) + "</div>\n"

    def article_page(self, article: SyntheticArticle) -> bytes:
        """The variant-C page of one article (60–100 KB, UTF-8)."""
        rng = random.Random(f"{self.seed}:{article.path}")
        channel = self.channels[article.channel]
        target = rng.randint(MIN_PAGE_BYTES, MAX_PAGE_BYTES)
        place = rng.choice(PLACES)
        district = DISTRICTS[PLACES.index(place)]
        when = article.published
        source = rng.choice(SOURCES)
        authors = [person_name(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
        editor, reviewer = person_name(rng), person_name(rng)
        title = escape_html(article.title)

        paragraphs: list[str] = []
        text_bytes = 0
        wanted = rng.randint(MIN_BODY_TEXT_BYTES, MAX_BODY_TEXT_BYTES)
        lead = f"{when.month}月{when.day}日，" + sentence(rng, place)
        paragraphs.append(lead)
        text_bytes += len(lead.encode())
        while text_bytes < wanted:
            para = "".join(sentence(rng, place) for _ in range(rng.randint(2, 4)))
            paragraphs.append(para)
            text_bytes += len(para.encode())
        body = [f"      <p>　　{escape_html(p)}</p>\n" for p in paragraphs]
        for number in range(rng.choice((0, 1, 1, 2))):
            at = rng.randint(1, len(body) - 1)
            serial = f"{article.docid % 1000:03d}{number}{rng.randrange(10**8):08d}"
            image = f"W0{when:%Y%m%d}{serial}.jpg"
            body.insert(
                at,
                f'      <p style="text-align: center"><img src="./{image}" oldsrc="{image}" '
                f'width="600" height="400" alt="" title=""></p>\n'
                f'      <p style="text-align: center">{place}{district}'
                f"{rng.choice(ACTIONS)}现场</p>\n",
            )
        credit = f"责编：{editor}　审签：{reviewer}"
        body.append(f"      <p>{credit}</p>\n")
        siblings = self.by_channel[article.channel]
        at = self._rank[article.path]
        related = siblings[max(0, at - 3) : at] + siblings[at + 1 : at + 4]
        related_items = "".join(
            f'      <li><a href="../{r.published:%Y%m}/t{r.published:%Y%m%d}_{r.docid}.htm" '
            f'target="_blank">{escape_html(r.title)}</a></li>\n'
            for r in related
        )
        clock = f" {when:%H:%M}" if rng.random() < 0.7 else ""
        author_text = rng.choice((" ", "、")).join(authors)
        description = escape_html(paragraphs[0][:60])
        meta = (
            f'<meta name="keywords" content="{place},{channel.name},大众网">\n'
            f'<meta name="description" content="{description}">\n'
            f'<meta name="publishdate" content="{when:%Y-%m-%d}">\n'
            f'<meta name="source" content="{source}">\n'
        )
        head = page_head(f"{title}_{channel.name}_大众网", meta, "", self._style, self._hot_js)
        main = (
            f"{self._position(channel)}"
            f'  <div id="news-head">\n    <h2>{title}</h2>\n  </div>\n'
            f'  <div class="news-main clearfix">\n'
            f'    <div id="news-side">\n'
            f'      <div class="date">\n        {when:%Y}\n'
            f"        / <label>{when:%m/%d}{clock}</label>\n      </div>\n"
            f'      <div class="text">\n        <h5>来源:</h5>\n        <p>{source}</p>\n'
            f"      </div>\n"
            f'      <div class="text">\n        <h5>作者:</h5>\n        <p>{author_text}</p>\n'
            f"      </div>\n"
            f'      <div class="code">\n        <div id="qrcode"><img src="http://www.dzwww.com/'
            f'tpl/v2019/images/qrcode_m.png" alt="二维码"></div>\n        <p>手机查看</p>\n'
            f"      </div>\n    </div>\n"
            f'    <div id="news-body">\n{"".join(body)}    </div>\n  </div>\n'
            f'  <div class="zrbj">\n    <p>{credit}</p>\n  </div>\n'
            f'  <div class="xgtj">\n    <h3>相关推荐 <a class="hyh" href="javascript:void(0)">'
            f"换一换</a></h3>\n    <ul>\n{related_items}    </ul>\n  </div>\n"
        )
        before = (head + self._top + '<div class="container">\n' + main).encode()
        after = ("</div>\n" + FOOTER).encode()
        side = self._side(rng, target - len(before) - len(after))
        return before + side + after

    def list_page(self, channel_index: int, number: int) -> bytes:
        """List page ``number`` (0 = ``index.htm``) of a channel."""
        channel = self.channels[channel_index]
        pages = self.pages[channel_index]
        rng = random.Random(f"{self.seed}:{channel.prefix}:{number}")
        items = []
        for article in pages[number]:
            summary = escape_html(sentence(random.Random(article.docid), rng.choice(PLACES)))
            clock = f" {article.published:%H:%M}" if article.docid % 3 else ""
            items.append(
                f'    <div class="list-item">\n'
                f'      <h3><a href="./{article.published:%Y%m}/t{article.published:%Y%m%d}_'
                f'{article.docid}.htm" target="_blank">{escape_html(article.title)}</a></h3>\n'
                f'      <p class="summary">{summary}</p>\n'
                f'      <span class="time">{article.published:%Y-%m-%d}{clock}</span>\n'
                f"    </div>\n"
            )
        meta = (
            f'<meta name="keywords" content="大众网,{channel.name},山东新闻">\n'
            f'<meta name="description" content="大众网{channel.name}频道，'
            f'权威发布山东及国内外新闻。">\n'
        )
        pager_js = f'<script type="text/javascript">{PAGER_JS}</script>\n'
        head = page_head(f"{channel.name}_大众网", meta, pager_js, self._style, self._hot_js)
        main = (
            f"{self._position(channel)}"
            f'  <div class="list-main">\n{"".join(items)}'
            f'    <div class="page" id="page">\n      <script type="text/javascript">'
            f'createPageHTML({len(pages)}, {number}, "index", "htm");</script>\n    </div>\n'
            f"  </div>\n"
        )
        before = (head + self._top + '<div class="container">\n' + main).encode()
        after = ("</div>\n" + FOOTER).encode()
        return before + self._side(rng, 12_000) + after


# -- the server ----------------------------------------------------------------------


class SyntheticServer(LocalHTTPServer):
    """Serve a :class:`SyntheticPortal` over HTTP (see :class:`LocalHTTPServer`)."""

    server_version = "SyntheticHTTP/1.0"

    def __init__(
        self,
        portal: SyntheticPortal,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_log: str | Path | None = None,
    ) -> None:
        super().__init__(host, port, request_log=request_log)
        self.portal = portal

    def respond(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        return self.portal.render(raw_path)


def main(argv: list[str] | None = None) -> int:
    """Serve a synthetic portal until SIGTERM/SIGINT; print its URL and channels first."""
    parser = argparse.ArgumentParser(
        prog="python -m testing.synthetic",
        description="Serve a synthetic dzwww-shaped portal generated on request.",
    )
    parser.add_argument("--articles", type=int, default=2000, help="number of articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--log", default=None, help="append each request path to this file")
    args = parser.parse_args(argv)

    portal = SyntheticPortal(args.articles, args.seed)
    server = SyntheticServer(portal, host=args.host, port=args.port, request_log=args.log)
    banner = ["SYNTHETIC {url}"] + [
        f"channel {{url}}{p.lstrip('/')}" for p in portal.channel_paths()
    ]
    return serve_until_signalled(server, banner, "synthetic")


if __name__ == "__main__":
    sys.exit(main())
