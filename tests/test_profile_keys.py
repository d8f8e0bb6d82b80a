"""Every key of the profile format changes behaviour: one test per key.

Each test loads a small profile, then the same profile with one key changed,
and shows a result that differs (docs/profiles.md documents the keys).
"""

from __future__ import annotations

import re
from pathlib import Path

from newscrawl.crawling.spider import PortalSpider
from newscrawl.extraction import extract_page
from newscrawl.extraction.listing import ListPage
from newscrawl.record import RecordOptions, build_record
from newscrawl.sites import load_profile
from newscrawl.sites.loader import _SECTION_KEYS, _TOP_KEYS
from newscrawl.sites.profile import SiteProfile

BASE = """
name = "example"
display_name = "长江云"
allowed_domains = ["example.cn"]
start_urls = ["https://news.example.cn/gn/"]
title_suffixes = ["示例网"]

[urls]
article = '/t\\d{8}_\\d+\\.htm$'
list = '/index(_\\d+)*\\.htm$'

[pagination]
pattern = '^index_(\\d+)\\.htm$'
first = 1

[links]
min_text_chars = 0

[selectors]
title = ["css:h1.title"]
date = ["css:span.date"]
source = ["css:span.source"]
author = ["css:span.author"]
meta = ["css:div.info"]
body = ["css:div#content"]
breadcrumb = ["css:div.crumbs"]
drop = ["css:p.ad"]
"""

URL = "https://news.example.cn/gn/202505/t20250523_1.htm"
PAGE = """<html><head><title>标题_国内_示例网</title></head><body>
<div class="crumbs">首页 &gt; 国内</div>
<div class="nav"><a href="/">首页</a> &gt; <a href="/x/">别处</a></div>
<h1 class="title">标题</h1><h2 class="other">另一标题</h2>
<div class="info">时间：2025-05-20 来源：新华社 作者：王五</div>
<span class="date">2025-05-23 10:28</span><span class="source">大众日报</span>
<span class="author">张三</span>
<div id="content"><p>正文第一段，写了很多内容。</p><p class="ad">广告文字</p>
<p>正文第二段，继续写。</p></div>
<div id="other"><p>另一个正文，同样写了足够长的一段内容，超过二十个字。</p></div>
</body></html>"""
LIST = """<html><body><ul>
<li><a href="/gn/202505/t20250523_1.htm">长标题新闻一则</a></li>
<li><a href="/gn/202505/t20250523_2.htm">短</a></li>
<li><a href="/gn/202505/x20250523_3.htm">不是文章的链接</a></li>
</ul><a href="/gn/index_1.htm">2</a></body></html>"""


def _profile(tmp_path: Path, text: str = BASE) -> SiteProfile:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path)


def _changed(tmp_path: Path, old: str, new: str) -> SiteProfile:
    assert old in BASE, old
    return _profile(tmp_path, BASE.replace(old, new, 1))


def _fields(profile: SiteProfile):
    return extract_page(URL, PAGE.encode("utf-8"), "text/html; charset=utf-8", profile.selectors)


def _record(profile: SiteProfile, **page) -> dict:
    fields = _fields(profile)
    for name, value in page.items():
        setattr(fields, name, value)
    options = RecordOptions.for_profile(profile)
    return build_record([fields], site=profile.name, crawled_at="x", options=options)


def test_every_key_of_the_format_has_a_test_here() -> None:
    tested = {
        name.removeprefix("test_key_").replace("__", ".")
        for name in globals()
        if name.startswith("test_key_")
    }
    keys = {key for key in _TOP_KEYS if key not in _SECTION_KEYS}
    keys |= {f"{section}.{key}" for section, names in _SECTION_KEYS.items() for key in names}
    assert keys == tested


def test_key_name(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'name = "example"', 'name = "other"')
    assert _fields(other).extractor.startswith("other:")
    assert _record(other)["id"].startswith("other-")


def test_key_display_name(tmp_path: Path) -> None:
    base = _record(_profile(tmp_path), author="长江云 张三")
    assert base["authors"] == ["张三"] and "author_is_portal" in base["warnings"]
    other = _changed(tmp_path, 'display_name = "长江云"', 'display_name = "别的名字"')
    assert _record(other, author="长江云 张三")["authors"] == ["长江云", "张三"]


def test_key_allowed_domains(tmp_path: Path) -> None:
    assert _profile(tmp_path).owns(URL)
    assert not _changed(tmp_path, '["example.cn"]', '["example.com"]').owns(URL)


def test_key_start_urls(tmp_path: Path) -> None:
    profile = _changed(tmp_path, "https://news.example.cn/gn/", "https://news.example.cn/gj/")
    spider = type("ExampleSpider", (PortalSpider,), {"name": "example", "profile": profile})()
    assert spider.start_urls == ["https://news.example.cn/gj/"]


def test_key_title_suffixes(tmp_path: Path) -> None:
    assert _record(_profile(tmp_path), title="标题_国内_示例网")["title"] == "标题"
    other = _changed(tmp_path, 'title_suffixes = ["示例网"]', 'title_suffixes = ["别的网"]')
    assert _record(other, title="标题_国内_示例网")["title"] == "标题_国内_示例网"


def test_key_title_separator(tmp_path: Path) -> None:
    assert _record(_profile(tmp_path), title="标题-示例网")["title"] == "标题"
    dashless = _changed(
        tmp_path,
        'title_suffixes = ["示例网"]',
        'title_suffixes = ["示例网"]\ntitle_separator = "_"',
    )
    assert _record(dashless, title="标题-示例网")["title"] == "标题-示例网"


def test_key_urls__article(tmp_path: Path) -> None:
    profile = _profile(tmp_path)
    assert [i.url for i in ListPage("https://news.example.cn/gn/", LIST, profile).items()] == [
        "https://news.example.cn/gn/202505/t20250523_1.htm",
        "https://news.example.cn/gn/202505/t20250523_2.htm",
    ]
    other = _changed(tmp_path, "article = '/t", "article = '/x")
    items = ListPage("https://news.example.cn/gn/", LIST, other).items()
    assert [i.url for i in items] == ["https://news.example.cn/gn/202505/x20250523_3.htm"]


def test_key_urls__list(tmp_path: Path) -> None:
    page = ListPage("https://news.example.cn/gn/index.htm", LIST, _profile(tmp_path))
    assert page.next_page(0) == "https://news.example.cn/gn/index_1.htm"
    other = _changed(tmp_path, "list = '/index(_\\d+)*\\.htm$'", "list = '/list_\\d+\\.htm$'")
    assert ListPage("https://news.example.cn/gn/index.htm", LIST, other).next_page(0) is None


def test_key_urls__keep_query(tmp_path: Path) -> None:
    show = "https://news.example.cn/gn/show.htm"
    linked = f"{show}?articleId=7&from=list&page=2&utm_source=wx"
    base = _profile(tmp_path)  # no keep_query: every parameter but the tracking ones
    assert base.canonical_url(linked) == f"{show}?articleId=7&page=2"
    only_id = _changed(tmp_path, "[urls]", '[urls]\nkeep_query = ["articleId"]')
    assert only_id.canonical_url(linked) == f"{show}?articleId=7"

    def record(profile: SiteProfile, url: str) -> dict:
        fields = _fields(profile)
        fields.url = url
        options = RecordOptions.for_profile(profile)
        return build_record([fields], site="example", crawled_at="x", options=options)

    first = record(only_id, linked)
    assert first["url"] == f"{show}?articleId=7"
    assert record(only_id, f"{show}?page=3&articleId=7")["id"] == first["id"]
    assert record(only_id, f"{show}?articleId=8")["id"] != first["id"]
    assert record(base, f"{show}?page=3&articleId=7")["id"] != first["id"]
    no_query = _changed(tmp_path, "[urls]", "[urls]\nkeep_query = []")
    assert no_query.canonical_url(linked) == show


def test_key_pagination__pattern(tmp_path: Path) -> None:
    assert _profile(tmp_path).page_index("https://news.example.cn/gn/index_3.htm") == 3
    other = _changed(tmp_path, "pattern = '^index_(\\d+)\\.htm$'", "pattern = '^page(\\d+)\\.htm$'")
    assert other.page_index("https://news.example.cn/gn/index_3.htm") is None


def test_key_pagination__first(tmp_path: Path) -> None:
    other = _changed(tmp_path, "first = 1", "first = 2")
    assert other.page_index("https://news.example.cn/gn/index_3.htm") == 2


def test_key_links__min_text_chars(tmp_path: Path) -> None:
    other = _changed(tmp_path, "min_text_chars = 0", "min_text_chars = 4")
    items = ListPage("https://news.example.cn/gn/", LIST, other).items()
    assert [i.title for i in items] == ["长标题新闻一则"]


def test_key_selectors__title(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'title = ["css:h1.title"]', 'title = ["css:h2.other"]')
    assert _fields(_profile(tmp_path)).title == "标题" and _fields(other).title == "另一标题"


def test_key_selectors__date(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'date = ["css:span.date"]', "date = []")
    assert _fields(_profile(tmp_path)).published_raw == "2025-05-23 10:28"
    assert _fields(other).published_raw == "2025-05-20"  # now from the meta line


def test_key_selectors__source(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'source = ["css:span.source"]', "source = []")
    assert _fields(_profile(tmp_path)).source == "大众日报" and _fields(other).source == "新华社"


def test_key_selectors__author(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'author = ["css:span.author"]', "author = []")
    assert _fields(_profile(tmp_path)).author == "张三" and _fields(other).author == "王五"


def test_key_selectors__meta(tmp_path: Path) -> None:
    no_source = _changed(tmp_path, 'source = ["css:span.source"]', "source = []")
    assert _fields(no_source).source == "新华社"
    text = BASE.replace('source = ["css:span.source"]', "source = []").replace(
        'meta = ["css:div.info"]', "meta = []"
    )
    assert _fields(_profile(tmp_path, text)).source is None


def test_key_selectors__body(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'body = ["css:div#content"]', 'body = ["css:div#other"]')
    assert _fields(_profile(tmp_path)).paragraphs[0] == "正文第一段，写了很多内容。"
    assert _fields(other).paragraphs == ["另一个正文，同样写了足够长的一段内容，超过二十个字。"]


def test_key_selectors__breadcrumb(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'breadcrumb = ["css:div.crumbs"]', 'breadcrumb = ["css:div.nav"]')
    assert _fields(_profile(tmp_path)).breadcrumb == ["首页", "国内"]
    assert _fields(other).breadcrumb == ["首页", "别处"]


def test_key_selectors__drop(tmp_path: Path) -> None:
    other = _changed(tmp_path, 'drop = ["css:p.ad"]', "drop = []")
    assert "广告文字" not in _fields(_profile(tmp_path)).paragraphs
    assert "广告文字" in _fields(other).paragraphs


def test_a_changed_key_is_what_the_base_profile_does_not_do(tmp_path: Path) -> None:
    """The base profile itself reads the fixture page as the tests above expect."""
    fields = _fields(_profile(tmp_path))
    assert (fields.title, fields.source, fields.author) == ("标题", "大众日报", "张三")
    assert re.fullmatch(r"example:css:div#content", fields.extractor)
