"""Canonical article URLs: one article, one URL, one id (newscrawl/urls.py)."""

from __future__ import annotations

import pytest

from newscrawl import settings
from newscrawl.record import record_id
from newscrawl.urls import TRACKING_PARAMS, canonical_url

ARTICLE = "http://www.dzwww.com/xinwen/202405/t20240510_13900001.htm"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE + "?from=list",
        ARTICLE + "?spm=a2h0c.8166622.PhoneSokuUgc_1.dtitle",
        ARTICLE + "?utm_source=wechat&utm_medium=social&utm_campaign=x",
        ARTICLE + "?from=groupmessage&isappinstalled=0&scene=1",
        ARTICLE + "#comments",
        ARTICLE + "?",
        "http://www.dzwww.com/xinwen/202405/../202405/./t20240510_13900001.htm",
        "HTTP://WWW.DZWWW.COM/xinwen/202405/t20240510_13900001.htm",
        "http://www.dzwww.com:80/xinwen/202405/t20240510_13900001.htm",
        "  http://www.dzwww.com/xinwen/202405/t20240510_13900001.htm?UTM_Source=x  ",
    ],
)
def test_variants_of_one_article_have_one_url_and_one_id(variant: str) -> None:
    assert canonical_url(variant) == ARTICLE
    assert record_id("dzwww", canonical_url(variant)) == record_id("dzwww", ARTICLE)


def test_parameters_that_name_an_article_are_kept_sorted() -> None:
    assert canonical_url("http://a.cn/show.php?id=7&from=list&cat=2") == (
        "http://a.cn/show.php?cat=2&id=7"
    )
    assert canonical_url("http://a.cn/show.php?id=7&cat=2", keep_query=["ID"]) == (
        "http://a.cn/show.php?id=7"
    )
    assert canonical_url("http://a.cn/show.php?id=7", keep_query=[]) == "http://a.cn/show.php"
    assert canonical_url("http://a.cn/a?x=1&ref=2", drop_query=["ref"]) == "http://a.cn/a?x=1"


def test_other_ports_schemes_and_hosts_stay_apart() -> None:
    assert canonical_url("https://a.cn:443/x.htm") == "https://a.cn/x.htm"
    assert canonical_url("http://a.cn:443/x.htm") == "http://a.cn:443/x.htm"
    assert canonical_url("http://127.0.0.1:8123/x.htm") == "http://127.0.0.1:8123/x.htm"
    assert canonical_url("http://[::1]:80/x.htm") == "http://[::1]/x.htm"
    assert canonical_url("http://a.cn/中文/t1.htm") == "http://a.cn/%E4%B8%AD%E6%96%87/t1.htm"


def test_the_tracking_list_is_the_setting() -> None:
    assert TRACKING_PARAMS == tuple(settings.NEWSCRAWL_TRACKING_PARAMS)
    assert {"utm_*", "spm", "from"} <= set(TRACKING_PARAMS)
