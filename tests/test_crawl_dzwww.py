"""The real ``scrapy crawl dzwww`` against the replica portal, read back from its JSONL file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from newscrawl.replica import REPLICA_CHANNELS
from tests.conftest import ROOT, run_crawl
from tests.replica_pages import comparable, expected_pages
from tests.test_dzwww_extraction import FIELDS

LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "newscrawl/schema/article-record.schema.json").read_text())
EXPECTED = {"/" + p.path: p.expected for p in expected_pages()}


def _path(url: str) -> str:
    return urlsplit(url).path


def _start_urls(server, channels=REPLICA_CHANNELS) -> str:
    return "start_urls=" + ",".join(server.url + c for c in channels)


@pytest.fixture(scope="module")
def full_crawl(replica, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("full")
    return run_crawl(
        tmp,
        "-a",
        _start_urls(replica),
        server=replica,
    )


def test_crawl_exits_cleanly(full_crawl) -> None:
    assert full_crawl.returncode == 0, full_crawl.log[-3000:]
    assert full_crawl.stats["finish_reason"] == "finished"
    assert full_crawl.stats.get("log_count/ERROR", 0) == 0, full_crawl.log[-3000:]


def test_every_article_exactly_once(full_crawl) -> None:
    paths = Counter(_path(r["url"]) for r in full_crawl.records)
    assert set(paths) == set(LISTS["all_articles"])
    assert max(paths.values()) == 1
    assert len({r["id"] for r in full_crawl.records}) == len(full_crawl.records)


def test_every_field_as_expected(full_crawl) -> None:
    for record in full_crawl.records:
        expected = EXPECTED[_path(record["url"])]
        got = comparable(record)
        for field in FIELDS:
            assert got[field] == expected[field], (record["url"], field)


def test_lines_follow_the_schema_and_encoding(full_crawl) -> None:
    raw = full_crawl.feed.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert "\\u" not in text and "大众" in text
    lines = text.split("\n")
    assert lines[-1] == "" and all(lines[:-1])
    for line in lines[:-1]:
        assert len(line.splitlines()) == 1
        jsonschema.validate(json.loads(line), SCHEMA)


def test_list_pagination_and_multi_page_articles_followed(full_crawl) -> None:
    requested = set(full_crawl.requested)
    for pages in LISTS["list_pages"].values():
        for page in pages[1:]:
            assert page["url_path"] in requested
    for path in LISTS["continuation_pages"]:
        assert path in requested
    stitched = [r for r in full_crawl.records if r["page_count"] > 1]
    assert [r["page_count"] for r in stitched] == [3]


def test_no_off_site_request_and_robots_obeyed(full_crawl) -> None:
    stats = full_crawl.stats
    assert stats["downloader/request_count"] == len(full_crawl.requested)
    # links outside the crawl are left out by the spider (never requested), and counted
    assert stats.get("newscrawl/list_items_offsite", 0) == len(LISTS["offsite_article_links"])
    assert "offsite/filtered" not in stats
    for url in LISTS["offsite_article_links"]:
        assert f"outside the crawl: {url}" in full_crawl.log
    assert LISTS["robots_disallowed"] not in full_crawl.requested
    assert stats.get("robotstxt/forbidden", 0) == 1
    assert stats.get("newscrawl/articles_ignored", 0) == 1
    assert stats["newscrawl/ignored/robots"] == 1
    assert [(e["reason"], urlsplit(e["url"]).path) for e in stats["newscrawl/ignored_urls"]] == [
        ("robots", LISTS["robots_disallowed"])
    ]
    assert "newscrawl/failed_urls" not in stats


def _crawl_sdnews(replica, tmp_path, argument: str):
    return run_crawl(
        tmp_path, "-a", _start_urls(replica, ["sd/sdnews/"]), "-a", argument, server=replica
    )


def test_max_pages_limits_list_pagination(replica, tmp_path) -> None:
    result = _crawl_sdnews(replica, tmp_path, "max_pages=1")
    assert result.returncode == 0
    first_page = {item[0] for item in LISTS["list_pages"]["/sd/sdnews/"][0]["items"]}
    first_page.discard(LISTS["robots_disallowed"])
    assert {_path(r["url"]) for r in result.records} == first_page
    assert not any("index_" in path for path in result.requested)


def test_since_stops_pagination_at_older_pages(replica, tmp_path) -> None:
    result = _crawl_sdnews(replica, tmp_path, "since=2024-01-01")
    assert result.returncode == 0
    dates = [r["published_date"] for r in result.records]
    assert dates and all(d >= "2024-01-01" for d in dates)
    assert "/sd/sdnews/index_1.htm" in result.requested
    assert "/sd/sdnews/index_2.htm" not in result.requested


def test_article_url_as_start_url(replica, tmp_path) -> None:
    path = "sd/sdnews/202406/t20240615_15000001.htm"
    result = run_crawl(
        tmp_path,
        "-a",
        f"start_urls={replica.url}{path}",
        server=replica,
    )
    assert [r["page_count"] for r in result.records] == [3]


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("max_pages=zero", "max_pages: 'zero' is not a whole number"),
        ("since=2025-13-01", "since: '2025-13-01' is not a YYYY-MM-DD date"),
        ("start_urls=ftp://example.org/", "is not an http(s) URL"),
        ("full=maybe", "full: 'maybe' is not a yes/no value"),
    ],
)
def test_bad_spider_arguments_fail_clearly(tmp_path, argument: str, message: str) -> None:
    result = run_crawl(tmp_path, "-a", argument, feed=False)
    assert result.returncode != 0
    assert message in result.log


def test_explicit_output_replaces_the_default_feed(replica, tmp_path) -> None:
    result = run_crawl(
        tmp_path,
        "-a",
        _start_urls(replica, ["edu/xxdt/zyyx/"]),
        server=replica,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert len(result.records) == len(LISTS["channels"]["/edu/xxdt/zyyx/"])
    assert not (tmp_path / "output").exists()


def test_default_feed_location(replica, tmp_path) -> None:
    result = run_crawl(
        tmp_path,
        "-a",
        _start_urls(replica, ["edu/xxdt/zyyx/"]),
        server=replica,
        feed=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    files = sorted(Path(tmp_path, "output", "dzwww").glob("*.jsonl"))
    assert len(files) == 1
    assert files[0].name.endswith("+00-00.jsonl")
    lines = files[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(LISTS["channels"]["/edu/xxdt/zyyx/"])


def test_to_simplified_setting_converts_a_traditional_article(tmp_path) -> None:
    """NEWSCRAWL_TO_SIMPLIFIED through a real crawl: a page of the replica rewritten in
    Traditional characters is exported as Traditional by default, Simplified with it."""
    import shutil

    import opencc

    from newscrawl.replica import ReplicaServer
    from newscrawl.replica.server import DEFAULT_ROOT

    path = "www/xinwen/shehuixinwen/202404/t20240428_13855120.htm"
    site = tmp_path / "site"
    shutil.copytree(DEFAULT_ROOT, site)
    page = site / path
    page.write_text(opencc.OpenCC("s2t").convert(page.read_text("utf-8")), "utf-8")
    to_simplified = opencc.OpenCC("t2s").convert
    with ReplicaServer(site) as server:
        start = f"start_urls={server.url}{path}"
        plain = run_crawl(tmp_path / "plain", "-a", start, server=server)
        converted = run_crawl(
            tmp_path / "converted",
            "-a",
            start,
            server=server,
            settings={"NEWSCRAWL_TO_SIMPLIFIED": "1"},
        )
    assert plain.returncode == 0 and converted.returncode == 0
    (traditional,) = plain.records
    (simplified,) = converted.records
    assert traditional["language"] == "zh-Hant"
    assert "converted_to_simplified" not in traditional["warnings"]
    assert traditional["title"] != to_simplified(traditional["title"])
    assert simplified["language"] == "zh-Hans"
    assert "converted_to_simplified" in simplified["warnings"]
    assert simplified["title"] == to_simplified(traditional["title"])
    assert simplified["paragraphs"] == [to_simplified(p) for p in traditional["paragraphs"]]
    assert simplified["authors"] == [to_simplified(a) for a in traditional["authors"]]
    assert simplified["id"] == traditional["id"]
