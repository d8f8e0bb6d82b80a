"""The synthetic dzwww portal used by the crawl benchmark: generator and HTTP server.

Fast checks only (a small portal, real HTTP requests on 127.0.0.1); no timing.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from newscrawl.assemble import ArticleAssembly
from newscrawl.extraction import extract_page
from newscrawl.record import RecordOptions
from newscrawl.sites import get_profile
from testing.synthetic import (
    MAX_LIST_ITEMS,
    MIN_LIST_ITEMS,
    ROBOTS_TXT,
    SyntheticPortal,
    SyntheticServer,
)
from tests.conftest import ROOT

ARTICLES = 240
PAGER = re.compile(r'createPageHTML\((\d+), (\d+), "index", "htm"\)')
ARTICLE_URL = re.compile(r"/t\d{8}_\d+\.htm$")
CRAWLED_AT = "2025-11-01T00:00:00+00:00"


def _dzwww_profile():
    return get_profile("dzwww")


@pytest.fixture(scope="module")
def portal() -> SyntheticPortal:
    return SyntheticPortal(ARTICLES, seed=11)


@pytest.fixture(scope="module")
def server(portal: SyntheticPortal):
    with SyntheticServer(portal) as srv:
        yield srv


def _get(srv: SyntheticServer, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _links(page_url: str, body: bytes) -> list[str]:
    tree = lxml_html.fromstring(body)
    return [urljoin(page_url, a.get("href")) for a in tree.iter("a") if a.get("href")]


# -- the generator -------------------------------------------------------------------


def test_same_seed_same_portal_and_bytes(portal: SyntheticPortal) -> None:
    again = SyntheticPortal(ARTICLES, seed=11)
    assert again.article_paths() == portal.article_paths()
    assert again.list_page_paths() == portal.list_page_paths()
    for path in portal.article_paths()[:5] + portal.list_page_paths()[:3]:
        assert again.render(path) == portal.render(path)


def test_another_seed_gives_another_portal(portal: SyntheticPortal) -> None:
    other = SyntheticPortal(ARTICLES, seed=12)
    assert other.article_paths() != portal.article_paths()


def test_sizes_and_paths(portal: SyntheticPortal) -> None:
    paths = portal.article_paths()
    assert len(paths) == len(set(paths)) == ARTICLES
    assert all(ARTICLE_URL.search(p) for p in paths)
    dates = [a.published for a in portal.articles]
    assert dates == sorted(dates, reverse=True)


def test_article_pages_are_60_to_100_kb_with_2_to_6_kb_of_text(portal: SyntheticPortal) -> None:
    for path in portal.article_paths()[::12]:
        status, headers, body = portal.render(path)
        assert status == 200 and headers["Content-Type"] == "text/html"
        assert 60_000 <= len(body) <= 100_000, (path, len(body))
        tree = lxml_html.fromstring(body)
        text = "".join(p.text_content() for p in tree.xpath("//div[@id='news-body']/p"))
        assert 2_000 <= len(text.encode("utf-8")) <= 7_000, (path, len(text.encode()))
        assert tree.xpath("//style") and len(tree.xpath("//script")) >= 3
        assert tree.xpath("//div[@id='nav']//a")


def test_variant_c_markup_extracts_to_a_full_record(portal: SyntheticPortal) -> None:
    profile = _dzwww_profile()
    options = RecordOptions.for_profile(profile)
    for article in portal.articles[::20]:
        body = portal.render(article.path)[2]
        url = "http://127.0.0.1:8000" + article.path
        fields = extract_page(url, body, "text/html", profile.selectors)
        record = ArticleAssembly(fields, site="dzwww", crawled_at=CRAWLED_AT).record(options)
        assert record["title"] == article.title
        assert record["published_date"] == article.published.date().isoformat()
        assert record["source"]
        assert record["authors"]
        assert len(record["paragraphs"]) >= 5
        assert not any("责编" in p for p in record["paragraphs"])
        assert {c["role"] for c in record["credits"]} == {"editor", "reviewer"}
        assert record["encoding"] == "utf-8"
        assert "short_body" not in record["warnings"] and "no_author" not in record["warnings"]


def test_list_pages_hold_20_to_40_items_linking_real_articles(portal: SyntheticPortal) -> None:
    seen: list[str] = []
    for path in portal.list_page_paths():
        status, _, body = portal.render(path)
        assert status == 200
        page_url = "http://127.0.0.1:8000" + path
        items = [u for u in _links(page_url, body) if ARTICLE_URL.search(u)]
        local = [urlsplit(u).path for u in items if u.startswith("http://127.0.0.1:8000/")]
        assert local == [urlsplit(u).path for u in items], "article links stay on the portal"
        seen += local
        channel_total = len(portal.by_channel[portal.channel_paths().index(_channel(path))])
        if channel_total >= MIN_LIST_ITEMS:
            assert MIN_LIST_ITEMS <= len(local) <= MAX_LIST_ITEMS, (path, len(local))
        assert all(portal.render(p)[0] == 200 for p in local[:3])
    assert sorted(seen) == sorted(portal.article_paths()), "every article listed exactly once"


def _channel(path: str) -> str:
    return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


def test_pagination_is_create_page_html(portal: SyntheticPortal) -> None:
    for channel, pages in zip(portal.channel_paths(), portal.pages, strict=True):
        for number in range(len(pages)):
            path = channel if number == 0 else f"{channel}index_{number}.htm"
            body = portal.render(path)[2].decode("utf-8")
            match = PAGER.search(body)
            assert match and (int(match[1]), int(match[2])) == (len(pages), number)
        assert portal.render(f"{channel}index.htm") == portal.render(channel)
        assert portal.render(f"{channel}index_{len(pages)}.htm")[0] == 404
    assert portal.max_list_pages == max(len(p) for p in portal.pages)


# -- the server ----------------------------------------------------------------------


def test_served_over_http_and_requests_recorded(
    portal: SyntheticPortal, server: SyntheticServer
) -> None:
    server.clear_requests()
    article = portal.article_paths()[7]
    status, headers, body = _get(server, article)
    assert status == 200 and body == portal.render(article)[2]
    assert headers["Content-Type"] == "text/html"
    assert int(headers["Content-Length"]) == len(body)
    with urllib.request.urlopen(server.url + "robots.txt", timeout=10) as resp:
        assert resp.read() == ROBOTS_TXT
    first_list = next(
        c for c, pages in zip(portal.channel_paths(), portal.pages, strict=True) if len(pages) > 1
    )
    status, headers, _ = _get(server, first_list.rstrip("/"))
    assert status == 301 and headers["Location"] == first_list
    assert _get(server, first_list + "index_1.htm")[0] == 200
    assert _get(server, "/www/nope/t20250101_1.htm")[0] == 404
    assert server.requests == [
        article,
        "/robots.txt",
        first_list.rstrip("/"),
        first_list + "index_1.htm",
        "/www/nope/t20250101_1.htm",
    ]
    assert server.statuses == {200: 3, 301: 1, 404: 1}


def test_keep_alive_connection_serves_several_pages(
    portal: SyntheticPortal, server: SyntheticServer
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in portal.article_paths()[:3]:
            conn.request("GET", path)
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read() == portal.render(path)[2]
    finally:
        conn.close()


def test_head_sends_no_body(portal: SyntheticPortal, server: SyntheticServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("HEAD", portal.article_paths()[0])
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b""
        assert int(resp.getheader("Content-Length")) == len(
            portal.render(portal.article_paths()[0])[2]
        )
    finally:
        conn.close()


def test_command_line_serves_until_terminated() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "testing.synthetic", "--articles", "30", "--seed", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline().split()
        assert first[0] == "SYNTHETIC" and first[1].startswith("http://127.0.0.1:")
        channels = [proc.stdout.readline().split()[1] for _ in SyntheticPortal(30, 3).channels]
        assert channels[0].startswith(first[1])
        with urllib.request.urlopen(channels[0], timeout=10) as resp:
            assert b"createPageHTML(" in resp.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
