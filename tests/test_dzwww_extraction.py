"""Every replica article page, field by field, against its hand-written expected record."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from newscrawl.sites import dzwww
from tests.replica_pages import SITE, expected_pages, extract_article, fetch_local

FIELDS = (
    "title",
    "published_date",
    "published_at",
    "published_raw",
    "source",
    "authors",
    "credits",
    "breadcrumb",
    "paragraphs",
    "images",
    "page_count",
    "encoding",
)
PAGES = expected_pages()
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "newscrawl/schema/article-record.schema.json").read_text()
)


@cache
def _record(url: str) -> dict:
    from tests.replica_pages import comparable

    return comparable(extract_article(url)[1])


def test_fixture_set_covers_the_variants() -> None:
    assert len(PAGES) >= 15
    layouts = set()
    for page in PAGES:
        body, content_type = fetch_local(page.url)
        from newscrawl.extraction import extract_page

        layouts.add(extract_page(page.url, body, content_type, dzwww.PROFILE).extractor)
    body_ids = {layout.split("'")[1] for layout in layouts if "'" in layout}
    assert {"news-body", "news-con", "TRS_Editor"} <= {b.split(" ")[0] for b in body_ids} | {
        b for b in body_ids
    }


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("page", PAGES, ids=[p.path for p in PAGES])
def test_field(page, field: str) -> None:
    if field not in page.expected:
        pytest.skip(f"no expected {field} for {page.path}")
    assert _record(page.url)[field] == page.expected[field]


@pytest.mark.parametrize("page", PAGES, ids=[p.path for p in PAGES])
def test_record_matches_schema(page) -> None:
    _, record = extract_article(page.url)
    jsonschema.validate(record, SCHEMA)
    assert record["body"] == "\n".join(record["paragraphs"])


def test_site_exists() -> None:
    assert SITE.is_dir()
