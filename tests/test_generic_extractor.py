"""The profile-free extractor: hand-written layouts and the zh-dev quality bar."""

from __future__ import annotations

import importlib.util
import json
import statistics
import time
from pathlib import Path

import lxml.html
import pytest

from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.generic import extract_generic

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "generic"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SCORER = SHARED / "tools" / "eval_extract.py"
CORPUS = SHARED / "corpus" / "zh-dev" / "pages"

LAYOUTS = sorted(p.stem for p in FIXTURES.glob("*.html"))
FIELDS = ("title", "published_raw", "author", "source", "breadcrumb", "paragraphs", "credit_lines")


def _extract(html: str, url: str = "") -> PageFields:
    return extract_generic(lxml.html.document_fromstring(html), url)


def _fixture(name: str) -> tuple[PageFields, dict]:
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    html = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    return _extract(html, expected["url"]), expected


def test_every_layout_has_expectations() -> None:
    assert set(LAYOUTS) == {p.stem for p in FIXTURES.glob("*.json")}
    assert len(LAYOUTS) >= 8


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_fields(name: str) -> None:
    fields, expected = _fixture(name)
    assert fields.extractor == "generic"
    for key in FIELDS:
        assert getattr(fields, key) == expected[key], key
    images = [{"url": i.url, "caption": i.caption, "position": i.position} for i in fields.images]
    assert images == expected["images"]


def test_trs_page_keeps_header_and_credits_out_of_the_body() -> None:
    fields, _ = _fixture("trs_article")
    body = "\n".join(fields.paragraphs)
    assert fields.title == "校企合作育匠才 济南职业学院推动产教融合"
    assert fields.published_raw == "2025-05-23 10:28:00"
    assert (fields.author, fields.source) == ("林晓", "大众网")
    assert fields.credit_lines == ["责任编辑：王晓"]
    assert fields.breadcrumb == ["首页", "学校动态", "正文"]
    noise = ("字号", "分享到", "相关新闻", "职业教育活动周", "版权所有", "责任编辑", "2025-05-23")
    for word in noise:
        assert word not in body
    # U+3000 / nbsp indentation is stripped and the empty paragraph dropped.
    assert fields.paragraphs[2].startswith("5月22日下午")
    assert all(p == p.strip() and p for p in fields.paragraphs)


def test_table_layout_finds_the_nested_cell() -> None:
    fields, _ = _fixture("table_layout")
    assert fields.title == "小镇修车铺的三十年 老师傅守着一门手艺"
    assert fields.published_raw == "2005年03月21日 11:21"
    assert fields.paragraphs[0].startswith("清晨六点")
    assert fields.paragraphs[2] == "一门手艺守半生"
    body = "\n".join(fields.paragraphs)
    assert "车爵仕" not in body and "发表评论" not in body and "来源" not in body


def test_comment_section_longer_than_article_is_left_out() -> None:
    fields, _ = _fixture("comments_longer")
    assert len(fields.paragraphs) == 3
    assert fields.paragraphs[-1].startswith("社区负责人介绍")
    assert not any("书虫" in p or "点赞" in p for p in fields.paragraphs)
    assert fields.author == "周明"


def test_link_list_bigger_than_article_is_not_the_body() -> None:
    fields, _ = _fixture("link_list")
    assert fields.paragraphs == [
        "记者昨天从市园林部门获悉，市民公园东侧新增的两条健身步道已经完工，总长约三公里，"
        "本周末起向市民开放。",
        "新步道采用防滑透水材料铺设，沿途设置了休息座椅和照明设施，夜间也可以正常使用。",
    ]
    assert fields.published_raw == "2024年03月02日 09:15"


def test_br_separated_lines_become_paragraphs() -> None:
    fields, _ = _fixture("br_lines")
    assert len(fields.paragraphs) == 4
    assert fields.paragraphs[2].startswith("“我想待得久一点。”")
    assert (fields.title, fields.published_raw, fields.author) == (
        "山村小学来了新老师",
        "2006/09/05 08:30",
        "李青",
    )


def test_images_get_absolute_urls_captions_and_positions() -> None:
    fields, _ = _fixture("image_caption")
    assert [(i.url, i.caption, i.position) for i in fields.images] == [
        ("http://www.example.com/images/2022/bridge-1.jpg", "修缮后的石拱桥", 1),
        ("https://img.example.com/2022/bridge-2.jpg", "工人正在修补桥栏", 2),
    ]
    assert "修缮后的石拱桥" not in fields.paragraphs
    assert fields.author == "孙悦"


def test_forum_thread_gives_the_first_post() -> None:
    fields, _ = _fixture("forum_post")
    assert fields.title == "周末去郊外摘草莓的一点经验"
    assert fields.author == "青青草"
    assert fields.published_raw == "2005-05-07 21:23:57"
    assert len(fields.paragraphs) == 4
    assert not any("楼主" in p or "小凳子" in p for p in fields.paragraphs)


def test_related_box_inside_the_article_does_not_end_it() -> None:
    fields, _ = _fixture("inline_related")
    assert len(fields.paragraphs) == 4
    assert fields.paragraphs[-1].startswith("不少市民对新规表示支持")
    body = "\n".join(fields.paragraphs)
    for noise in ("相关链接", "电子眼", "本站声明", "新闻排行", "打印"):
        assert noise not in body
    assert fields.author == "张明"


def test_title_falls_back_to_title_tag_without_site_suffix() -> None:
    html = (
        "<html><head><title>河道清淤工程启动_城建_示例网</title></head><body>"
        "<div><p>记者从市水务局了解到，今年的河道清淤工程日前启动，预计六月底前完成。</p>"
        "<p>工程涉及十二条河道，总长四十多公里，施工期间部分路段将临时封闭。</p></div>"
        "</body></html>"
    )
    fields = _extract(html)
    assert fields.title == "河道清淤工程启动"
    assert len(fields.paragraphs) == 2


def test_meta_tags_give_date_and_author_when_the_page_shows_none() -> None:
    html = (
        "<html><head><title>标题</title>"
        '<meta property="article:published_time" content="2021-07-01T08:00:00+08:00">'
        '<meta name="author" content="赵明">'
        "</head><body><h1>标题</h1><div class='content'>"
        "<p>这是一段足够长的正文内容，用来确认正文能够被正确地识别出来，并且不会带上别的东西。</p>"
        "</div></body></html>"
    )
    fields = _extract(html)
    assert fields.published_raw == "2021-07-01T08:00:00+08:00"
    assert fields.author == "赵明"


@pytest.mark.parametrize("html", ["<html></html>", "<html><body><p>短</p></body></html>"])
def test_empty_and_tiny_pages_do_not_fail(html: str) -> None:
    fields = _extract(html, "http://example.com/a.html")
    assert fields.extractor == "generic"
    assert isinstance(fields.paragraphs, list)


# ---------------------------------------------------------------- zh-dev corpus


def _load_scorer():
    if not SCORER.exists() or not CORPUS.exists():
        pytest.skip(f"zh-dev corpus or scorer not found under {SHARED} (shared/ is absent)")
    spec = importlib.util.spec_from_file_location("eval_extract", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_zh_dev_quality_bar() -> None:
    """Mean body F1 >= 0.93, >= 88 % of pages above 0.9, date >= 90 %, author >= 60 %."""
    scorer = _load_scorer()
    f1s: list[float] = []
    dates: list[bool] = []
    authors: list[bool] = []
    elapsed = 0.0
    for gt_file in sorted(CORPUS.glob("*.json")):
        gt = json.loads(gt_file.read_text(encoding="utf-8"))
        if gt.get("tier") != "human":
            continue
        html = gt_file.with_suffix(".html").read_text(encoding="utf-8")
        start = time.perf_counter()
        fields = _extract(html, gt.get("url") or "")
        elapsed += time.perf_counter() - start
        gold = list(scorer.norm_text(gt["body"]))
        pred = list(scorer.norm_text("\n".join(fields.paragraphs)))
        f1s.append(scorer.bag_prf(pred, gold)[2])
        if gt.get("date"):
            dates.append(scorer.norm_date(fields.published_raw) == gt["date"])
        if gt.get("author"):
            authors.append(scorer.author_match(fields.author, gt["author"]))
    assert len(f1s) >= 50
    mean_f1 = statistics.mean(f1s)
    share_good = sum(f > 0.9 for f in f1s) / len(f1s)
    date_acc = sum(dates) / len(dates)
    author_acc = sum(authors) / len(authors)
    summary = f"F1={mean_f1:.3f} >0.9={share_good:.1%} date={date_acc:.1%} author={author_acc:.1%}"
    assert mean_f1 >= 0.93, summary
    assert share_good >= 0.88, summary
    assert date_acc >= 0.90, summary
    assert author_acc >= 0.60, summary
    # A loose guard against pathological slow-downs (typical: well under 10 ms a page).
    assert elapsed / len(f1s) < 0.05, f"{elapsed / len(f1s) * 1000:.1f} ms per page"
