"""The peer portals' profiles: every replica article, field by field, and a crawl of each."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from newscrawl.replica import ReplicaServer
from tests.conftest import ROOT, run_crawl
from tests.replica_pages import (
    PEER_SITES,
    comparable,
    expected_lists,
    expected_pages,
    extract_article,
    site_root,
)
from tests.test_dzwww_extraction import FIELDS

SCHEMA = json.loads((ROOT / "newscrawl/schema/article-record.schema.json").read_text())
PAGES = [page for site in PEER_SITES for page in expected_pages(site)]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("page", PAGES, ids=[f"{p.site}/{p.path}" for p in PAGES])
def test_field(page, field: str) -> None:
    assert field in page.expected, f"expected file of {page.path} lacks {field}"
    record = comparable(extract_article(page.url, page.site)[1])
    assert record[field] == page.expected[field]


@pytest.mark.parametrize("site", PEER_SITES)
def test_profile_crawls_its_replica(site: str, tmp_path: Path) -> None:
    lists = expected_lists(site)
    with ReplicaServer(root=site_root(site)) as server:
        start = server.url + lists["start_path"].lstrip("/")
        result = run_crawl(tmp_path, "-a", f"start_urls={start}", spider=site, server=server)
        requested = list(server.requests)
    assert result.returncode == 0, result.log[-3000:]
    paths = Counter(urlsplit(r["url"]).path for r in result.records)
    assert set(paths) == set(lists["all_articles"]) and set(paths.values()) == {1}
    for page in lists["list_pages"][1:]:
        assert page in requested
    assert result.stats["downloader/request_count"] == len(requested)
    expected = {"/" + p.path: p.expected for p in expected_pages(site)}
    for record in result.records:
        jsonschema.validate(record, SCHEMA)
        got = comparable(record)
        for field in FIELDS:
            assert got[field] == expected["/" + got["url_path"]][field], (record["url"], field)
