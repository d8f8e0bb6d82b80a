"""Chinese script: Simplified or Traditional, and conversion to Simplified."""

from __future__ import annotations

import re
import threading

import opencc

SAMPLE_CHARS = 3000
"""Only this many leading characters are inspected by :func:`detect_language`."""

_KANA_RE = re.compile("[\u3040-\u30ff]")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LOCK = threading.Lock()
_CONVERTERS: dict[str, opencc.OpenCC] = {}


def _converter(config: str) -> opencc.OpenCC:
    converter = _CONVERTERS.get(config)
    if converter is None:
        with _LOCK:
            converter = _CONVERTERS.get(config)
            if converter is None:
                converter = _CONVERTERS[config] = opencc.OpenCC(config)
    return converter


def _changed(text: str, converted: str) -> int:
    return sum(1 for a, b in zip(text, converted, strict=False) if a != b)


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
        traditional = _changed(sample, _converter("t2s").convert(sample))
        simplified = _changed(sample, _converter("s2t").convert(sample))
    except Exception:
        return "zh-Hans"
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
