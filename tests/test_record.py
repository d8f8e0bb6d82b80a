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


# -- never silently wrong: provenance and cross-checks ----------------------------------------

PROFILE = {
    "title": "profile:css:h1",
    "date": "profile:css:div.date",
    "source": "profile:css:div.info",
    "author": "profile:css:div.info",
    "body": "profile:css:div.body",
}


def _profiled(**fields) -> PageFields:
    return _page(provenance={**PROFILE, **fields.pop("provenance", {})}, **fields)


def test_the_record_says_where_each_value_came_from() -> None:
    record = _build(_profiled())
    assert record["provenance"] == {
        "title": "profile:css:h1",
        "published_date": "profile:css:div.date",
        "source": "profile:css:div.info",
        "authors": "profile:css:div.info",
        "body": "profile:css:div.body",
    }
    from_url = _build(_profiled(published_raw=None, provenance={"date": "url"}))
    assert from_url["provenance"]["published_date"] == "url"
    assert "date_from_url" in from_url["warnings"]
    byline = _build(_profiled(author=None, paragraphs=["新华社记者 张三 报道", "正文。" * 40]))
    assert byline["authors"] == ["张三"] and byline["provenance"]["authors"] == "byline"
    outlet = _build(_profiled(source=None, author="新华网"))
    assert outlet["source"] == "新华网" and outlet["provenance"]["source"] == "author_field"
    assert "authors" not in outlet["provenance"]


def test_an_author_who_is_the_source_an_editor_or_the_portal_is_not_exported() -> None:
    options = {"portal_names": ("长江云",)}
    source = _build(_profiled(author="张三", source="张三"), **options)
    assert source["authors"] == [] and "author_is_source" in source["warnings"]
    editor = _build(_profiled(author="张三 李四", credit_lines=["责任编辑：张三"]), **options)
    assert editor["authors"] == ["李四"] and "author_is_editor" in editor["warnings"]
    assert "no_author" not in editor["warnings"] and editor["provenance"]["authors"]
    portal = _build(_profiled(author="长江云 王五", source="新华社"), **options)
    assert portal["authors"] == ["王五"] and "author_is_portal" in portal["warnings"]


def test_the_generic_extractor_s_author_in_another_role_is_kept_and_flagged() -> None:
    generic = {name: "generic" for name in PROFILE}
    record = _build(_page(author="张三", credit_lines=["编辑：张三"], provenance=generic))
    assert record["authors"] == ["张三"] and "author_is_editor" in record["warnings"]
    guessed = _page(author="张三", credit_lines=["编辑：张三"], provenance=generic)
    guessed.warnings.append("author_from_credits")
    record = _build(guessed)
    assert record["authors"] == ["张三"]
    assert "author_from_credits" in record["warnings"]
    assert "author_is_editor" not in record["warnings"]


def test_a_title_that_is_the_portal_or_a_channel_is_flagged() -> None:
    portal = _build(_profiled(title="示例网"), portal_names=("示例网",))
    assert portal["title"] == "示例网" and "title_is_portal" in portal["warnings"]
    channel = _build(_profiled(title="职业院校", breadcrumb=["首页", "学校动态", "职业院校"]))
    assert "title_is_channel" in channel["warnings"]
    headline = "重庆工贸职业技术学院推动产教融合向纵深发展"
    trail = _build(_profiled(title=headline, breadcrumb=["首页", "学校动态", headline]))
    assert "title_is_channel" not in trail["warnings"]


def test_a_missing_source_is_flagged() -> None:
    assert "no_source" in _build(_profiled(source=None))["warnings"]
    assert "no_source" not in _build(_profiled())["warnings"]
