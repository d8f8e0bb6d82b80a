"""Site profiles: loading and validation, per-field generic fallback, one spider per profile."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.extraction import extract_page
from newscrawl.extraction.listing import ListPage
from newscrawl.extraction.selectors import PageSelectors
from newscrawl.replica import REPLICA_CHANNELS
from newscrawl.sites import ProfileError, get_profile, load_profile, profile_names
from newscrawl.sites.loader import load_profiles
from tests.conftest import ROOT, run_crawl
from tests.replica_pages import PEERS, expected_pages, fetch_local

VALID = """
name = "example"
allowed_domains = ["example.cn"]
start_urls = ["https://news.example.cn/gn/"]
[urls]
article = '/t\\d{8}_\\d+\\.htm$'
[selectors]
title = ["css:h1.title"]
body = ["//div[@id='content']"]
"""


def _write(tmp_path: Path, text: str, name: str = "example.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_packaged_profile_loads_and_is_a_spider() -> None:
    assert {"dzwww", "generic"} <= set(profile_names())
    env = {"SCRAPY_SETTINGS_MODULE": "newscrawl.settings", "PYTHONPATH": str(ROOT)}
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) == set(profile_names())


def test_a_valid_profile_loads(tmp_path) -> None:
    profile = load_profile(_write(tmp_path, VALID))
    assert profile.name == "example"
    assert profile.is_article_url("https://news.example.cn/gn/202501/t20250101_1.htm")
    assert not profile.is_article_url("https://news.example.cn/gn/index.htm")
    assert profile.owns("https://news.example.cn/x") and not profile.owns("https://example.com/")


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (('name = "example"', ""), "name", "missing"),
        (("[urls]", "colour = 1\n[urls]"), "colour", "unknown key"),
        (('title = ["css:h1.title"]', 'title = ["//h1["]'), "selectors.title[0]", "invalid XPath"),
        (('title = ["css:h1.title"]', 'title = ["css:h1[["]'), "selectors.title[0]", "invalid CSS"),
        (("article = '/t\\d{8}_\\d+\\.htm$'", "article = '(['"), "urls.article", "invalid regular"),
        (("https://news.example.cn/gn/", "ftp://x"), "start_urls[0]", "not an http(s) URL"),
        (("[selectors]", '[selectors]\nbodyy = ["x"]'), "selectors.bodyy", "unknown key"),
        (('name = "example"', 'name = "Ex-ample"'), "name", "must be lower-case"),
        (
            ("[selectors]", "[pagination]\npattern = 'index_\\d+'\n[selectors]"),
            "pagination.pattern",
            "one group",
        ),
        (
            ('allowed_domains = ["example.cn"]', 'allowed_domains = ""'),
            "allowed_domains",
            "expected a list",
        ),
    ],
)
def test_invalid_profiles_name_the_file_and_key(tmp_path, change, key, message) -> None:
    path = _write(tmp_path, VALID.replace(*change))
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    assert str(error.value).startswith(f"{path}: {key}: ")
    assert message in str(error.value)


def test_unreadable_and_non_toml_files(tmp_path) -> None:
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(_write(tmp_path, "name = [unclosed"))
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "absent.toml")


def test_duplicate_profile_names_are_refused(tmp_path) -> None:
    _write(tmp_path, VALID, "a.toml")
    _write(tmp_path, VALID, "b.toml")
    with pytest.raises(ProfileError, match="is also used by"):
        load_profiles(tmp_path)


def test_fields_the_selectors_miss_come_from_the_page_title_and_the_generic_extractor() -> None:
    dzwww = get_profile("dzwww")
    blind_selectors = PageSelectors(
        title=("//nothing",), meta=dzwww.selectors.meta, body=("//nothing",), label="dzwww"
    )
    page = next(p for p in expected_pages() if p.path.endswith("t20250522_16559012.htm"))
    body, content_type = fetch_local(page.url)
    fields = extract_page(page.url, body, content_type, blind_selectors)
    # The headline comes from <title> (the record strips its _栏目_大众网 suffix) ...
    assert fields.title.startswith(page.expected["title"] + "_")
    assert fields.provenance["title"] == "title_tag"
    # ... the body from the generic extractor, flagged for that field.
    assert fields.provenance["body"] == "generic"
    assert "fallback_body" in fields.warnings and "fallback_title" not in fields.warnings
    assert fields.paragraphs[0] == page.expected["paragraphs"][0]
    assert set(page.expected["paragraphs"]) <= set(fields.paragraphs)
    assert "generic:body" in fields.extractor
    normal = extract_page(page.url, body, content_type, dzwww.selectors)
    assert "fallback_extractor" not in normal.warnings
    assert normal.provenance == {
        "title": "profile:css:div#news-head h2",
        "date": "profile:css:div#news-side div.date",
        "source": "profile:css:div#news-side div.text",
        "author": "profile:css:div#news-side div.text",
        "body": "profile:css:div#news-body",
    }


def test_selectors_accept_css_and_xpath() -> None:
    selectors = PageSelectors(title=("css:div.head > h1", "//h2"))
    assert len(selectors.compiled["title"]) == 2


def test_generic_spider_crawls_a_portal_without_profile(replica, tmp_path) -> None:
    start = "start_urls=" + ",".join(replica.url + c for c in REPLICA_CHANNELS)
    result = run_crawl(
        tmp_path,
        "-a",
        start,
        spider="generic",
        server=replica,
        settings={"NEWSCRAWL_MIN_FIELD_COVERAGE": "0.4"},
    )
    assert result.returncode == 0, result.log[-2000:]
    lists = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text("utf-8"))
    paths = [urlsplit(r["url"]).path for r in result.records]
    assert sorted(paths) == sorted(lists["all_articles"])
    expected = {"/" + p.path: p.expected for p in expected_pages()}
    titles = sum(expected[urlsplit(r["url"]).path]["title"] == r["title"] for r in result.records)
    dates = sum(
        expected[urlsplit(r["url"]).path]["published_date"] == r["published_date"]
        for r in result.records
    )
    assert titles >= 0.9 * len(paths) and dates >= 0.9 * len(paths)
    assert all(r["site"] == "generic" for r in result.records)


def test_the_list_url_pattern_decides_which_pager_links_are_followed() -> None:
    e23 = get_profile("e23")
    url = "http://127.0.0.1:8000/news/jnnews/index.html"
    html = (PEERS / "e23" / "news" / "jnnews" / "index.html").read_text(encoding="gb18030")
    assert ListPage(url, html, e23).next_page(0) == "http://127.0.0.1:8000/news/jnnews/2.html"
    blind = dataclasses.replace(e23, list_page_url=re.compile(r"/index\.html$"))
    assert ListPage(url, html, blind).next_page(0) is None
