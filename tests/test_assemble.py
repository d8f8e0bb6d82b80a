"""The article assembly: pages in, next URL out, one record at the end."""

from __future__ import annotations

from newscrawl.assemble import ArticleAssembly
from newscrawl.extraction import PageFields
from newscrawl.record import RecordOptions

BASE = "https://www.dzwww.com/xinwen/202505/t20250523_1"


def _page(n: int, *others: int) -> PageFields:
    suffix = "" if n == 0 else f"_{n}"
    return PageFields(
        url=f"{BASE}{suffix}.htm",
        title="标题_要闻_大众网",
        published_raw="2025-05-23 10:28",
        author="秦瑾",
        paragraphs=[f"第{n}页。" * 40],
        other_pages=[f"{BASE}_{o}.htm" for o in others],
    )


def _assembly(first: PageFields) -> ArticleAssembly:
    return ArticleAssembly(first, site="dzwww", crawled_at="2026-01-01T00:00:00+00:00")


def test_a_single_page_article_is_done_at_once() -> None:
    assembly = _assembly(_page(0))
    assert assembly.next_url is None
    record = assembly.record(RecordOptions())
    assert record["page_count"] == 1 and "missing_pages" not in record["warnings"]


def test_pages_are_fetched_once_each_in_the_order_first_named() -> None:
    assembly = _assembly(_page(0, 1, 2))
    fetched = []
    url = assembly.next_url
    pages = {f"{BASE}_1.htm": _page(1, 1, 2, 3), f"{BASE}_2.htm": _page(2, 1, 2, 3)}
    pages[f"{BASE}_3.htm"] = _page(3, 1, 2)
    while url is not None:
        fetched.append(url)
        url = assembly.add_page(pages[url])
    assert fetched == [f"{BASE}_1.htm", f"{BASE}_2.htm", f"{BASE}_3.htm"]
    record = assembly.record(RecordOptions.for_profile(None))
    assert record["page_count"] == 4
    assert record["paragraphs"][0].startswith("第0页") and record["paragraphs"][3].startswith(
        "第3页"
    )
    assert "missing_pages" not in record["warnings"]


def test_a_page_that_cannot_be_fetched_stops_the_article_and_is_flagged() -> None:
    assembly = _assembly(_page(0, 1, 2))
    assert assembly.next_url == f"{BASE}_1.htm"
    assert assembly.page_missing() is None and assembly.next_url is None
    assert assembly.missing == [f"{BASE}_1.htm", f"{BASE}_2.htm"]
    record = assembly.record()
    assert record["page_count"] == 1 and "missing_pages" in record["warnings"]


def test_pages_named_but_never_added_count_as_missing() -> None:
    record = _assembly(_page(0, 1)).record()
    assert "missing_pages" in record["warnings"]


def test_the_record_uses_the_options_given() -> None:
    from newscrawl.sites import get_profile

    assembly = _assembly(_page(0))
    assert assembly.record(RecordOptions())["title"] == "标题_要闻_大众网"
    assert assembly.record(RecordOptions.for_profile(get_profile("dzwww")))["title"] == "标题"
