"""Text hygiene: clean_text, strip_pinyin_glosses, has_mojibake."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.normalise.text import PINYIN_GROUP, clean_text, has_mojibake, strip_pinyin_glosses

SEED = Path("/work/shared/seed/000_988d85469a22401e.txt")

#: Lines of the seed document (a mirror copy with pinyin glosses and mojibake).
SEED_LINES = [
    "大眾網(wǎng)官方微信",
    "首頁 >學(xué)校動態(tài) >職業(yè)院校",
    "五元協(xié)同育匠才!重慶工貿(mào)職業(yè)技術(shù)學(xué)院推動產(chǎn)教融合向縱深發(fā)展",
    "  大眾網(wǎng)記者 秦瑾 報道",
    "  如何提升學(xué)科專業(yè)與區(qū)域產(chǎn)業(yè)之間的匹配度?",
    "如何健全學(xué)??萍汲晒\ue38bD(zhuǎn)化服務(wù)體系?",
    "  目前已有78名AI生物醫(yī)藥專業(yè)學(xué)生在(華蘭)生物醫(yī)藥產(chǎn)業(yè)學(xué)院深造",
    "  學(xué)校把破局?jǐn)U建校區(qū)作為年度“攻堅專項”",
    "責(zé)編:張明明",
]

_ANY_GLOSS_RE = re.compile(PINYIN_GROUP)
_FORBIDDEN = "\u200b\u200c\u200d\u2060\ufeff\u180e\u2028\u2029\u0085\u00ad\ufffd"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u3000\u3000产教融合、校企合作", "产教融合、校企合作"),
        ("a\u00a0\u00a0b", "a b"),
        ("第一行\n第二行\r\n第三行", "第一行 第二行 第三行"),
        ("零\u200b宽\u200c字\u200d符\u2060号\ufeff", "零宽字符号"),
        ("蒙古\u180e文", "蒙古文"),
        ("bidi\u202etext\u202c\u200f", "biditext"),
        ("soft\u00adhyphen", "softhyphen"),
        ("line\u2028sep\u2029para\u0085nel", "line sep para nel"),
        ("bad\ufffdchar", "badchar"),
        ("ctl\x00\x07\x1b\x7f\x9fchars", "ctlchars"),
        ("tab\tand\x0bvt\x0cff", "tab and vt ff"),
        ("  \t\n  ", ""),
        ("", ""),
        ("全角标点：“你好！”（括号）", "全角标点：“你好！”（括号）"),
        ("ＡＢＣ１２３", "ＡＢＣ１２３"),
        ("em\u2003space\u202fnarrow", "em space narrow"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def _assert_clean(out: str) -> None:
    for ch in out:
        assert ch not in _FORBIDDEN
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
    assert len(json.dumps(out, ensure_ascii=False).splitlines()) == 1
    assert "  " not in out
    assert out == out.strip()


@settings(max_examples=300)
@given(st.text())
def test_clean_text_properties(text: str) -> None:
    out = clean_text(text)
    _assert_clean(out)
    assert clean_text(out) == out


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(["字", " ", "\u3000", "\n", "\u200b", "\u2028", "\ufeff", "\x00", "a"])
    ).map("".join)
)
def test_clean_text_properties_dense(text: str) -> None:
    out = clean_text(text)
    _assert_clean(out)
    assert out.replace(" ", "") == "".join(c for c in text if c in "字a")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("大眾網(wǎng)", "大眾網"),
        ("學(xué)校動態(tài)", "學校動態"),
        ("產(chǎn)教融合", "產教融合"),
        ("推薦（tuī jiàn）閱讀", "推薦閱讀"),
        ("推(tuī)薦(jiàn)", "推薦"),
        ("綠(lǜ)色", "綠色"),
        ("嗯(ǹg)", "嗯"),
        ("學??萍汲晒\ue38bD(zhuǎn)化", "學??萍汲晒\ue38bD化"),
        ("在(華蘭)生物", "在(華蘭)生物"),
        ("（记者 张三）", "（记者 张三）"),
        ("人工智能(AI)发展", "人工智能(AI)发展"),
        ("今年(2025)", "今年(2025)"),
        ("好吗(ma)", "好吗(ma)"),
        ("café (déjà vu)", "café (déjà vu)"),
        ("word(wǎng)", "word(wǎng)"),
        ("網 (wǎng)", "網 (wǎng)"),
        ("網(Wǎng)", "網(Wǎng)"),
        ("", ""),
    ],
)
def test_strip_pinyin_glosses(raw: str, expected: str) -> None:
    assert strip_pinyin_glosses(raw) == expected


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _check_gloss_stripping(text: str) -> None:
    spans = [m.span() for m in _ANY_GLOSS_RE.finditer(text)]
    out = strip_pinyin_glosses(text)
    assert not _ANY_GLOSS_RE.search(out)
    assert out == _remove_spans(text, spans)
    assert len(out) == len(text) - sum(end - start for start, end in spans)


def test_strip_pinyin_glosses_seed_lines() -> None:
    _check_gloss_stripping("\n".join(SEED_LINES))


def test_strip_pinyin_glosses_seed_file() -> None:
    if not SEED.exists():
        pytest.skip("seed document not available")
    text = SEED.read_text(encoding="utf-8")
    assert _ANY_GLOSS_RE.search(text)
    _check_gloss_stripping(text)
    out = strip_pinyin_glosses(text)
    assert "(華蘭)" in out
    assert "大眾網官方微信" in out


@settings(max_examples=200)
@given(st.text())
def test_strip_pinyin_glosses_never_raises_and_only_deletes(text: str) -> None:
    out = strip_pinyin_glosses(text)
    assert len(out) <= len(text)
    it = iter(text)
    assert all(ch in it for ch in out)  # out is a subsequence of text


@settings(max_examples=200)
@given(st.text(alphabet="網學產(（)） abcāǎü"))
def test_strip_pinyin_glosses_only_removes_toned_groups(text: str) -> None:
    out = strip_pinyin_glosses(text)
    spans = [m.span() for m in _ANY_GLOSS_RE.finditer(text)]
    removed = len(text) - len(out)
    assert removed <= sum(end - start for start, end in spans)


@pytest.mark.parametrize(
    "text",
    [
        "如何健全學??萍汲晒D化服務體系",
        "学校(xué)??萍汲晒",
        "替换字符\ufffd出现",
        "Ã¤Â¸Â\xad",
        "å¤§ä¼",
        "ä¸­å›½",
        "â€™",
        "锟斤拷锟斤拷",
        "鍥藉鐨勪汉",
        "澶т紬缃戣鑰呯Е鐟炬姤閬擄紝浜ф暀铻嶅悎",
        "灞变笢鐪佹祹鍗楀競",
        "鏂伴椈",
        "中华人民共和国".encode().decode("gb18030", errors="replace"),
        "山东省济南市历下区".encode().decode("gbk", errors="replace"),
    ],
)
def test_has_mojibake_positive(text: str) -> None:
    assert has_mojibake(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "产教融合、校企合作是职业教育的基本办学模式，是办好职业教育的关键所在。",
        "產教融合、校企合作是職業教育的基本辦學模式,是辦好職業教育的關鍵所在。",
        "如何提升学科专业与区域产业之间的匹配度？如何协调人才培养模式？",
        "What?? Really??",
        "Is this right?? I think so.",
        "你去吗??我不去",
        "真的吗？？",
        "为什么??",
        "café résumé naïve Zürich São Paulo",
        "après « voilà » déjà, 20°C ±2, ½ ¼ ¾",
        "记者 王堃 · 大众网报道",
        "2025 / 05/23 来源：大众网 作者：秦瑾",
        "涓涓细流，汇成江河。",
        "阿卜杜勒·艾合买提参加了会议。",
    ],
)
def test_has_mojibake_negative(text: str) -> None:
    assert not has_mojibake(text)


@pytest.mark.parametrize("line", SEED_LINES)
def test_has_mojibake_seed_lines(line: str) -> None:
    expected = "??" in line
    assert has_mojibake(line) is expected
    assert has_mojibake(strip_pinyin_glosses(line)) is expected


@settings(max_examples=300)
@given(st.text())
def test_has_mojibake_never_raises(text: str) -> None:
    assert has_mojibake(text) in (True, False)


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_has_mojibake_false_on_ascii(text: str) -> None:
    assert not has_mojibake(text)


_SAMPLE = (
    "产教融合校企合作是职业教育的基本办学模式是办好职业教育的关键所在如何提升学科专业与区域产业"
    "之间的匹配度重庆工贸职业技术学院紧密围绕国家和地区对高技能人才技术与培训的需要秉承专业产业"
    "共生政行校企园五元协同办学理念零距离服务区域产业发展"
)


@settings(max_examples=200)
@given(st.integers(0, len(_SAMPLE) - 4), st.integers(4, 40))
def test_has_mojibake_detects_utf8_read_as_gbk(start: int, length: int) -> None:
    text = _SAMPLE[start : start + length]
    assert not has_mojibake(text)
    assert has_mojibake(text.encode("utf-8").decode("gbk", errors="replace"))
    assert has_mojibake(text.encode("utf-8").decode("gb18030", errors="replace"))
    assert has_mojibake(text.encode("utf-8").decode("cp1252", errors="replace"))
