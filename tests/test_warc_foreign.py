"""Reparse of WARCs written by other tools, and of damaged or empty inputs."""

from __future__ import annotations

import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.reparse import ReparseReport, reparse_archives
from newscrawl.cli import main as cli_main
from newscrawl.replica import REPLICA_CHANNELS
from newscrawl.replica.server import DEFAULT_ROOT
from tests.archive_tools import wget_exe
from tests.conftest import ROOT

EXPECTED = ROOT / "tests" / "expected"
LISTS = json.loads((EXPECTED / "dzwww" / "_lists.json").read_text("utf-8"))
PEERS = DEFAULT_ROOT.parent / "peers"
HTML = [("Content-Type", "text/html")]


def _expected(site: str, path: str) -> dict:
    return json.loads((EXPECTED / site / (path.lstrip("/") + ".json")).read_text("utf-8"))


def _reparse(paths: list[Path], **kwargs) -> tuple[list[dict], ReparseReport]:
    report = ReparseReport()
    return list(reparse_archives(paths, report=report, **kwargs)), report


def _response(writer: WARCWriter, url: str, body: bytes, date: str, **headers: str):
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders("200 OK", HTML, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": date, **headers},
    )
    writer.write_record(record)
    return record


def test_a_wget_crawl_of_the_replica(replica, tmp_path) -> None:
    """Debian's wget --warc-file: no spider named, URLs on 127.0.0.1, wget's own records."""
    start = [replica.url + c for c in REPLICA_CHANNELS]
    wget = subprocess.run(
        [
            *(wget_exe(), "--recursive", "--level=inf", "--no-parent", "--no-verbose"),
            *("--tries=1", f"--warc-file={tmp_path / 'replica'}", "--delete-after"),
            *("-P", str(tmp_path), *start),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    warc = tmp_path / "replica.warc.gz"
    assert warc.exists(), wget.stderr[-2000:]
    records, report = _reparse([warc])
    assert not report.unusable and not report.failed and not report.damaged
    assert report.skipped > 20  # list pages, robots.txt, the 404 images, wget's own records
    by_path = {urlsplit(r["url"]).path: r for r in records}
    # wget cannot follow pagination written by a script (createPageHTML)
    script_paged = {
        item[0]
        for channel, pager in LISTS["pager"].items()
        if pager == "script"
        for page in LISTS["list_pages"][channel][1:]
        for item in page["items"]
    }
    articles = set(LISTS["all_articles"]) & by_path.keys()
    assert set(LISTS["all_articles"]) - articles <= script_paged
    assert by_path.keys() - articles <= set(LISTS["continuation_pages"])
    for path in articles:
        record, expected = by_path[path], _expected("dzwww", path)
        assert record["site"] == "generic"
        assert (record["title"], record["published_date"]) == (
            expected["title"],
            expected["published_date"],
        )
    profiled, report = _reparse([warc], site="dzwww")
    assert {urlsplit(r["url"]).path for r in profiled} == articles
    assert report.missing_pages <= len(LISTS["continuation_pages"])  # pages wget did not fetch


def test_a_warcio_capture_http_archive(replica, tmp_path) -> None:
    warc = tmp_path / "captured.warc.gz"
    paths = ["www/news/yw/", *[p.lstrip("/") for p in LISTS["channels"]["/www/news/yw/"][:3]]]
    script = (
        "import sys\n"
        "from warcio.capture_http import capture_http\n"
        "import requests\n"
        "with capture_http(sys.argv[1]):\n"
        "    for url in sys.argv[2:]:\n"
        "        requests.get(url).raise_for_status()\n"
    )
    urls = [replica.url + p for p in paths]
    subprocess.run([sys.executable, "-c", script, str(warc), *urls], check=True, timeout=60)
    records, report = _reparse([warc])
    assert [urlsplit(r["url"]).path for r in records] == ["/" + p for p in paths[1:]]
    assert report.skipped == 1 and not report.failed
    for record in records:
        assert record["title"] == _expected("dzwww", urlsplit(record["url"]).path)["title"]


def test_a_warc_1_0_file_with_revisit_and_truncated_records(tmp_path) -> None:
    """Heritrix-style: WARC/1.0, a revisit without WARC-Refers-To, a truncated response."""
    first, second = (
        "/www/news/yw/202608/t20260821_18012233.htm",
        "/sd/sdnews/202505/t20250522_16559012.htm",
    )
    first_url = "http://www.dzwww.com" + first.removeprefix("/www")
    second_url = "http://sd.dzwww.com" + second.removeprefix("/sd")
    body = (DEFAULT_ROOT / first.lstrip("/")).read_bytes()
    cut = (DEFAULT_ROOT / second.lstrip("/")).read_bytes()
    warc = tmp_path / "heritrix.warc.gz"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(warc.name, {"software": "Heritrix/3"}))
        original = _response(writer, first_url, body, "2026-01-02T03:04:05Z")
        revisit = writer.create_revisit_record(
            first_url,
            original.rec_headers.get_header("WARC-Payload-Digest"),
            first_url,
            "2026-01-02T03:04:05Z",
            http_headers=StatusAndHeaders("200 OK", HTML, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2026-01-03T03:04:05Z"},
        )
        writer.write_record(revisit)
        _response(
            writer,
            second_url,
            cut[: len(cut) * 2 // 3],
            "2026-01-03T03:04:06Z",
            **{"WARC-Truncated": "length"},
        )
    records, report = _reparse([warc])
    assert [r["site"] for r in records] == ["dzwww", "dzwww"]
    revisited, truncated = records
    assert revisited["url"] == first_url
    assert revisited["crawled_at"] == "2026-01-03T03:04:05+00:00"  # the revisit's date
    assert revisited["paragraphs"] == _expected("dzwww", first)["paragraphs"]
    assert truncated["title"] == _expected("dzwww", second)["title"]
    assert report.truncated == 1 and not report.failed and not report.damaged
    assert cli_main(["reparse", str(warc), "-o", str(tmp_path / "out.jsonl")]) == 1


def test_a_multi_site_warc(tmp_path, capsys) -> None:
    """One file, three portals and an unknown one: each record gets its own profile."""
    pages = [
        ("dzwww", "/edu/xxdt/zyyx/202411/t20241108_14803456.html", "http://edu.dzwww.com"),
        ("cjn", "/news/sywh/202410/t4218876.htm", "http://news.cjn.cn"),
        ("dzwww", "/www/finance/jrtt/202510/t20251015_16601234.htm", "http://www.dzwww.com"),
    ]
    warc = tmp_path / "mixed.warc.gz"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for site, path, host in pages:
            root = DEFAULT_ROOT if site == "dzwww" else PEERS / site
            url = host + "/" + path.lstrip("/").split("/", 1)[1]
            _response(writer, url, (root / path.lstrip("/")).read_bytes(), "2026-02-01T00:00:00Z")
        article = (DEFAULT_ROOT / "www/news/yw/202607/t20260715_17890011.htm").read_bytes()
        _response(
            writer, "https://news.example.cn/2026/0715/a123.html", article, "2026-02-01T00:00:01Z"
        )
        _response(
            writer, "http://www.dzwww.com/xinwen/", b"<html>list</html>", "2026-02-01T00:00:02Z"
        )
        _response(writer, "http://news.cjn.cn/logo.png", b"\x89PNG", "2026-02-01T00:00:03Z")
    records, report = _reparse([warc])
    assert [r["site"] for r in records] == ["dzwww", "cjn", "dzwww", "generic"]
    for record, (site, path, _) in zip(records, pages, strict=False):
        expected = _expected(site, path)
        assert (record["title"], record["published_date"]) == (
            expected["title"],
            expected["published_date"],
        )
    assert (
        records[3]["title"]
        == _expected("dzwww", "/www/news/yw/202607/t20260715_17890011.htm")["title"]
    )
    assert report.skipped == 2
    assert cli_main(["reparse", "--site", "auto", str(warc)]) == 0
    assert "2 records skipped (not an article's first page)" in capsys.readouterr().err


def test_an_empty_file_says_so(tmp_path, capsys) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    assert cli_main(["reparse", str(empty)]) == 2
    assert f"{empty}: empty file" in capsys.readouterr().err


@pytest.mark.parametrize("delta", [+300, -40])
def test_an_uncompressed_warc_whose_content_length_lies(tmp_path, delta: int) -> None:
    """The records after the lying one are read again from the next WARC/1. line."""
    paths = [p.lstrip("/") for p in LISTS["channels"]["/www/news/yw/"][:3]]
    warc = tmp_path / "plain.warc"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        for path in paths:
            url = "http://www.dzwww.com/" + path.split("/", 1)[1]
            _response(writer, url, (DEFAULT_ROOT / path).read_bytes(), "2026-02-01T00:00:00Z")
    data = warc.read_bytes()
    first_length = data.index(b"Content-Length: ", data.index(b"WARC-Type: response"))
    end = data.index(b"\r\n", first_length)
    value = int(data[first_length + 16 : end])
    warc.write_bytes(data[: first_length + 16] + str(value + delta).encode() + data[end:])
    records, report = _reparse([warc])
    titles = [r["title"] for r in records]
    expected = [_expected("dzwww", "/" + p)["title"] for p in paths]
    assert titles[-2:] == expected[1:]
    assert report.damaged
