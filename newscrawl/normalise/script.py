"""Chinese script: Simplified or Traditional, and conversion to Simplified."""

from __future__ import annotations

import re
import threading

import opencc

SAMPLE_CHARS = 800
"""Only this many leading characters are inspected by :func:`detect_language`."""

_KANA_RE = re.compile("[\u3040-\u30ff]")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LOCK = threading.RLock()
_CONVERTERS: dict[str, opencc.OpenCC] = {}


def _converter(config: str) -> opencc.OpenCC:
    converter = _CONVERTERS.get(config)
    if converter is None:
        with _LOCK:
            converter = _CONVERTERS.get(config)
            if converter is None:
                converter = _CONVERTERS[config] = opencc.OpenCC(config)
    return converter


_SCRIPT_PATTERNS: list[re.Pattern[str]] = []


def _script_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Character classes of the Traditional-only and Simplified-only Han characters.

    Built once from OpenCC's own character mappings (every CJK Unified
    Ideograph converted both ways), so counting them is one regex scan.
    """
    if not _SCRIPT_PATTERNS:
        with _LOCK:
            if not _SCRIPT_PATTERNS:
                han = "".join(chr(c) for c in range(0x4E00, 0xA000))
                to_simple = _converter("t2s").convert(han)
                to_traditional = _converter("s2t").convert(han)
                classes = []
                for converted in (to_simple, to_traditional):
                    chars = sorted(a for a, b in zip(han, converted, strict=False) if a != b)
                    classes.append(re.compile("[" + re.escape("".join(chars)) + "]"))
                _SCRIPT_PATTERNS.extend(classes)
    return _SCRIPT_PATTERNS[0], _SCRIPT_PATTERNS[1]


def detect_language(text: str) -> str:
    """``zh-Hant`` when the text has clearly more Traditional-only than Simplified-only
    characters, else ``zh-Hans`` (also for empty or non-Chinese text)."""
    if not text:
        return "zh-Hans"
    sample = text[:SAMPLE_CHARS]
    if sample.isascii():
        return "zh-Hans"
    kana = len(_KANA_RE.findall(sample))
    if kana and kana * 4 > len(_HAN_RE.findall(sample)):
        return "zh-Hans"
    try:
        traditional_only, simplified_only = _script_patterns()
    except Exception:
        return "zh-Hans"
    traditional = len(traditional_only.findall(sample))
    simplified = len(simplified_only.findall(sample))
    if traditional >= 1 and traditional > 2 * simplified:
        return "zh-Hant"
    return "zh-Hans"


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified (OpenCC ``t2s``)."""
    if not text or text.isascii():
        return text
    try:
        return _converter("t2s").convert(text)
    except Exception:
        return text
