"""decode_html: BOM, header and <meta> charsets, wrong declarations, fallbacks."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.encoding import DecodedPage, decode_html, normalise_charset

BODY = (
    "<p>　　大众网记者 王堃 · 秦瑾 报道</p>"
    "<p>　　产教融合、校企合作是职业教育的基本办学模式，是办好职业教育的关键所在。</p>"
    "<p>责编：张明明 审签：路时川</p>"
)


def page(meta: str | None = None, body: str = BODY) -> str:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}" />' if meta else ""
    return f"<!DOCTYPE html><html><head>{head}<title>标题_职业院校_大众网</title></head>" + (
        f"<body>{body}</body></html>"
    )


def html5_page(charset: str, body: str = BODY) -> str:
    return f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>t</title></head>' + (
        f"<body>{body}</body></html>"
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("gb2312", "gb18030"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("GBK", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ("x-gbk", "gb18030"),
        ("cp936", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("'utf-8'", "utf-8"),
        ("big5", "big5hkscs"),
        ("iso-8859-1", "cp1252"),
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_charset(label: str | None, expected: str | None) -> None:
    assert normalise_charset(label) == expected


def test_gb18030_page_with_meta_gb2312() -> None:
    html = page("gb2312")
    result = decode_html(html.encode("gb18030"))
    assert result == DecodedPage(html, "gb18030", "gb2312", [])
    assert "堃" in result.text
    assert "·" in result.text
    with pytest.raises(UnicodeEncodeError):
        "堃·".encode("gb2312")


def test_gbk_header() -> None:
    html = page()
    result = decode_html(html.encode("gbk"), "text/html; charset=GBK")
    assert result == DecodedPage(html, "gb18030", "GBK", [])


def test_utf8_meta_charset() -> None:
    html = html5_page("utf-8")
    assert decode_html(html.encode("utf-8")) == DecodedPage(html, "utf-8", "utf-8", [])


def test_header_wins_over_meta_and_disagreement_is_reported() -> None:
    html = page("gb2312")
    result = decode_html(html.encode("utf-8"), "text/html; charset=utf-8")
    assert result.text == html
    assert result.encoding == "utf-8"
    assert result.declared == "utf-8"
    assert result.warnings == ["charset_mismatch"]


def test_header_wrong_meta_right() -> None:
    html = page("gb2312")
    result = decode_html(html.encode("gb18030"), "text/html; charset=utf-8")
    assert result.text == html
    assert result.encoding == "gb18030"
    assert result.declared == "utf-8"
    assert result.warnings == ["charset_mismatch"]


def test_same_charset_under_two_names_is_no_mismatch() -> None:
    html = page("gb2312")
    result = decode_html(html.encode("gb18030"), "text/html; charset=gbk")
    assert result == DecodedPage(html, "gb18030", "gbk", [])


def test_utf8_declared_but_gbk_bytes() -> None:
    html = html5_page("utf-8")
    result = decode_html(html.encode("gb18030"))
    assert result.text == html
    assert result.encoding == "gb18030"
    assert result.declared == "utf-8"
    assert "charset_mismatch" in result.warnings
    assert "mojibake" not in result.warnings


def test_gbk_declared_but_utf8_bytes() -> None:
    html = page("gb2312")
    result = decode_html(html.encode("utf-8"))
    assert result.text == html
    assert result.encoding == "utf-8"
    assert result.declared == "gb2312"
    assert "charset_mismatch" in result.warnings
    assert "mojibake" not in result.warnings


@pytest.mark.parametrize(
    "body",
    [
        "<p>新闻</p>",
        "<p>中国</p>",
        "<p>大众网</p>",
        "<p>记者 秦瑾</p>",
        "<p>山东省济南市</p>",
    ],
)
def test_gbk_header_but_short_utf8_body(body: str) -> None:
    html = page(body=body)
    result = decode_html(html.encode("utf-8"), "text/html; charset=gb2312")
    assert result.text == html
    assert result.encoding == "utf-8"
    assert "charset_mismatch" in result.warnings


def test_latin1_declared_but_utf8_bytes() -> None:
    html = page()
    result = decode_html(html.encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert result.text == html
    assert result.encoding == "utf-8"
    assert "charset_mismatch" in result.warnings


def test_no_declaration_utf8() -> None:
    html = page()
    assert decode_html(html.encode("utf-8")) == DecodedPage(html, "utf-8", None, [])


def test_no_declaration_gb18030() -> None:
    html = page()
    assert decode_html(html.encode("gb18030")) == DecodedPage(html, "gb18030", None, [])


def test_no_declaration_content_type_without_charset() -> None:
    html = page()
    result = decode_html(html.encode("gb18030"), "text/html")
    assert result == DecodedPage(html, "gb18030", None, [])


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_wins(bom: bytes, codec: str) -> None:
    html = page()
    result = decode_html(bom + html.encode(codec))
    assert result == DecodedPage(html, codec, None, [])


def test_bom_disagreeing_with_header() -> None:
    html = page()
    result = decode_html(codecs.BOM_UTF8 + html.encode("utf-8"), "text/html; charset=gbk")
    assert result.text == html
    assert result.encoding == "utf-8"
    assert result.warnings == ["charset_mismatch"]


def test_header_as_bytes() -> None:
    html = page()
    result = decode_html(html.encode("gb18030"), b"text/html; charset=gb2312")  # type: ignore[arg-type]
    assert result == DecodedPage(html, "gb18030", "gb2312", [])


def test_meta_beyond_scan_window_is_ignored() -> None:
    html = "<html><head>" + "<!-- padding -->" * 400 + '<meta charset="gbk"></head></html>'
    result = decode_html(html.encode("utf-8"))
    assert result.declared is None
    assert result.encoding == "utf-8"


def test_empty_body() -> None:
    assert decode_html(b"") == DecodedPage("", "utf-8", None, [])
    assert decode_html(b"", "text/html; charset=gbk") == DecodedPage("", "utf-8", "gbk", [])


def test_unknown_declared_charset() -> None:
    html = page("x-no-such-charset")
    result = decode_html(html.encode("utf-8"))
    assert result.text == html
    assert result.encoding == "utf-8"
    assert result.declared == "x-no-such-charset"


def test_garbage_bytes_warn_not_crash() -> None:
    garbage = bytes(range(256)) * 8 + b"\x80\xff\xfe\x81\x30"
    result = decode_html(garbage, "text/html; charset=utf-8")
    assert isinstance(result.text, str)
    assert result.warnings
    assert {"charset_mismatch", "charset_guessed", "mojibake"} & set(result.warnings)


def test_page_with_mojibake_in_content_keeps_declared_codec() -> None:
    html = html5_page("utf-8", body="<p>如何健全學??萍汲晒D化服務體系?</p>")
    result = decode_html(html.encode("utf-8"))
    assert result.text == html
    assert result.encoding == "utf-8"
    assert result.warnings == ["mojibake"]


def test_page_already_holding_replacement_characters() -> None:
    html = html5_page("utf-8", body="<p>坏字符\ufffd\ufffd在这里</p>")
    result = decode_html(html.encode("utf-8"))
    assert result.text == html
    assert result.encoding == "utf-8"
    assert "mojibake" in result.warnings


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048), st.one_of(st.none(), st.text(max_size=60)))
def test_arbitrary_bytes_never_raise(body: bytes, content_type: str | None) -> None:
    result = decode_html(body, content_type)
    assert isinstance(result, DecodedPage)
    assert isinstance(result.text, str)
    assert isinstance(result.encoding, str) and result.encoding
    assert set(result.warnings) <= {"charset_mismatch", "charset_guessed", "mojibake"}


_chinese = st.text(
    alphabet=st.sampled_from(
        list("产教融合校企合作是职业教育的基本办学模式堃·，。、“”记者秦瑾报道 abc123")
    ),
    max_size=200,
)


@settings(max_examples=200, deadline=None)
@given(
    _chinese,
    st.sampled_from(["utf-8", "gb18030"]),
    st.sampled_from([None, "utf-8", "gb2312", "gbk"]),
    st.sampled_from([None, "utf-8", "gb2312"]),
)
def test_round_trip_whatever_the_declaration(
    text: str, actual: str, header: str | None, meta: str | None
) -> None:
    html = page(meta, body=f"<p>{text}</p>")
    content_type = f"text/html; charset={header}" if header else None
    result = decode_html(html.encode(actual), content_type)
    assert result.text == html
    assert "mojibake" not in result.warnings


def test_utf8_page_with_text_read_as_latin1_is_reported() -> None:
    garbled = "大众网".encode().decode("latin-1")  # 'å¤§ä¼\x97ç½\x91'
    html = html5_page("utf-8", body=f"<p>{garbled}报道</p>")
    result = decode_html(html.encode("utf-8"))
    assert result.encoding == "utf-8"
    assert result.warnings == ["mojibake"]


def test_utf8_page_with_replacement_pairs_read_as_gbk_is_reported() -> None:
    html = html5_page("utf-8", body="<p>正文锟斤拷锟斤拷</p>")
    result = decode_html(html.encode("utf-8"))
    assert result.encoding == "utf-8"
    assert result.warnings == ["mojibake"]
