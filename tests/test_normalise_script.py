"""Chinese script detection and Traditional → Simplified conversion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.normalise.script import detect_language, to_simplified
from newscrawl.normalise.text import strip_pinyin_glosses

SEED = Path("/work/shared/seed/000_988d85469a22401e.txt")

SEED_TITLE = "五元協同育匠才!重慶工貿職業技術學院推動產教融合向縱深發展"
SIMPLIFIED_TITLE = "五元协同育匠才!重庆工贸职业技术学院推动产教融合向纵深发展"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "zh-Hans"),
        ("hello world", "zh-Hans"),
        ("12345 !?", "zh-Hans"),
        (SIMPLIFIED_TITLE, "zh-Hans"),
        (SEED_TITLE, "zh-Hant"),
        ("产教融合、校企合作是职业教育的基本办学模式。", "zh-Hans"),
        ("產教融合、校企合作是職業教育的基本辦學模式。", "zh-Hant"),
        ("中國", "zh-Hant"),
        ("中国", "zh-Hans"),
        ("後來", "zh-Hant"),
        ("今天天气很好", "zh-Hans"),
        ("今天天氣很好", "zh-Hant"),
        # a Simplified article quoting one Traditional word stays Simplified
        ("这家书店的招牌写着“書店”两个字，吸引了很多读者前来参观。", "zh-Hans"),
        # characters shared by both scripts
        ("中文", "zh-Hans"),
        ("日本語のテキスト", "zh-Hans"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detect_language_seed() -> None:
    if not SEED.exists():
        pytest.skip("seed document not available")
    text = strip_pinyin_glosses(SEED.read_text(encoding="utf-8"))
    assert detect_language(text) == "zh-Hant"
    assert detect_language(to_simplified(text)) == "zh-Hans"


def test_detect_language_samples_the_start_only() -> None:
    text = SIMPLIFIED_TITLE * 200 + SEED_TITLE * 2000
    assert detect_language(text) == "zh-Hans"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SEED_TITLE, SIMPLIFIED_TITLE),
        ("大眾網記者 秦瑾 報道", "大众网记者 秦瑾 报道"),
        ("責編:張明明 審簽:路時川", "责编:张明明 审签:路时川"),
        ("首頁 >學校動態 >職業院校", "首页 >学校动态 >职业院校"),
        (SIMPLIFIED_TITLE, SIMPLIFIED_TITLE),
        ("", ""),
        ("ASCII only", "ASCII only"),
        ("全角：“引号”（括号）！", "全角：“引号”（括号）！"),
    ],
)
def test_to_simplified(text: str, expected: str) -> None:
    assert to_simplified(text) == expected


@settings(max_examples=200)
@given(st.text())
def test_script_never_raises(text: str) -> None:
    assert detect_language(text) in ("zh-Hans", "zh-Hant")
    assert isinstance(to_simplified(text), str)


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_to_simplified_keeps_ascii(text: str) -> None:
    assert to_simplified(text) == text
    assert detect_language(text) == "zh-Hans"


@settings(max_examples=100)
@given(st.text(alphabet="學校動態職業院校產教融合發展網記者報道", min_size=1))
def test_to_simplified_gives_simplified(text: str) -> None:
    assert detect_language(to_simplified(text)) == "zh-Hans"


def test_shipped_character_classes_are_opencc_ones() -> None:
    """The shipped classes equal what the installed OpenCC gives (nearly, for another version)."""
    import importlib.metadata

    from newscrawl.normalise.script import opencc_char_classes
    from newscrawl.normalise.script_chars import (
        OPENCC_VERSION,
        SIMPLIFIED_ONLY,
        TRADITIONAL_ONLY,
    )

    traditional, simplified = opencc_char_classes()
    assert len(traditional) > 3000 and len(simplified) > 2000
    if importlib.metadata.version("opencc") == OPENCC_VERSION:
        assert (TRADITIONAL_ONLY, SIMPLIFIED_ONLY) == (traditional, simplified)
    else:  # a newer dictionary: regenerate with `python -m newscrawl.normalise.script`
        assert len(set(TRADITIONAL_ONLY) ^ set(traditional)) < 0.01 * len(traditional)
        assert len(set(SIMPLIFIED_ONLY) ^ set(simplified)) < 0.01 * len(simplified)


def test_detecting_the_script_does_not_load_s2t() -> None:
    code = (
        "import newscrawl.normalise.script as s\n"
        "assert s.detect_language('這是一個繁體中文的句子，說明問題。') == 'zh-Hant'\n"
        "assert s.to_simplified('說明') == '说明'\n"
        "print(sorted(s._CONVERTERS))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['t2s']"
