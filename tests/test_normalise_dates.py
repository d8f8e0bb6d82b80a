"""Publication dates: parse_date_text, date_from_url, month_from_url, resolve_published."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.clock import CHINA_TZ
from newscrawl.normalise.dates import (
    PublishedDate,
    date_from_url,
    month_from_url,
    parse_date_text,
    resolve_published,
)

D = datetime.date
T = datetime.time
NOW = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=CHINA_TZ)
SEED_URL = "https://edu.dzwww.com/xxdt/zyyx/202505/t20250523_16000000.htm"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-05-23 10:28:00", (D(2025, 5, 23), T(10, 28), "2025-05-23 10:28:00")),
        ("2025-05-23 10:28", (D(2025, 5, 23), T(10, 28), "2025-05-23 10:28")),
        ("2025-5-3", (D(2025, 5, 3), None, "2025-5-3")),
        ("2025/05/23", (D(2025, 5, 23), None, "2025/05/23")),
        ("2025.05.23", (D(2025, 5, 23), None, "2025.05.23")),
        ("2025-05-23T10:28:00", (D(2025, 5, 23), T(10, 28), "2025-05-23T10:28:00")),
        ("2025年5月23日 10:28", (D(2025, 5, 23), T(10, 28), "2025年5月23日 10:28")),
        ("2025年05月23日10时28分", (D(2025, 5, 23), T(10, 28), "2025年05月23日10时28分")),
        ("2025年05月23日 10:28:05", (D(2025, 5, 23), T(10, 28, 5), "2025年05月23日 10:28:05")),
        ("2025年5月3号", (D(2025, 5, 3), None, "2025年5月3号")),
        ("2025年05月23日", (D(2025, 5, 23), None, "2025年05月23日")),
        ("2025 / 05/23", (D(2025, 5, 23), None, "2025 / 05/23")),
        ("2025\n/ 05/23", (D(2025, 5, 23), None, "2025\n/ 05/23")),
        ("2025\n\n/ 05/23\n來源:", (D(2025, 5, 23), None, "2025\n\n/ 05/23")),
        ("2025 / 05/23 10:28", (D(2025, 5, 23), T(10, 28), "2025 / 05/23 10:28")),
        ("发布时间：2025-05-23 10:28", (D(2025, 5, 23), T(10, 28), "2025-05-23 10:28")),
        ("時間：2025-05-23", (D(2025, 5, 23), None, "2025-05-23")),
        (
            "来源：大众网 时间：2025-05-23 10:28",
            (D(2025, 5, 23), T(10, 28), "2025-05-23 10:28"),
        ),
        (
            "2016-12-27 12:26:00 来源: 大众网 作者: 王封",
            (D(2016, 12, 27), T(12, 26), "2016-12-27 12:26:00"),
        ),
        (
            "２０２５－０５－２３　１０：２８",
            (D(2025, 5, 23), T(10, 28), "２０２５－０５－２３　１０：２８"),
        ),
        ("２０２５年５月２３日", (D(2025, 5, 23), None, "２０２５年５月２３日")),
        ("2025-13-01 2025-02-30 then 2025-02-28", (D(2025, 2, 28), None, "2025-02-28")),
        ("2025-05-23 25:61", (D(2025, 5, 23), None, "2025-05-23")),
        ("2024-02-29", (D(2024, 2, 29), None, "2024-02-29")),
    ],
)
def test_parse_date_text(text: str, expected: tuple) -> None:
    assert parse_date_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "没有日期",
        "2025-13-01",
        "2025-02-30",
        "2023-02-29",
        "2025年13月1日",
        "2025年2月30日",
        "电话：0531-8519-3456",
        "共2025人参加",
        "12025-05-23",
        "2025-05-234",
        "10:28",
    ],
)
def test_parse_date_text_none(text: str) -> None:
    assert parse_date_text(text) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://sd.dzwww.com/sdnews/202510/t20251003_16554923.htm", D(2025, 10, 3)),
        ("https://www.dzwww.com/xinwen/201906/t20190617_18836717.htm", D(2019, 6, 17)),
        ("http://edu.dzwww.com/lxym/lxzx/201410/t20141021_11217943.html", D(2014, 10, 21)),
        ("https://www.dzwww.com/news/yw/202609/t20260904_18086647_1.htm", D(2026, 9, 4)),
        ("http://news.e23.cn/jnnews/2025-05-23/2025052300001.html", D(2025, 5, 23)),
        ("http://news.iqilu.com/shandong/2025/0523/5000000.shtml", D(2025, 5, 23)),
        ("http://ent.ynet.com/2019/07/26/1970815t1254.html", D(2019, 7, 26)),
        ("http://www.southcn.com/content/2020-05/23/content_1.htm", D(2020, 5, 23)),
        ("https://www.dzwww.com/xinwen/202505/index.htm", None),
        ("https://www.dzwww.com/xinwen/202505/t20250230_1.htm", None),
        ("https://www.dzwww.com/", None),
        ("", None),
        ("not a url", None),
    ],
)
def test_date_from_url(url: str, expected: D | None) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.dzwww.com/xinwen/202505/index.htm", (2025, 5)),
        ("https://sd.dzwww.com/sdnews/202510/t20251003_16554923.htm", (2025, 10)),
        ("http://ent.ynet.com/2019/07/26/1970815t1254.html", (2019, 7)),
        ("https://www.dzwww.com/xinwen/202513/index.htm", None),
        ("https://www.dzwww.com/", None),
    ],
)
def test_month_from_url(url: str, expected: tuple[int, int] | None) -> None:
    assert month_from_url(url) == expected


@pytest.mark.parametrize(
    ("raw", "url", "expected"),
    [
        # the seed: split side column, no time of day
        ("2025 / 05/23", SEED_URL, PublishedDate("2025-05-23", None, "2025 / 05/23", [])),
        ("2025\n\n/ 05/23", SEED_URL, PublishedDate("2025-05-23", None, "2025 / 05/23", [])),
        (
            "2025-05-23 10:28",
            SEED_URL,
            PublishedDate("2025-05-23", "2025-05-23T10:28:00+08:00", "2025-05-23 10:28", []),
        ),
        (
            "2016-12-27 12:26:00 来源: 大众网 作者: 王封",
            None,
            PublishedDate("2016-12-27", "2016-12-27T12:26:00+08:00", "2016-12-27 12:26:00", []),
        ),
        # one day apart is tolerated only when a time near midnight explains it
        (
            "2025-05-22 23:50",
            SEED_URL,
            PublishedDate("2025-05-22", "2025-05-22T23:50:00+08:00", "2025-05-22 23:50", []),
        ),
        (
            "2025-05-24 01:10",
            SEED_URL,
            PublishedDate("2025-05-24", "2025-05-24T01:10:00+08:00", "2025-05-24 01:10", []),
        ),
        (
            "2025-05-22 15:00",
            SEED_URL,
            PublishedDate(
                "2025-05-22", "2025-05-22T15:00:00+08:00", "2025-05-22 15:00", ["date_url_mismatch"]
            ),
        ),
        (
            "2025-05-22",
            SEED_URL,
            PublishedDate("2025-05-22", None, "2025-05-22", ["date_url_mismatch"]),
        ),
        # more than one day apart: keep the page's date, warn
        (
            "2025-05-20",
            SEED_URL,
            PublishedDate("2025-05-20", None, "2025-05-20", ["date_url_mismatch"]),
        ),
        # month-only URL
        (
            "2025-05-20",
            "https://www.dzwww.com/x/202505/index.htm",
            PublishedDate("2025-05-20", None, "2025-05-20", []),
        ),
        (
            "2025-04-30",
            "https://www.dzwww.com/x/202505/index.htm",
            PublishedDate("2025-04-30", None, "2025-04-30", []),
        ),
        (
            "2025-02-20",
            "https://www.dzwww.com/x/202505/index.htm",
            PublishedDate("2025-02-20", None, "2025-02-20", ["date_url_mismatch"]),
        ),
        # no page date: URL date, raw stays None, flagged
        (None, SEED_URL, PublishedDate("2025-05-23", None, None, ["date_from_url"])),
        ("来源：大众网", SEED_URL, PublishedDate("2025-05-23", None, None, ["date_from_url"])),
        ("2025-02-30", SEED_URL, PublishedDate("2025-05-23", None, None, ["date_from_url"])),
        # future / too old page dates are not used
        (
            "2099-01-01",
            SEED_URL,
            PublishedDate("2025-05-23", None, None, ["date_in_future", "date_from_url"]),
        ),
        ("2025-06-03", None, PublishedDate(None, None, None, ["date_in_future", "no_date"])),
        (
            "2025-06-02 08:00",
            None,
            PublishedDate("2025-06-02", "2025-06-02T08:00:00+08:00", "2025-06-02 08:00", []),
        ),
        ("1989-05-23", None, PublishedDate(None, None, None, ["date_before_1990", "no_date"])),
        (
            "1989-05-23",
            SEED_URL,
            PublishedDate("2025-05-23", None, None, ["date_before_1990", "date_from_url"]),
        ),
        # nothing at all
        (None, None, PublishedDate(None, None, None, ["no_date"])),
        ("", "https://www.dzwww.com/", PublishedDate(None, None, None, ["no_date"])),
        (
            None,
            "https://www.dzwww.com/x/209901/t20990101_1.htm",
            PublishedDate(None, None, None, ["date_in_future", "no_date"]),
        ),
    ],
)
def test_resolve_published(raw: str | None, url: str | None, expected: PublishedDate) -> None:
    assert resolve_published(raw, url, now=NOW) == expected


def test_resolve_published_naive_and_utc_now() -> None:
    naive = datetime.datetime(2025, 6, 1, 12, 0)
    assert resolve_published("2025-06-03", now=naive).warnings == ["date_in_future", "no_date"]
    # 2025-06-01 20:00 UTC is already 2 June in China
    utc = datetime.datetime(2025, 6, 1, 20, 0, tzinfo=datetime.UTC)
    assert resolve_published("2025-06-03", now=utc).date == "2025-06-03"


def test_resolve_published_default_now() -> None:
    assert resolve_published("2025-05-23").date == "2025-05-23"
    assert resolve_published("2999-05-23").warnings == ["date_in_future", "no_date"]


# -- property tests ---------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789-/.: ", "０１２３４５６７８９－／．：　")

#: (format, carries a time of day, carries seconds)
_FORMS: list[tuple[str, bool, bool]] = [
    ("{Y}-{m}-{d}", False, False),
    ("{Y}-{m}-{d} {H}:{M}:{S}", True, True),
    ("{Y}-{m}-{d} {H}:{M}", True, False),
    ("{Y}-{m_}-{d_}", False, False),
    ("{Y}/{m}/{d}", False, False),
    ("{Y}.{m}.{d}", False, False),
    ("{Y}年{m_}月{d_}日", False, False),
    ("{Y}年{m_}月{d_}日 {H}:{M}", True, False),
    ("{Y}年{m}月{d}日{H}时{M}分", True, False),
    ("{Y}年{m}月{d}日 {H}:{M}:{S}", True, True),
    ("{Y} / {m}/{d}", False, False),
    ("{Y}\n/ {m}/{d}", False, False),
    ("{Y}\n/ {m}/{d} {H}:{M}", True, False),
    ("发布时间：{Y}-{m}-{d} {H}:{M}", True, False),
    ("时间：{Y}年{m}月{d}日", False, False),
    ("来源：大众网 时间：{Y}-{m}-{d} {H}:{M}", True, False),
    ("{Y}-{m}-{d} {H}:{M}:{S} 来源: 大众网 作者: 王封", True, True),
]

_datetimes = st.datetimes(
    min_value=datetime.datetime(1990, 1, 1),
    max_value=datetime.datetime(2025, 6, 1, 12, 0),
)


def _format(form: str, value: datetime.datetime) -> str:
    return form.format(
        Y=f"{value.year:04d}",
        m=f"{value.month:02d}",
        d=f"{value.day:02d}",
        m_=str(value.month),
        d_=str(value.day),
        H=f"{value.hour:02d}",
        M=f"{value.minute:02d}",
        S=f"{value.second:02d}",
    )


@settings(max_examples=200)
@given(_datetimes, st.sampled_from(_FORMS), st.booleans())
def test_formatted_dates_parse_back(
    value: datetime.datetime, form: tuple[str, bool, bool], fullwidth: bool
) -> None:
    pattern, has_time, has_seconds = form
    text = _format(pattern, value)
    if fullwidth:
        text = text.translate(_FULLWIDTH)
    parsed = parse_date_text(text)
    assert parsed is not None
    day, tod, matched = parsed
    assert day == value.date()
    if has_time:
        expected = value.time().replace(microsecond=0)
        if not has_seconds:
            expected = expected.replace(second=0)
        assert tod == expected
    else:
        assert tod is None
    assert matched in text

    result = resolve_published(text, now=NOW)
    assert result.date == value.date().isoformat()
    assert result.warnings == []
    if has_time:
        assert result.at is not None
        assert result.at.startswith(value.date().isoformat() + "T")
        assert result.at.endswith("+08:00")
        assert datetime.datetime.fromisoformat(result.at).time() == tod
    else:
        assert result.at is None


@settings(max_examples=200)
@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2025, 6, 1)))
def test_url_dates_round_trip(day: D) -> None:
    url = f"https://sd.dzwww.com/sdnews/{day:%Y%m}/t{day:%Y%m%d}_16554923.htm"
    assert date_from_url(url) == day
    assert month_from_url(url) == (day.year, day.month)
    assert date_from_url(f"http://x.cn/{day:%Y-%m-%d}/1.html") == day
    assert date_from_url(f"http://x.cn/{day:%Y/%m/%d}/1.html") == day
    assert date_from_url(f"http://x.cn/{day:%Y/%m%d}/1.shtml") == day
    result = resolve_published(None, url, now=NOW)
    assert result == PublishedDate(day.isoformat(), None, None, ["date_from_url"])


@settings(max_examples=300)
@given(st.text(), st.one_of(st.none(), st.text()))
def test_arbitrary_text_never_raises(raw: str, url: str | None) -> None:
    parsed = parse_date_text(raw)
    if parsed is not None:
        assert isinstance(parsed[0], D)
    date_from_url(raw)
    month_from_url(raw)
    result = resolve_published(raw, url, now=NOW)
    assert isinstance(result, PublishedDate)
    assert (result.date is None) == ("no_date" in result.warnings)
    if result.raw is not None:
        assert result.date is not None


@settings(max_examples=200)
@given(
    st.text(alphabet="0123456789-/.年月日时分: \n来源大众网", max_size=60),
)
def test_date_like_text_never_gives_invalid_values(raw: str) -> None:
    result = resolve_published(raw, now=NOW)
    if result.date is not None:
        day = D.fromisoformat(result.date)
        assert D(1990, 1, 1) <= day <= D(2025, 6, 2)
    if result.at is not None:
        assert datetime.datetime.fromisoformat(result.at).tzinfo is not None


@st.composite
def _impossible_dates(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(1990, 2025))
    month = draw(st.integers(1, 19))
    day = draw(st.integers(1, 39))
    try:
        D(year, month, day)
    except ValueError:
        return year, month, day
    return year, 13 + month % 7, day


@settings(max_examples=200)
@given(_impossible_dates(), st.sampled_from([f for f, _, _ in _FORMS]), st.booleans())
def test_impossible_dates_warn_never_wrong(
    ymd: tuple[int, int, int], form: str, with_url: bool
) -> None:
    year, month, day = ymd
    text = form.format(
        Y=f"{year:04d}",
        m=f"{month:02d}",
        d=f"{day:02d}",
        m_=str(month),
        d_=str(day),
        H="10",
        M="28",
        S="00",
    )
    assert parse_date_text(text) is None
    if with_url:
        result = resolve_published(text, SEED_URL, now=NOW)
        assert result == PublishedDate("2025-05-23", None, None, ["date_from_url"])
    else:
        result = resolve_published(text, now=NOW)
        assert result == PublishedDate(None, None, None, ["no_date"])
