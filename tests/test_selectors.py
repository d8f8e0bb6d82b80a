"""Compiled profile selectors (id-table look-ups and source checks give what a scan gives)
and the page helpers that spare them work."""

from __future__ import annotations

import gc

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.encoding import decode_html
from newscrawl.extraction.blocks import find_credit_lines
from newscrawl.extraction.dom import element_text, has_text, parse_document
from newscrawl.extraction.profiled import ArticlePage
from newscrawl.extraction.selectors import PageIndex, PageSelectors, compile_selector
from newscrawl.sites import get_profile
from tests.replica_pages import PEER_SITES, expected_pages, fetch_local


def _page(html: str) -> tuple[object, PageIndex]:
    tree, duplicates = parse_document(html)
    return tree, PageIndex(tree, html, duplicates)


def _texts(found: list) -> list[str]:
    return [item if isinstance(item, str) else item.text_content().strip() for item in found]


def test_compiled_names() -> None:
    selector = compile_selector("css:div#news-side > div.date")
    assert selector.anchor_id == "news-side"
    assert set(selector.needs) == {"news-side", "date"}
    assert compile_selector("css:div.layout div.left").anchor_id is None
    assert compile_selector("css:div#main div.TRS_Editor").anchor_id == "main"
    assert compile_selector("css:div.x #y").anchor_id is None  # the id is not the first step
    assert compile_selector("css:a:not(.x)").needs == ()
    assert compile_selector("css:div.a, div.b").needs == ()
    assert compile_selector("//meta[@name='pubdate']/@content").needs == ("pubdate",)
    assert compile_selector("//div[@class='a' or @id='b']").needs == ()
    assert compile_selector("//div[@id != 'b']").needs == ()
    assert compile_selector("//span[contains(., '来源')]").needs == ()


def test_parse_document_reports_duplicate_ids() -> None:
    _, duplicates = parse_document(
        "<html><body><p id='a'>1</p><div id='a'>2</div><p id='b'>3</p></body></html>"
    )
    assert duplicates == frozenset({"a"})
    _, none = parse_document("<html><body><p id='a'>1</p></body></html>")
    assert none == frozenset()


def test_id_anchor_and_absent_id() -> None:
    tree, index = _page(
        "<html><body><div id='side'><div class='date'>2025-05-23</div></div>"
        "<div class='date'>elsewhere</div></body></html>"
    )
    assert _texts(compile_selector("css:div#side > div.date").select(tree, index)) == ["2025-05-23"]
    assert compile_selector("css:div#missing > div.date").select(tree, index) == []


def test_duplicate_id_is_found_by_a_scan() -> None:
    html = (
        "<html><body><span id='side'>inline</span>"
        "<div id='side'><div class='date'>2025-05-23</div></div></body></html>"
    )
    tree, index = _page(html)
    assert index.elements_with_id("side") is None
    found = compile_selector("css:div#side > div.date").select(tree, index)
    assert _texts(found) == ["2025-05-23"]


def test_removed_element_still_referenced_is_not_found() -> None:
    tree, index = _page(
        "<html><body><div id='nav'><p id='inner'>menu</p></div><p id='keep'>x</p></body></html>"
    )
    inner = tree.get_element_by_id("inner")
    tree.get_element_by_id("nav").drop_tree()
    gc.collect()
    # libxml2 keeps the id of a removed element in its table while a proxy refers to it.
    assert index.elements_with_id("inner") is None
    assert compile_selector("css:p#inner").select(tree, index) == []
    assert inner.text == "menu"
    assert _texts(compile_selector("css:p#keep").select(tree, index)) == ["x"]


def test_source_check_skips_selectors_whose_names_are_absent() -> None:
    tree, index = _page("<html><body><div class='layout'><h2>T</h2></div></body></html>")
    assert _texts(compile_selector("css:div.layout h2").select(tree, index)) == ["T"]
    assert compile_selector("css:div.photoMHD h2").select(tree, index) == []
    assert compile_selector("//meta[@name='pubdate']/@content").select(tree, index) == []


def _profile_pages() -> list[tuple[str, str]]:
    pages = [("dzwww", p.url) for p in expected_pages("dzwww")]
    for site in PEER_SITES:
        pages += [(site, p.url) for p in expected_pages(site)]
    return pages


@pytest.mark.parametrize(("site", "url"), _profile_pages())
def test_every_profile_selector_finds_what_a_scan_finds(site: str, url: str) -> None:
    """On every replica page, each selector of its profile (and of dzwww) gives the
    elements a scan of the whole document gives, in the same order."""
    body, content_type = fetch_local(url, site)
    html = decode_html(body, content_type).text
    for profile_name in dict.fromkeys((site, "dzwww")):
        selectors: PageSelectors = get_profile(profile_name).selectors
        page = ArticlePage(url, html, selectors)
        for name in PageSelectors.FIELDS:
            for selector in selectors.compiled[name]:
                assert page.select(selector) == selector.xpath(page.tree), selector.text


def test_credit_words_written_as_character_references_are_found() -> None:
    # 校对 as character references: the source check must not rule the word out.
    html = "<html><body><p>正文。</p><p>&#26657;&#23545;：王五</p></body></html>"
    tree, _ = parse_document(html)
    assert find_credit_lines(tree, html) == ["校对：王五"]
    plain = "<html><body><p>正文。</p><p>监制：赵六</p></body></html>"
    tree, _ = parse_document(plain)
    assert find_credit_lines(tree, plain) == ["监制：赵六"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=" \u3000\n\t\xa0ab中", max_size=6), max_size=6),
    st.integers(-1, 12),
)
def test_has_text_agrees_with_element_text(texts: list[str], min_chars: int) -> None:
    html = "<div>" + "".join(f"<span>{t}</span>" for t in texts) + "</div>"
    el = lxml.html.fragment_fromstring(html)
    assert has_text(el, min_chars) == (len(element_text(el)) >= min_chars)
