"""Every replica article page, field by field, against its hand-written expected record."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from newscrawl.extraction import extract_page
from newscrawl.sites import get_profile
from tests.replica_pages import SITE, comparable, expected_pages, extract_article, fetch_local

DZWWW = get_profile("dzwww")

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
    (
        Path(__file__).resolve().parents[1] / "newscrawl/schema/article-record.schema.json"
    ).read_text()
)


@cache
def _record(url: str) -> dict:
    return comparable(extract_article(url)[1])


def test_fixture_set_covers_every_template_variant() -> None:
    used = set()
    for page in PAGES:
        body, content_type = fetch_local(page.url)
        used.add(extract_page(page.url, body, content_type, DZWWW.selectors).extractor)
    variants = {
        "C": ("news-body",),
        "B": ("news-con",),
        "A": ("TRS_Editor", "#text", "photoNews"),
    }
    for variant, markers in variants.items():
        assert any(m in u for u in used for m in markers), f"no variant {variant} page"


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("page", PAGES, ids=[p.path for p in PAGES])
def test_field(page, field: str) -> None:
    assert field in page.expected, f"expected file of {page.path} lacks {field}"
    assert _record(page.url)[field] == page.expected[field]


@pytest.mark.parametrize("page", PAGES, ids=[p.path for p in PAGES])
def test_record_matches_schema(page) -> None:
    _, record = extract_article(page.url)
    jsonschema.validate(record, SCHEMA)
    assert record["body"] == "\n".join(record["paragraphs"])


def test_site_exists() -> None:
    assert SITE.is_dir()


def test_a_body_selector_that_catches_another_block_is_flagged() -> None:
    """A redesign moved the article and gave the old body id to a hot-news list."""
    from tests.drift_templates import body_moved

    page = next(p for p in expected_pages() if p.path.endswith("t20250523_16561234.htm"))
    body, content_type = fetch_local(page.url)
    html = body.decode("utf-8")
    assert 'id="news-body"' in html
    moved = extract_page(page.url, body_moved(html).encode("utf-8"), content_type, DZWWW.selectors)
    assert "body_disagrees" in moved.warnings
    normal = extract_page(page.url, body, content_type, DZWWW.selectors)
    assert "body_disagrees" not in normal.warnings
