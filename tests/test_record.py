"""The record builder: normalisation applied across fields, options and flags."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema

from newscrawl.extraction import ImageRef, PageFields
from newscrawl.record import (
    DEFAULT_TITLE_SEPARATORS,
    RecordOptions,
    build_record,
    record_id,
    strip_title_suffix,
)
from newscrawl.sites import get_profile

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[1] / "newscrawl/schema/article-record.schema.json"
    ).read_text()
)
URL = "https://www.dzwww.com/xinwen/202505/t20250523_1.htm"


def _page(**fields) -> PageFields:
    base = {
        "url": URL,
        "title": "标题",
        "published_raw": "2025-05-23 10:28",
        "source": "大众网",
        "author": "秦瑾",
        "paragraphs": ["第一段。" * 30],
    }
    return PageFields(**{**base, **fields})


def _build(*pages: PageFields, **options) -> dict:
    record = build_record(
        list(pages),
        site="dzwww",
        crawled_at="2026-11-29T00:00:00+00:00",
        options=RecordOptions(**options),
    )
    jsonschema.validate(record, SCHEMA)
    return record


def test_traditional_text_is_converted_only_when_asked() -> None:
    page = _page(
        title="學校動態：職業教育",
        paragraphs=["產教融合、校企合作是職業教育的基本辦學模式。" * 5],
        images=[ImageRef(url="https://www.dzwww.com/a.jpg", caption="會議現場", position=1)],
        author="張明",
    )
    kept = _build(page)
    assert kept["language"] == "zh-Hant" and kept["title"] == "學校動態：職業教育"
    converted = _build(page, to_simplified=True)
    assert converted["title"] == "学校动态：职业教育"
    assert converted["paragraphs"][0].startswith("产教融合、校企合作是职业教育")
    assert converted["images"][0]["caption"] == "会议现场"
    assert converted["authors"] == ["张明"]
    assert converted["language"] == "zh-Hans"
    assert "converted_to_simplified" in converted["warnings"]
    assert converted["content_hash"] != kept["content_hash"]


def test_mirror_glosses_and_control_characters_are_cleaned_and_mojibake_flagged() -> None:
    record = _build(
        _page(
            title="大眾網(wǎng)記者\u200b報道",
            paragraphs=[
                "如何健全學(xué)??萍汲晒D(zhuǎn)化服務(wù)體系\u2028？",
                "  \u3000\u3000  ",
            ],
        )
    )
    assert record["title"] == "大眾網記者報道"
    assert record["paragraphs"] == ["如何健全學??萍汲晒D化服務體系 ？"]
    assert "mojibake" in record["warnings"]
    assert all(len(json.dumps(v, ensure_ascii=False).splitlines()) == 1 for v in record.values())


def test_page_date_wins_over_a_disagreeing_url_date() -> None:
    record = _build(_page(published_raw="2025-06-30"))
    assert record["published_date"] == "2025-06-30" and record["published_at"] is None
    assert "date_url_mismatch" in record["warnings"]


def test_date_from_the_url_when_the_page_has_none() -> None:
    record = _build(_page(published_raw=None))
    assert record["published_date"] == "2025-05-23"
    assert record["published_raw"] is None and record["published_at"] is None


def test_pages_are_stitched_with_image_positions_across_pages() -> None:
    first = _page(paragraphs=["一", "二"], images=[ImageRef("https://x.cn/1.jpg", None, 1)])
    second = _page(
        url=URL.replace(".htm", "_1.htm"),
        title="第二页的标题",
        paragraphs=["三", "", "四"],
        images=[ImageRef("https://x.cn/2.jpg", "图二", 2)],
        credit_lines=["责编：张明明 审签：路时川"],
    )
    record = _build(first, second)
    assert record["paragraphs"] == ["一", "二", "三", "四"]
    assert [i["position"] for i in record["images"]] == [1, 3]
    assert record["title"] == "标题" and record["page_count"] == 2
    assert [c["name"] for c in record["credits"]] == ["张明明", "路时川"]


def test_outlet_named_as_author_becomes_the_source() -> None:
    record = _build(_page(source=None, author="大众网"))
    assert record["authors"] == [] and record["source"] == "大众网"
    assert "no_author" in record["warnings"]


def test_ids_are_stable_across_scheme_port_and_fragment() -> None:
    assert record_id("dzwww", "https://www.dzwww.com/a/t1_2.htm") == record_id(
        "dzwww", "http://WWW.dzwww.com:80/a/t1_2.htm#top"
    )
    assert record_id("dzwww", "https://www.dzwww.com/a/t1_2.htm") != record_id(
        "dzwww", "https://sd.dzwww.com/a/t1_2.htm"
    )


def test_title_suffix_is_removed_only_for_the_site_name() -> None:
    assert strip_title_suffix("标题_即时新闻_大众网", ["大众网"]) == "标题"
    assert strip_title_suffix("济南-西宁-拉萨航线", ["大众网"]) == "济南-西宁-拉萨航线"


def test_record_options_for_a_profile() -> None:
    dzwww = get_profile("dzwww")
    options = RecordOptions.for_profile(dzwww, to_simplified=True)
    assert options.to_simplified and options.title_suffixes == tuple(dzwww.title_suffixes)
    assert options.portal_names == ("大众网",)
    assert options.title_separators == DEFAULT_TITLE_SEPARATORS
    ynet = RecordOptions.for_profile(get_profile("ynet"))
    assert ynet.portal_names == ("北青网", "YNET.com北青网")
    assert RecordOptions.for_profile(None) == RecordOptions()


def test_the_profile_title_separator_decides_where_a_suffix_starts() -> None:
    """e23 sets title_separator = "-": only "-" stands before its site name; a profile
    that leaves the key out (dzwww) accepts any of the usual separators."""
    e23 = get_profile("e23")
    assert e23.title_separator == "-"

    def title(profile, text: str) -> str:
        page = _page(title=text)
        options = RecordOptions.for_profile(profile)
        return build_record([page], site=profile.name, crawled_at="x", options=options)["title"]

    assert title(e23, "要闻-舜网") == "要闻"
    assert title(e23, "要闻_舜网") == "要闻_舜网"
    assert title(dataclasses.replace(e23, title_separator="|"), "要闻-舜网") == "要闻-舜网"
    assert title(dataclasses.replace(e23, title_separator="|"), "要闻|舜网") == "要闻"
    dzwww = get_profile("dzwww")
    assert title(dzwww, "要闻_大众网") == "要闻" and title(dzwww, "要闻-大众网") == "要闻"
