"""The fault-injecting portal (testing/faults.py) and the hostile pages it can serve.

Every fault is observed with a plain HTTP client or a raw socket on 127.0.0.1; no timing
beyond what a stall needs to be seen (well under a second each).
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.replica.server import DEFAULT_ROOT
from testing.faults import CONTROL_PATH, KINDS, Fault, FaultServer, RequestRecord, parse_size
from testing.hostile import (
    HOSTILE,
    MIB,
    billion_laughs,
    binary_garbage,
    gzip_bomb,
    huge_text_node,
    many_links,
    nested_elements,
)

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "/www/xinwen/shehuixinwen/202405/t20240510_13900001.htm"
GB_LIST = "/sd/sdnews/index.htm"  # gb18030 bytes, <meta> charset only
PAGE_TWO = "/sd/sdnews/202406/t20240615_15000001_1.htm"


@pytest.fixture(scope="module")
def server():
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def srv(server: FaultServer) -> FaultServer:
    server.clear_faults()
    server.clear_requests()
    return server


def _get(
    srv: FaultServer, path: str, *, method: str = "GET", timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _raw(srv: FaultServer, path: str, timeout: float = 5) -> tuple[bytes, BaseException | None]:
    """Everything the server sent on one connection, and how the connection ended."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=timeout) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        sock.sendall(request.encode())
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError as exc:
            return data, exc
    return data, None


def _split(data: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return lines[0], {k.lower(): v for k, v in headers.items()}, body


# -- rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("_1\\.htm$=status:404", Fault("_1\\.htm$", "status", "404")),
        ("t2024=retry-after:30@0.25", Fault("t2024", "retry-after", "30", rate=0.25)),
        ("x=reset@first3", Fault("x", "reset", first=3)),
        ("x=stall:2.5@each2", Fault("x", "stall", "2.5", each=2)),
        ("\\?a=b=redirect:http://localhost:{port}{path}", None),
        ("user@host=drop", Fault("user@host", "drop")),
        ("=empty", Fault("", "empty")),
    ],
)
def test_rules_parse_and_print_back(spec: str, expected: Fault | None) -> None:
    fault = Fault.parse(spec)
    if expected is not None:
        assert fault == expected
    assert Fault.parse(str(fault)) == fault
    assert str(fault) == spec


def test_the_pattern_may_hold_an_equals_sign_before_the_kind() -> None:
    fault = Fault.parse("\\?a=b=redirect:http://localhost:{port}{path}")
    assert fault.pattern == "\\?a=b"
    assert fault.arg == "http://localhost:{port}{path}"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("x=explode", "not PATTERN=KIND"),
        ("no kind at all", "not PATTERN=KIND"),
        ("x=status", "needs an argument"),
        ("x=status:9000", "bad argument '9000'"),
        ("x=truncate:1.5", "bad argument"),
        ("x=body:gif", "bad argument 'gif'"),
        ("x=hostile:bombs", "bad argument"),
        ("x=gzip-bomb:huge", "bad argument"),
        ("x=redirect-chain:0", "bad argument"),
        ("x=status:500@1.5", "not between 0 and 1"),
        ("(=status:500", "bad pattern"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Fault.parse(spec)


def test_sizes() -> None:
    assert parse_size("1G") == 1 << 30
    assert parse_size("64M") == 64 << 20
    assert parse_size("500k") == 500 << 10
    assert parse_size("2GiB") == 2 << 30
    assert parse_size("123") == 123
    with pytest.raises(ValueError):
        parse_size("1T")


def test_every_kind_is_described() -> None:
    assert len(KINDS) == 16
    assert all(what for _, what in KINDS.values())


# -- rates ---------------------------------------------------------------------------------

PATHS = [f"/www/news/yw/2025/t20250101_{n}.htm" for n in range(2000)]


def _faulted(seed: int, spec: str, paths: list[str]) -> set[str]:
    srv = FaultServer(faults=[spec], seed=seed)
    return {p for p in paths if srv.choose(p) is not None}


def test_a_rate_fails_that_share_of_paths_the_same_way_for_the_same_seed() -> None:
    hit = _faulted(7, "t2025=status:503@0.3", PATHS)
    assert 0.26 < len(hit) / len(PATHS) < 0.34
    assert _faulted(7, "t2025=status:503@0.3", list(reversed(PATHS))) == hit
    assert _faulted(8, "t2025=status:503@0.3", PATHS) != hit
    assert _faulted(7, "t2025=status:503@0", PATHS) == set()
    assert _faulted(7, "t2025=status:503@1", PATHS) == set(PATHS)


def test_a_retry_of_a_path_gets_a_fresh_draw() -> None:
    srv = FaultServer(faults=["t2025=status:503@0.5"], seed=1)
    outcomes = [[srv.choose(p) is not None for _ in range(6)] for p in PATHS[:200]]
    assert any(len(set(row)) == 2 for row in outcomes)  # failed, then passed (or the reverse)
    again = FaultServer(faults=["t2025=status:503@0.5"], seed=1)
    assert outcomes == [[again.choose(p) is not None for _ in range(6)] for p in PATHS[:200]]


def test_first_n_and_each_n() -> None:
    srv = FaultServer(faults=["t2025=status:503@first3"])
    assert [srv.choose(p) is not None for p in PATHS[:5]] == [True, True, True, False, False]
    srv = FaultServer(faults=["t2025=status:503@each2"])
    for path in PATHS[:3]:
        assert [srv.choose(path) is not None for _ in range(4)] == [True, True, False, False]


def test_rules_are_tried_in_order_and_only_matching_paths_count() -> None:
    srv = FaultServer(faults=["_1\\.htm$=status:404", "\\.htm$=status:500@first1"])
    assert srv.choose("/a/index.htm") is not None
    assert srv.choose("/a/t1_1.htm")[1].kind == "status" == srv.faults[0].kind  # type: ignore[index]
    assert srv.choose("/a/t1_1.htm")[0] == 0  # type: ignore[index]
    assert srv.choose("/a/index.htm") is None  # first1 used up
    assert srv.choose("/robots.txt") is None


# -- each fault over HTTP ----------------------------------------------------------------


def test_no_rule_serves_the_replica_site_unchanged(srv: FaultServer) -> None:
    status, _, body = _get(srv, ARTICLE)
    assert status == 200
    assert body == (DEFAULT_ROOT / ARTICLE.lstrip("/")).read_bytes()
    assert srv.records == [RequestRecord(ARTICLE, None, 200)]
    assert srv.requests == [ARTICLE]


@pytest.mark.parametrize("code", [500, 502, 503])
def test_a_5xx_burst_then_the_page(srv: FaultServer, code: int) -> None:
    srv.set_faults([f"shehuixinwen/$=status:{code}@first2"])
    statuses = [_get(srv, "/www/xinwen/shehuixinwen/")[0] for _ in range(3)]
    assert statuses == [code, code, 200]
    assert [r.status for r in srv.records] == [code, code, 200]
    assert srv.records[0].fault == f"shehuixinwen/$=status:{code}@first2"
    assert srv.records[2].fault is None


def test_404_on_page_two_of_a_multi_page_article(srv: FaultServer) -> None:
    srv.set_faults(["_1\\.htm$=status:404"])
    assert _get(srv, PAGE_TWO)[0] == 404
    assert _get(srv, PAGE_TWO.replace("_1.htm", ".htm"))[0] == 200
    assert _get(srv, PAGE_TWO.replace("_1.htm", "_2.htm"))[0] == 200


def test_429_with_retry_after(srv: FaultServer) -> None:
    srv.set_faults(["sdnews=retry-after:120@each1"])
    status, headers, _ = _get(srv, GB_LIST)
    assert (status, headers["retry-after"]) == (429, "120")
    assert _get(srv, GB_LIST)[0] == 200


def test_a_stall_outlasts_a_client_timeout(srv: FaultServer) -> None:
    srv.set_faults(["yw/$=stall:0.6"])
    with pytest.raises(TimeoutError):
        _get(srv, "/www/news/yw/", timeout=0.2)
    # recorded on arrival, with the answer it is going to get
    assert srv.records == [RequestRecord("/www/news/yw/", "yw/$=stall:0.6", 200)]
    started = time.monotonic()
    assert _get(srv, "/www/news/yw/", timeout=5)[0] == 200
    assert time.monotonic() - started >= 0.55


def test_a_stall_inside_the_body(srv: FaultServer) -> None:
    srv.set_faults(["yw/$=stall-body:0.6"])
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=0.3)
    conn.request("GET", "/www/news/yw/")
    response = conn.getresponse()  # headers came at once
    assert response.status == 200
    with pytest.raises(TimeoutError):
        response.read()
    conn.close()


def test_stopping_the_server_ends_a_stall() -> None:
    srv = FaultServer(faults=["=stall:30"]).start()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.1)
        started = time.monotonic()
        srv.stop()
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
    assert time.monotonic() - started < 3


def test_a_reset_before_any_byte(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=reset"])
    data, ended = _raw(srv, ARTICLE)
    assert data == b""
    assert isinstance(ended, ConnectionResetError)
    assert srv.records == [RequestRecord(ARTICLE, f"{ARTICLE}=reset", None)]
    with pytest.raises(ConnectionResetError):
        _get(srv, ARTICLE)


def test_a_reset_in_the_middle_of_the_body(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=reset:1000"])
    data, ended = _raw(srv, ARTICLE)
    status_line, headers, body = _split(data)
    assert status_line == "HTTP/1.1 200 OK"
    assert int(headers["content-length"]) > 1000
    assert len(body) == 1000
    assert isinstance(ended, ConnectionResetError)
    assert srv.records[0].status == 200


def test_a_dropped_connection(srv: FaultServer) -> None:
    srv.set_faults(["robots=drop"])
    data, ended = _raw(srv, "/robots.txt")
    assert (data, ended) == (b"", None)  # an orderly close, no answer
    with pytest.raises(http.client.RemoteDisconnected):
        _get(srv, "/robots.txt")


def test_a_truncated_body_promises_more_than_it_sends(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=truncate:0.3"])
    full = (DEFAULT_ROOT / ARTICLE.lstrip("/")).read_bytes()
    data, ended = _raw(srv, ARTICLE)
    _, headers, body = _split(data)
    assert ended is None  # a FIN, not a reset
    assert int(headers["content-length"]) == len(full)
    assert body == full[: int(len(full) * 0.3)]
    with pytest.raises(http.client.IncompleteRead):
        _get(srv, ARTICLE)


def test_a_redirect_chain_ends_on_the_page(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=redirect-chain:4"])
    with urllib.request.urlopen(srv.url + ARTICLE.lstrip("/"), timeout=5) as response:
        assert response.status == 200
        assert response.url.endswith(ARTICLE + "?__fault=0.4")
        assert response.read() == (DEFAULT_ROOT / ARTICLE.lstrip("/")).read_bytes()
    assert [r.status for r in srv.records] == [302, 302, 302, 302, 200]
    assert {r.fault for r in srv.records} == {f"{ARTICLE}=redirect-chain:4"}


def test_a_redirect_chain_keeps_going_past_a_spent_rate(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=redirect-chain:3@first1"])
    with urllib.request.urlopen(srv.url + ARTICLE.lstrip("/"), timeout=5) as response:
        assert response.url.endswith("?__fault=0.3")
    assert _get(srv, ARTICLE)[0] == 200  # the rule fired once


def test_a_redirect_loop(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=redirect-loop:3"])
    with pytest.raises(urllib.error.HTTPError, match="redirect"):
        urllib.request.urlopen(srv.url + ARTICLE.lstrip("/"), timeout=5)
    locations = [_get(srv, p)[1]["location"] for p in (ARTICLE, ARTICLE + "?__fault=0.2")]
    assert locations == [ARTICLE + "?__fault=0.1", ARTICLE]


def test_redirects_off_the_domain_and_to_another_port(srv: FaultServer) -> None:
    srv.set_faults(
        [
            "shehuixinwen/=redirect:http://localhost:{port}{path}",
            "yw/=redirect:http://example.invalid/x",
            "jrtt/=redirect-port:9",
        ]
    )
    status, headers, _ = _get(srv, ARTICLE)
    assert (status, headers["location"]) == (302, f"http://localhost:{srv.port}{ARTICLE}")
    assert _get(srv, "/www/news/yw/")[1]["location"] == "http://example.invalid/x"
    assert _get(srv, "/www/finance/jrtt/?a=1")[1]["location"] == (
        "http://127.0.0.1:9/www/finance/jrtt/?a=1"
    )


def test_an_empty_200(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=empty"])
    status, headers, body = _get(srv, ARTICLE)
    assert (status, headers["content-type"], headers["content-length"], body) == (
        200,
        "text/html",
        "0",
        b"",
    )


@pytest.mark.parametrize(
    ("kind", "content_type", "magic"),
    [
        ("png", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("json", "application/json; charset=utf-8", b'{"code": 404'),
        ("pdf", "application/pdf", b"%PDF-1.4"),
    ],
)
def test_non_html_bodies_on_an_article_url(
    srv: FaultServer, kind: str, content_type: str, magic: bytes
) -> None:
    srv.set_faults([f"t2024\\d+_\\d+\\.htm$=body:{kind}"])
    status, headers, body = _get(srv, ARTICLE)
    assert (status, headers["content-type"]) == (200, content_type)
    assert body.startswith(magic)
    if kind == "json":
        assert json.loads(body)["msg"] == "文章不存在"
    if kind == "png":  # a real image: IHDR 1x1, IDAT inflates, IEND
        assert body[12:16] == b"IHDR" and body.endswith(b"IEND\xaeB`\x82")


def test_a_wrong_or_missing_charset_header(srv: FaultServer) -> None:
    original = (DEFAULT_ROOT / GB_LIST.lstrip("/")).read_bytes()
    original.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        original.decode("utf-8")
    srv.set_faults(["sdnews/index=charset:utf-8"])
    status, headers, body = _get(srv, GB_LIST)
    assert (status, headers["content-type"], body) == (200, "text/html; charset=utf-8", original)
    srv.set_faults(["sdnews/201903=charset:none"])  # the page whose charset is header-only
    path = "/sd/sdnews/201903/t20190311_18512345.htm"
    srv.clear_faults()
    assert _get(srv, path)[1]["content-type"] == "text/html; charset=GBK"
    srv.set_faults(["sdnews/201903=charset:none"])
    assert _get(srv, path)[1]["content-type"] == "text/html"


def test_a_gzip_bomb_is_small_on_the_wire_and_huge_inflated(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=gzip-bomb:64M", "yw/$=gzip-bomb"])
    status, headers, body = _get(srv, ARTICLE)
    assert (status, headers["content-encoding"]) == (200, "gzip")
    assert len(body) == int(headers["content-length"]) < 100_000
    inflater = zlib.decompressobj(wbits=31)
    size = 0
    for start in range(0, len(body), 4096):
        size += len(inflater.decompress(body[start : start + 4096], 1 << 20))
        while inflater.unconsumed_tail:
            size += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
    assert inflater.eof
    assert 64 * MIB < size < 64 * MIB + 1000
    # the default bomb: 1 GiB inflated from about 1 MB, checked on its first bytes only
    status, headers, _ = _get(srv, "/www/news/yw/", method="HEAD")
    assert status == 200 and 1_000_000 < int(headers["content-length"]) < 2 * MIB


@pytest.mark.parametrize(
    ("arg", "content_type", "check"),
    [
        ("nested,1000", "text/html; charset=utf-8", lambda b: b.count(b"<div>") == 1000),
        ("text-node,100000", "text/html; charset=utf-8", lambda b: len(b) > 100_000),
        ("links,500", "text/html", lambda b: b.count(b'class="list-item"') == 500),
        ("binary,4096", "text/html", lambda b: len(b) == 4096),
        ("entities", "text/html; charset=utf-8", lambda b: b"<!ENTITY lol9" in b),
    ],
)
def test_hostile_pages(srv: FaultServer, arg: str, content_type: str, check) -> None:
    srv.set_faults([f"{ARTICLE}=hostile:{arg}"])
    status, headers, body = _get(srv, ARTICLE)
    assert (status, headers["content-type"]) == (200, content_type)
    assert int(headers["content-length"]) == len(body)
    assert check(body)


def test_head_gets_the_headers_of_a_faulted_answer(srv: FaultServer) -> None:
    srv.set_faults([f"{ARTICLE}=body:pdf"])
    status, headers, body = _get(srv, ARTICLE, method="HEAD")
    assert (status, headers["content-type"], body) == (200, "application/pdf", b"")
    assert int(headers["content-length"]) > 0


# -- changing faults while running, the control endpoint ---------------------------------


def test_faults_change_while_the_server_runs(srv: FaultServer) -> None:
    assert _get(srv, ARTICLE)[0] == 200
    srv.set_faults([f"{ARTICLE}=status:503"])
    assert _get(srv, ARTICLE)[0] == 503
    srv.add_fault("robots=status:500")
    assert _get(srv, "/robots.txt")[0] == 500
    srv.clear_faults()
    assert _get(srv, ARTICLE)[0] == 200
    assert [r.status for r in srv.records] == [200, 503, 500, 200]
    assert [len(srv.faulted()), len(srv.faulted("status")), len(srv.faulted("reset"))] == [2, 2, 0]


def test_the_control_endpoint(srv: FaultServer) -> None:
    def control(query: str) -> tuple[int, dict]:
        status, _, body = _get(srv, CONTROL_PATH + query)
        return status, json.loads(body)

    status, state = control("?set=robots%3Dstatus%3A503&add=yw%2F%24%3Dempty%40first1")
    assert status == 200
    assert state["faults"] == ["robots=status:503", "yw/$=empty@first1"]
    assert _get(srv, "/robots.txt")[0] == 503
    assert control("")[1]["requests"] == [["/robots.txt", "robots=status:503", 503]]
    status, state = control("?set=x%3Dexplode")
    assert status == 400 and "not PATTERN=KIND" in state["error"]
    assert control("?clear=1&forget=1")[1] == {"faults": [], "requests": []}
    assert srv.requests == []  # the control requests are not recorded


# -- the command line ------------------------------------------------------------------


def test_cli_prints_its_url_serves_faults_and_stops_on_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "testing.faults",
            "--fault",
            "robots=status:503@first1",
            "--fault",
            "_1\\.htm$=status:404",
            "--log",
            str(log),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = proc.stdout.readline()  # type: ignore[union-attr]
        match = re.fullmatch(r"FAULTS (http://127\.0\.0\.1:(\d+)/)\n", banner)
        assert match, banner
        url = match.group(1)
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(url + "robots.txt", timeout=5)
        assert failed.value.code == 503
        assert urllib.request.urlopen(url + "robots.txt", timeout=5).status == 200
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + PAGE_TWO.lstrip("/"), timeout=5)
        state = json.loads(urllib.request.urlopen(url + "__faults__", timeout=5).read())
        assert [r[2] for r in state["requests"]] == [503, 200, 404]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert err == ""
    assert log.read_text().splitlines() == ["/robots.txt", "/robots.txt", PAGE_TWO]


def test_cli_serves_the_synthetic_portal(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "testing.faults", "--site", "synthetic", "--articles", "40"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().split()[1]  # type: ignore[union-attr]
        body = urllib.request.urlopen(url + "www/news/yw/", timeout=5).read()
        assert b"createPageHTML(" in body
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_cli_refuses_a_bad_rule() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "testing.faults", "--fault", "x=explode"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "not PATTERN=KIND[:ARG][@RATE] with a known KIND: 'x=explode'" in proc.stderr
    assert proc.stdout == ""


# -- the hostile generators themselves ----------------------------------------------------


def test_generated_bodies_have_the_length_they_announce() -> None:
    for body in (
        nested_elements(5000),
        huge_text_node(200_000),
        many_links(3000),
        binary_garbage(100_000, seed=3),
        billion_laughs(),
        gzip_bomb(3 * MIB + 17),
    ):
        assert sum(len(chunk) for chunk in body.chunks()) == body.length


def test_hostile_page_shapes() -> None:
    nested = nested_elements(2000).read()
    assert nested.count(b"<div>") == nested.count(b"</div>") == 2000
    text = huge_text_node(3 * MIB).read().decode()
    longest = max(text.split("<"), key=len)
    assert len(longest.encode()) > 3 * MIB - 100  # one text node
    links = many_links(1200).read().decode()
    hrefs = re.findall(r'href="\./(\d{6})/t(\d{8})_(\d+)\.htm"', links)
    assert len(hrefs) == len(set(hrefs)) == 1200
    assert [int(h[2]) for h in hrefs] == sorted((int(h[2]) for h in hrefs), reverse=True)
    assert binary_garbage(1000, seed=1).read() == binary_garbage(1000, seed=1).read()
    assert binary_garbage(1000, seed=1).read() != binary_garbage(1000, seed=2).read()
    laughs = billion_laughs(levels=3, fanout=4).read().decode()
    assert laughs.count("<!ENTITY") == 4 and "&lol3;" in laughs
    assert set(HOSTILE) == {"nested", "text-node", "links", "binary", "entities", "gzip-bomb"}


def test_gzip_bomb_inflates_to_prefix_and_filler() -> None:
    body = gzip_bomb(1000, filler=b"ab", prefix=b"<p>", unit=64)
    assert gzip.decompress(body.read()) == b"<p>" + b"ab" * 500
    odd = gzip_bomb(1001, filler=b"ab", prefix=b"", unit=64)
    assert gzip.decompress(odd.read()) == b"ab" * 500 + b"a"
    with pytest.raises(ValueError):
        gzip_bomb(10, filler=b"abc", unit=64)
    big = gzip_bomb(1 << 30)
    assert big.length < 1_100_000 and big.content_encoding == "gzip"
    counts = Counter(len(chunk) for chunk in big.chunks())
    assert counts.most_common(1)[0][1] == 1024  # one repeated unit per MiB
