"""大众网 (dzwww.com): URL shapes, default channels and the selectors of its
article templates A (TRS_Editor / headline), B (layout / news-con) and
C (news-head / news-side / news-body); see docs/dzwww.md."""

from __future__ import annotations

import re

from newscrawl.extraction.page import PageSelectors
from newscrawl.sites.profile import SiteProfile


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


SELECTORS = PageSelectors(
    title=(
        "//div[@id='news-head']//h2",
        "//div[@id='xl-headline']//h2",
        f"//div[{_has_class('layout')}]//h2",
        "//div[@id='headline']/h1",
        "//div[@id='wrapper']/h1",
        f"//div[{_has_class('photoMHD')}]//div[{_has_class('title')}]/h2",
        "//div[@id='content']/div[@id='main']/h2",
        f"//div[{_has_class('top')}]/h1",
        "//h1",
    ),
    meta=(
        f"//div[@id='news-side']/div[{_has_class('date')}]",
        f"//div[@id='news-side']//div[{_has_class('text')}]",
        "//div[@id='news-side']//p",
        f"//div[@id='xl-headline']//div[{_has_class('left')}]",
        f"//div[{_has_class('layout')}]//div[{_has_class('left')}]",
        "//div[@id='headline']/i",
        f"//div[@id='infor']//div[{_has_class('left')}]",
        "//div[@id='infor']/p",
        f"//div[{_has_class('photoMHD')}]//div[{_has_class('title')}]//p",
        f"//div[{_has_class('top')}]/p",
        "//meta[@name='publishdate']/@content",
        "//meta[@name='pubdate']/@content",
    ),
    body=(
        "//div[@id='news-body']",
        f"//div[{_has_class('news-body')}]",
        "//div[@id='news-con']",
        f"//div[{_has_class('news-con')}]",
        f"//div[{_has_class('photoNews')}]",
        f"//div[@id='main']//div[{_has_class('TRS_Editor')}]",
        f"//div[{_has_class('TRS_Editor')}]",
        "//div[@id='text']",
    ),
    drop=(
        "//*[@id='qrcode']",
        f"//div[{_has_class('blank10')}]",
        "//a[contains(@href, 'sd24.dzwww.com')]",
        "//div[@id='top']",
        "//div[@id='nav']",
    ),
)

#: Default channel list pages: www (society, domestic, headlines), sd (Shandong
#: news, 2023 list markup) and edu (education news, studying abroad).
START_URLS = (
    "https://www.dzwww.com/xinwen/shehuixinwen/",
    "https://www.dzwww.com/xinwen/guoneixinwen/",
    "https://www.dzwww.com/news/yw/",
    "https://sd.dzwww.com/sdnews/",
    "https://edu.dzwww.com/dzjyxw/jyzytt2/",
    "https://edu.dzwww.com/lxym/lxzx/",
)

PROFILE = SiteProfile(
    name="dzwww",
    allowed_domains=("dzwww.com",),
    start_urls=START_URLS,
    article_url=re.compile(r"/t\d{8}_\d+\.html?$"),
    list_page_url=re.compile(r"/(index|default)(_\d+)*\.html?$"),
    selectors=SELECTORS,
    title_suffixes=("大众网",),
)
