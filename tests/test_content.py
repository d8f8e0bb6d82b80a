"""What a fetched body holds (newscrawl/content.py) and Retry-After values, as plain values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newscrawl.content import EMPTY_PAGE, NOT_HTML, body_problem, parser_limit
from newscrawl.crawling.middlewares.retryafter import retry_after_seconds
from newscrawl.replica.server import DEFAULT_ROOT
from testing.faults import _BODIES
from testing.hostile import binary_garbage, huge_text_node, nested_elements

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _pages() -> list[Path]:
    roots = [DEFAULT_ROOT.parent, SHARED_CORPUS]
    suffixes = (".htm", ".html", ".shtml")
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.suffix in suffixes]


def test_no_real_page_is_taken_for_something_else() -> None:
    pages = _pages()
    assert len(pages) > 60
    for page in pages:
        body = page.read_bytes()
        for content_type in ("text/html", "text/html; charset=gbk", None, "text/plain"):
            assert body_problem(body, content_type) is None, (page, content_type)


@pytest.mark.parametrize("kind", ["png", "json", "pdf"])
def test_other_formats_are_not_html_whatever_the_header_says(kind: str) -> None:
    content_type, body = _BODIES[kind]
    for declared in (content_type, "text/html; charset=utf-8", None):
        assert body_problem(body, declared)[0] == NOT_HTML


def test_empty_and_binary_bodies() -> None:
    assert body_problem(b"", "text/html") == (EMPTY_PAGE, "empty body")
    assert body_problem(b" \r\n\t", None)[0] == EMPTY_PAGE
    garbage = binary_garbage(64 * 1024).read()
    assert body_problem(garbage, "text/html")[0] == NOT_HTML
    assert body_problem(b"just some words, no markup at all", None)[0] == NOT_HTML
    assert body_problem("<html>中文</html>".encode("utf-16"), "text/html") is None  # BOM


def test_parser_limits_are_reported() -> None:
    assert parser_limit(nested_elements(1000).read().decode()).startswith("Excessive depth")
    assert "Buffer size limit" in parser_limit(huge_text_node(12 * 2**20).read().decode())
    assert parser_limit("<html><body><p>正文</p></body></html>") is None


def test_retry_after_values() -> None:
    now = dt.datetime(2026, 12, 6, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("20", now) == 20.0
    assert retry_after_seconds(" 0 ", now) == 0.0
    assert retry_after_seconds("Sun, 06 Dec 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sun, 06 Dec 2026 11:00:00 GMT", now) == 0.0  # past
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("-5", now) is None
