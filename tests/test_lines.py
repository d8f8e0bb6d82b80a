"""The one line model (dom.linearize) and the one line classifier (body.split_body)."""

from __future__ import annotations

import pytest

from newscrawl.extraction.blocks import find_breadcrumb
from newscrawl.extraction.body import split_body
from newscrawl.extraction.dom import content_image_url, linearize, parse_html
from newscrawl.extraction.options import ExtractorOptions

BASE = "http://news.example.cn/a/t20250101_1.htm"


def _lines(html: str):
    tree = parse_html(f"<html><body><div id='c'>{html}</div></body></html>")
    return linearize(tree.get_element_by_id("c")).lines


def test_blocks_and_breaks_end_lines_and_whitespace_collapses() -> None:
    lines = _lines("<p>一 二</p>三<br>四<div>五\n\u3000六</div>")
    assert [ln.text for ln in lines] == ["一 二", "三", "四", "五 六"]


def test_line_presentation_is_recorded() -> None:
    lines = _lines(
        "<p style='text-align:center'>居中</p>"
        "<p><span style='font-size:9pt'>小字说明</span></p>"
        "<p><strong>小标题</strong></p>"
        "<p>\u3000\u3000缩进的段落</p>"
        "<p><span>\u3000\u3000</span>也是缩进</p>"
        "<figcaption>图注</figcaption>"
        "<p class='pic_txt'>说明文字</p>"
        "<p>普通 <b>部分加粗</b></p>"
    )
    by_text = {ln.text: ln for ln in lines}
    assert by_text["居中"].centred and not by_text["小字说明"].centred
    assert by_text["小字说明"].small
    assert by_text["小标题"].strong and not by_text["普通 部分加粗"].strong
    assert by_text["缩进的段落"].indented and by_text["也是缩进"].indented
    assert not by_text["居中"].indented
    assert by_text["图注"].caption_hint and by_text["说明文字"].caption_hint


def test_hidden_elements_are_left_out_but_their_tail_text_stays() -> None:
    lines = _lines("<p>前<span style='display: none'>隐藏</span>后</p>")
    assert [ln.text for ln in lines] == ["前后"]


def test_the_root_s_tail_is_not_read() -> None:
    tree = parse_html("<html><body><div id='c'><p>内</p></div>外</body></html>")
    assert [ln.text for ln in linearize(tree.get_element_by_id("c")).lines] == ["内"]


def test_images_are_lines_and_the_image_policy_is_one() -> None:
    lines = _lines(
        "<img src='/p/photo.jpg'><img src='/i/logo.png'><img src='/p/s.jpg' width='20'>"
        "<img data-src='/p/lazy.jpg'>"
    )
    urls = [content_image_url(ln.image, BASE) for ln in lines]
    assert urls == [
        "http://news.example.cn/p/photo.jpg",
        None,
        None,
        "http://news.example.cn/p/lazy.jpg",
    ]
    wide = ExtractorOptions(min_image_px=10)
    assert content_image_url(lines[2].image, BASE, wide) == "http://news.example.cn/p/s.jpg"


def test_split_body_sorts_lines() -> None:
    lines = _lines(
        "<p>\u3000\u3000第一段正文，写了一些内容。</p>"
        "<p><img src='/p/a.jpg'></p><p>现场照片</p>"
        "<p>\u3000\u3000第二段正文，继续写内容。</p>"
        "<p>分享到：</p>"
        "<p>责编：张三 审签：李四</p>"
        "<p>来源：新华网</p>"
        "<p>\u3000\u3000第二段正文，继续写内容。</p>"
        "<p>相关新闻</p><p>\u3000\u3000别的文章的摘要。</p>"
    )
    parts = split_body(lines, BASE)
    assert parts.paragraphs == ["第一段正文，写了一些内容。", "第二段正文，继续写内容。"]
    assert [(i.url, i.caption, i.position) for i in parts.images] == [
        ("http://news.example.cn/p/a.jpg", "现场照片", 1)
    ]
    assert parts.credit_lines == ["责编：张三 审签：李四"]
    assert parts.source_lines == ["来源：新华网"]


def test_the_generic_path_keeps_text_after_a_related_heading() -> None:
    lines = _lines("<p>正文一，内容。</p><p>相关新闻</p><p>正文二，内容。</p>")
    assert split_body(lines, BASE, stop_at_related=False).paragraphs == [
        "正文一，内容。",
        "相关新闻",
        "正文二，内容。",
    ]


def test_images_printed_together_get_their_captions_in_order() -> None:
    lines = _lines(
        "<img src='/p/1.jpg'><img src='/p/2.jpg'><p>图一说明</p><p>图二说明</p><p>正文。</p>"
    )
    parts = split_body(lines, BASE)
    assert [i.caption for i in parts.images] == ["图一说明", "图二说明"]
    assert parts.paragraphs == ["正文。"]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            "<div>您的位置：<a href='/'>首页</a> &gt; <a href='/x/'>教育</a> &gt; 正文</div>",
            ["首页", "教育", "正文"],
        ),
        (
            "<td><a href='/'>汽车</a> >> <a href='/d/'>车坛动态</a> >> 业界新闻</td>",
            ["汽车", "车坛动态", "业界新闻"],
        ),
        ("<div>当前位置：<a href='/'>首页</a> / <a href='/x/'>社会</a></div>", ["首页", "社会"]),
        ("<div><a href='/a'>甲文章</a> <a href='/b'>乙文章</a></div>", []),
    ],
)
def test_one_breadcrumb_finder(html: str, expected: list[str]) -> None:
    tree = parse_html(f"<html><body>{html}<h1 id='h'>标题</h1><p>正文。</p></body></html>")
    assert find_breadcrumb(tree, tree.get_element_by_id("h")) == expected


def test_a_breadcrumb_after_the_headline_is_not_read() -> None:
    tree = parse_html(
        "<html><body><h1 id='h'>标题</h1>"
        "<div><a href='/'>首页</a> &gt; <a href='/x/'>教育</a></div></body></html>"
    )
    assert find_breadcrumb(tree, tree.get_element_by_id("h")) == []
