"""The replica portal: the HTTP server (real requests) and the fixture site's consistency."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html as lxml_html

from newscrawl.replica import ReplicaServer
from newscrawl.replica.server import DEFAULT_ROOT

EXPECTED_DIR = Path(__file__).parent / "expected" / "dzwww"
LISTS = json.loads((EXPECTED_DIR / "_lists.json").read_text(encoding="utf-8"))
ARTICLE_RE = re.compile(r"/t\d{8}_\d+\.html?$")
CONTINUATION_RE = re.compile(r"/t\d{8}_\d+_\d+\.html?$")


# -- helpers ------------------------------------------------------------------------


def _raw(srv: ReplicaServer, path: str, method: str = "GET"):
    """Send *path* exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _get(srv: ReplicaServer, path: str):
    try:
        with urllib.request.urlopen(urljoin(srv.url, path), timeout=5) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture(scope="module")
def site_server():
    with ReplicaServer() as srv:
        yield srv


@pytest.fixture()
def tmp_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "a" / "both").mkdir(parents=True)
    (root / "a" / "idx").mkdir()
    (root / "a" / "dflt").mkdir()
    (root / "a" / "empty").mkdir()
    (root / "a" / "both" / "index.htm").write_text("index wins", encoding="utf-8")
    (root / "a" / "both" / "default.htm").write_text("default loses", encoding="utf-8")
    (root / "a" / "idx" / "index.html").write_text("index.html here", encoding="utf-8")
    (root / "a" / "dflt" / "default.htm").write_text("default here", encoding="utf-8")
    page = root / "a" / "page.htm"
    page.write_bytes("<p>中文</p>".encode("gbk"))
    (root / "a" / "page.htm.headers.json").write_text(
        json.dumps({"content-type": "text/html; charset=GBK", "X-Replica-Test": "yes"}),
        encoding="utf-8",
    )
    (root / "notes.txt").write_text("plain", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the root", encoding="utf-8")
    return root


# -- server -------------------------------------------------------------------------


def test_directory_index_default_scheme(site_server: ReplicaServer):
    status, headers, body = _get(site_server, "www/xinwen/shehuixinwen/")
    assert status == 200
    assert body == (DEFAULT_ROOT / "www/xinwen/shehuixinwen/default.htm").read_bytes()
    assert headers["Content-Type"] == "text/html"


def test_directory_index_index_scheme(site_server: ReplicaServer):
    status, _, body = _get(site_server, "sd/sdnews/")
    assert status == 200
    assert body == (DEFAULT_ROOT / "sd/sdnews/index.htm").read_bytes()


def test_index_order_and_variants(tmp_site: Path):
    with ReplicaServer(tmp_site) as srv:
        assert _get(srv, "a/both/")[2] == b"index wins"
        assert _get(srv, "a/idx/")[2] == b"index.html here"
        assert _get(srv, "a/dflt/")[2] == b"default here"
        status, headers, body = _get(srv, "a/empty/")
        assert status == 404
        assert b"404" in body and headers["Content-Type"].startswith("text/html")


def test_directory_without_slash_redirects(tmp_site: Path):
    with ReplicaServer(tmp_site) as srv:
        status, headers, _ = _raw(srv, "/a/dflt")
        assert status == 301
        assert headers["Location"] == "/a/dflt/"


def test_missing_file_is_404(site_server: ReplicaServer):
    for path in ("nope.htm", "www/xinwen/shehuixinwen/default_9.htm", "www/nochannel/"):
        status, _, body = _get(site_server, path)
        assert status == 404, path
        assert b"<html>" in body


def test_sidecar_headers_override_and_are_not_served(tmp_site: Path):
    with ReplicaServer(tmp_site) as srv:
        status, headers, body = _get(srv, "a/page.htm")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=GBK"
        assert headers.get_all("Content-Type") == ["text/html; charset=GBK"]
        assert headers["X-Replica-Test"] == "yes"
        assert body.decode("gbk") == "<p>中文</p>"
        assert _get(srv, "a/page.htm.headers.json")[0] == 404


def test_packaged_sidecar_page(site_server: ReplicaServer):
    status, headers, body = _get(site_server, "sd/sdnews/201903/t20190311_18512345.htm")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=GBK"
    assert b"charset" not in body.lower()  # the page itself declares nothing
    assert "全国两会" in body.decode("gbk")


def test_content_types(site_server: ReplicaServer):
    status, headers, body = _get(site_server, "robots.txt")
    assert status == 200
    assert headers["Content-Type"] == "text/plain"
    assert body.decode() == "User-agent: *\nDisallow: /sd/private/\n"
    status, headers, _ = _get(site_server, "edu/xxdt/zyyx/202505/t20250519_16548870.html")
    assert (status, headers["Content-Type"]) == (200, "text/html")


def test_head(site_server: ReplicaServer):
    path = "/edu/xxdt/zyyx/202505/t20250523_16561234.htm"
    status, headers, body = _raw(site_server, path, method="HEAD")
    assert status == 200
    assert body == b""
    size = (DEFAULT_ROOT / path.lstrip("/")).stat().st_size
    assert int(headers["Content-Length"]) == size
    assert _raw(site_server, "/missing.htm", method="HEAD")[0] == 404


def test_other_methods_refused(site_server: ReplicaServer):
    assert _raw(site_server, "/robots.txt", method="POST")[0] == 501


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/a/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/a/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/a/..%5C..%5Csecret.txt",
    ],
)
def test_path_escape_rejected(tmp_site: Path, path: str):
    with ReplicaServer(tmp_site) as srv:
        status, _, body = _raw(srv, path)
        assert status == 404
        assert b"outside the root" not in body


def test_request_log_and_clear(tmp_site: Path):
    with ReplicaServer(tmp_site) as srv:
        for path in ("/a/dflt/", "/notes.txt", "/missing", "/a/page.htm?x=1"):
            _raw(srv, path)
        _raw(srv, "/notes.txt", method="HEAD")
        expected = ["/a/dflt/", "/notes.txt", "/missing", "/a/page.htm?x=1", "/notes.txt"]
        assert srv.requests == expected
        srv.clear_requests()
        assert srv.requests == []
        _raw(srv, "/notes.txt")
        assert srv.requests == ["/notes.txt"]


def test_request_log_file(tmp_site: Path, tmp_path: Path):
    log = tmp_path / "requests.log"
    with ReplicaServer(tmp_site, request_log=log) as srv:
        _raw(srv, "/a/idx/")
        _raw(srv, "/nothing")
    assert log.read_text(encoding="utf-8").splitlines() == ["/a/idx/", "/nothing"]


def test_files_are_reread(tmp_site: Path):
    with ReplicaServer(tmp_site) as srv:
        assert _get(srv, "notes.txt")[2] == b"plain"
        (tmp_site / "notes.txt").write_text("edited", encoding="utf-8")
        assert _get(srv, "notes.txt")[2] == b"edited"
        (tmp_site / "late.htm").write_text("new page", encoding="utf-8")
        assert _get(srv, "late.htm")[2] == b"new page"


def test_lifecycle(tmp_site: Path):
    srv = ReplicaServer(tmp_site)
    assert srv.start() is srv
    port = srv.port
    assert port > 0
    assert srv.url == f"http://127.0.0.1:{port}/"
    srv.stop()
    srv.stop()  # idempotent
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_concurrent_requests(site_server: ReplicaServer):
    import concurrent.futures

    site_server.clear_requests()
    paths = [f"/robots.txt?{i}" for i in range(40)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda p: _raw(site_server, p)[0], paths))
    assert statuses == [200] * 40
    assert sorted(site_server.requests) == sorted(paths)


def test_cli(tmp_site: Path, tmp_path: Path):
    log = tmp_path / "cli.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.replica", "--root", str(tmp_site), "--log", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.fullmatch(r"REPLICA (http://127\.0\.0\.1:(\d+)/)\n", line)
        assert match, line
        with urllib.request.urlopen(match.group(1) + "a/dflt/", timeout=5) as resp:
            assert resp.read() == b"default here"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == ""
        assert proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert log.read_text(encoding="utf-8") == "/a/dflt/\n"


# -- the fixture site ------------------------------------------------------------------


def _site_articles() -> list[str]:
    return sorted(
        "/" + p.relative_to(DEFAULT_ROOT).as_posix()
        for p in DEFAULT_ROOT.rglob("t*.htm*")
        if ARTICLE_RE.search("/" + p.name)
    )


def _expected_files() -> dict[str, dict]:
    out = {}
    for path in EXPECTED_DIR.rglob("*.json"):
        if path.name.startswith("_"):
            continue
        out["/" + path.relative_to(EXPECTED_DIR).as_posix()[: -len(".json")]] = json.loads(
            path.read_text(encoding="utf-8")
        )
    return out


EXPECTED = _expected_files()


def _decode(path: Path) -> str:
    data = path.read_bytes()
    head = data[:1024].lower()
    if b"charset=utf-8" in head or b'charset="utf-8"' in head:
        return data.decode("utf-8")
    return data.decode("gb18030")


def _page_text(path: Path) -> str:
    tree = lxml_html.fromstring(_decode(path))
    for bad in tree.xpath("//script|//style"):
        bad.getparent().remove(bad)
    text = tree.text_content().replace("\u3000", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


def _pages_of(url_path: str, count: int) -> list[Path]:
    first = DEFAULT_ROOT / url_path.lstrip("/")
    pages = [first]
    for i in range(1, count):
        pages.append(first.with_name(f"{first.stem}_{i}{first.suffix}"))
    return pages


def test_every_article_has_an_expected_record():
    articles = [a for a in _site_articles() if not CONTINUATION_RE.search(a)]
    assert sorted(EXPECTED) == articles
    assert 20 <= len(articles) <= 30
    for url_path, record in EXPECTED.items():
        assert record["url_path"] == url_path


def test_lists_file_matches_expected_records():
    all_articles = set(LISTS["all_articles"])
    assert all_articles | {LISTS["robots_disallowed"]} == set(EXPECTED)
    reachable = {a for arts in LISTS["channels"].values() for a in arts}
    assert reachable == all_articles
    for cont in LISTS["continuation_pages"]:
        assert (DEFAULT_ROOT / cont.lstrip("/")).is_file()
    counts: dict[str, int] = {}
    for start, pages in LISTS["list_pages"].items():
        seen = []
        for page in pages:
            assert 3 <= len(page["items"]) <= 6
            dates = [d for _, d in page["items"]]
            assert dates == sorted(dates, reverse=True), page["url_path"]
            for art, _ in page["items"]:
                counts[art] = counts.get(art, 0) + 1
                if art != LISTS["robots_disallowed"] and art not in seen:
                    seen.append(art)
        assert seen == LISTS["channels"][start]
    assert sorted(a for a, n in counts.items() if n > 1) == sorted(LISTS["linked_twice"])


def test_list_pages_link_what_lists_json_says():
    for pages in LISTS["list_pages"].values():
        for page in pages:
            path = DEFAULT_ROOT / page["url_path"].lstrip("/")
            tree = lxml_html.fromstring(_decode(path))
            base = "http://replica" + page["url_path"]
            linked = []
            for href in tree.xpath("//a/@href"):
                url = urljoin(base, href)
                if url.startswith("http://replica/") and ARTICLE_RE.search(urlsplit(url).path):
                    assert not href.startswith(("http:", "https:", "/")), href
                    target = urlsplit(url).path
                    if target not in linked:
                        linked.append(target)
            assert linked == [a for a, _ in page["items"]], page["url_path"]


def test_all_internal_links_resolve_or_are_intentionally_missing():
    for path in DEFAULT_ROOT.rglob("*.htm*"):
        if path.name.endswith(".headers.json"):
            continue
        url_path = "/" + path.relative_to(DEFAULT_ROOT).as_posix()
        tree = lxml_html.fromstring(_decode(path))
        for href in tree.xpath("//a/@href"):
            if href.startswith(("http:", "https:", "javascript:", "#")):
                continue
            target = urlsplit(urljoin("http://replica" + url_path, href)).path
            if target.endswith(".pdf"):
                continue  # the PDFs deliberately do not exist
            assert (DEFAULT_ROOT / target.lstrip("/")).is_file(), (url_path, href)


def test_charsets():
    for url_path, record in EXPECTED.items():
        for page in _pages_of(url_path, record["page_count"]):
            data = page.read_bytes()
            if record["encoding"] == "utf-8":
                assert b'<meta charset="utf-8">' in data, page
                data.decode("utf-8")
            else:
                data.decode("gb18030")
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")
    beyond_gb2312 = DEFAULT_ROOT / "www/xinwen/shehuixinwen/201805/t20180516_17380012.htm"
    text = beyond_gb2312.read_bytes().decode("gb18030")
    assert "堃" in text and "·" in text and "charset=gb2312" in text


@pytest.mark.parametrize("url_path", sorted(EXPECTED))
def test_expected_record_matches_page_text(url_path: str):
    record = EXPECTED[url_path]
    pages = _pages_of(url_path, record["page_count"])
    text = " ".join(_page_text(p) for p in pages)
    first = _decode(pages[0])
    assert f"<title>{record['title']}_" in first
    assert record["published_date"] < "2026-11-01"
    date.fromisoformat(record["published_date"])
    if record["published_at"] is not None:
        assert record["published_at"].startswith(record["published_date"] + "T")
        assert record["published_at"].endswith("+08:00")
    assert record["published_raw"] in _page_text(pages[0])
    pos = 0
    for para in record["paragraphs"]:
        assert "\u3000" not in para and "\xa0" not in para and para == para.strip()
        found = text.find(para, pos)
        assert found >= 0, para
        pos = found + len(para)
    captions = [img["caption"] for img in record["images"] if img["caption"]]
    for caption in captions:
        assert caption in text
        assert caption not in record["paragraphs"]
    for credit in record["credits"]:
        assert f"{credit['label']}：{credit['name']}" in text
        assert credit["role"] in {"editor", "first_editor", "reviewer", "proofreader", "other"}
        assert not any(credit["name"] in p for p in record["paragraphs"])
    for img in record["images"]:
        assert 0 <= img["position"] <= len(record["paragraphs"])
        name = img["url_path"].rsplit("/", 1)[1]
        assert any(f'src="./{name}"' in _decode(p) for p in pages), name
        assert img["url_path"].rsplit("/", 1)[0] == url_path.rsplit("/", 1)[0]
    for crumb in record["breadcrumb"]:
        assert crumb in _page_text(pages[0])
