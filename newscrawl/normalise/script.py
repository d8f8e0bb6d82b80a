"""Chinese script: Simplified or Traditional, and conversion to Simplified."""

from __future__ import annotations

import importlib.metadata
import re
import threading
from pathlib import Path

import opencc

from newscrawl.normalise.script_chars import SIMPLIFIED_ONLY, TRADITIONAL_ONLY

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


def opencc_char_classes() -> tuple[str, str]:
    """The Traditional-only and the Simplified-only CJK Unified Ideographs, by OpenCC.

    Every ideograph converted both ways (``t2s`` and ``s2t``): the characters
    ``t2s`` changes are Traditional-only, those ``s2t`` changes Simplified-only.
    Loading ``s2t`` costs about 26 MB for the life of a process, so crawls use
    the copy in :mod:`newscrawl.normalise.script_chars` (written by
    :func:`write_char_classes`) instead of calling this.
    """
    han = "".join(chr(c) for c in range(0x4E00, 0xA000))
    traditional = _converter("t2s").convert(han)
    simplified = opencc.OpenCC("s2t").convert(han)
    return (
        "".join(a for a, b in zip(han, traditional, strict=True) if a != b),
        "".join(a for a, b in zip(han, simplified, strict=True) if a != b),
    )


CHAR_CLASSES_MODULE = Path(__file__).with_name("script_chars.py")


def write_char_classes(path: Path = CHAR_CLASSES_MODULE) -> None:
    """Write :mod:`newscrawl.normalise.script_chars` from the installed OpenCC."""
    traditional, simplified = opencc_char_classes()
    version = importlib.metadata.version("opencc")

    def lines(chars: str) -> str:
        return "\n".join(f'    "{chars[i : i + 60]}"' for i in range(0, len(chars), 60))

    path.write_text(
        f'''"""Traditional-only and Simplified-only Han characters (generated, do not edit).

Derived from OpenCC {version} (Apache License 2.0, https://github.com/BYVoid/OpenCC):
every CJK Unified Ideograph converted with its t2s and s2t configurations.
Regenerate with ``python -m newscrawl.normalise.script``.
"""

OPENCC_VERSION = "{version}"

TRADITIONAL_ONLY = (
{lines(traditional)}
)

SIMPLIFIED_ONLY = (
{lines(simplified)}
)
''',
        encoding="utf-8",
    )


_TRADITIONAL_ONLY_RE = re.compile(f"[{re.escape(TRADITIONAL_ONLY)}]")
_SIMPLIFIED_ONLY_RE = re.compile(f"[{re.escape(SIMPLIFIED_ONLY)}]")


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
    traditional = len(_TRADITIONAL_ONLY_RE.findall(sample))
    simplified = len(_SIMPLIFIED_ONLY_RE.findall(sample))
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


if __name__ == "__main__":
    write_char_classes()
