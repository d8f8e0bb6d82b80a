"""Text hygiene: invisible characters, whitespace, pinyin glosses and mojibake."""

from __future__ import annotations

import re
import unicodedata


def _char_class(codepoints: list[int]) -> str:
    """Build a regex character-class body from code points, merged into ranges."""
    parts: list[str] = []
    start = prev = None
    for cp in sorted(set(codepoints)):
        if prev is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None:
            parts.append(_range(start, prev))
        start = prev = cp
    if start is not None:
        parts.append(_range(start, prev))
    return "".join(parts)


def _range(start: int, end: int | None) -> str:
    if end is None or end == start:
        return re.escape(chr(start))
    return f"{re.escape(chr(start))}-{re.escape(chr(end))}"


def _format_and_control() -> list[int]:
    """All Cc and Cf code points (planes 0-3 and the tag plane)."""
    found: list[int] = []
    for block in (range(0x40000), range(0xE0000, 0xE1000)):
        for cp in block:
            if unicodedata.category(chr(cp)) in ("Cc", "Cf"):
                found.append(cp)
    return found


#: Characters that become a space before whitespace is collapsed.
_LINE_LIKE = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
#: Characters deleted outright: control and format characters (zero-width, bidi,
#: soft hyphen, BOM, U+180E …) except the line-like ones, plus U+FFFD.
_REMOVE_RE = re.compile(
    "["
    + _char_class([cp for cp in _format_and_control() if chr(cp) not in _LINE_LIKE] + [0xFFFD])
    + "]+"
)
_WS_RE = re.compile(r"\s+")

CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
"""Regex class body for CJK ideographs (BMP, extension A and the supplementary planes)."""

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüḿńňǹ"
_PINYIN_LETTERS = "a-z" + _TONED
_SYLLABLE = f"[{_PINYIN_LETTERS}]{{1,7}}"
#: A parenthesised group of lowercase pinyin syllables with at least one tone mark.
PINYIN_GROUP = (
    rf"[(（]\s*(?=[{_PINYIN_LETTERS} ]*[{_TONED}])"
    rf"{_SYLLABLE}(?: +{_SYLLABLE}){{0,9}}\s*[)）]"
)
_GLOSS_RE = re.compile(
    rf"(?:(?<=[{CJK_CHARS}])|(?<=[^\sA-Za-z0-9][A-Za-z]))" + PINYIN_GROUP,
)

_QUESTION_PARTICLES = "吗嗎呢吧啊呀么麼嘛哪谁誰啥"
_QMARK_RUN_RE = re.compile(r"[?？]{2,}")
_CJK_CHAR_RE = re.compile(f"[{CJK_CHARS}]")


def _garbled_question_marks(text: str) -> bool:
    """A ``??`` run inside Chinese text that is not a real (doubled) question mark.

    It must be followed by a Chinese character and not follow a question
    particle (吗, 呢 …); a run of full-width ``？`` counts only between
    Chinese characters.
    """
    for match in _QMARK_RUN_RE.finditer(text):
        end, start = match.end(), match.start()
        if end >= len(text) or not _CJK_CHAR_RE.match(text[end]):
            continue
        before = text[start - 1] if start else ""
        if before and before in _QUESTION_PARTICLES:
            continue
        if set(match.group()) == {"?"} or (before and _CJK_CHAR_RE.match(before)):
            return True
    return False


#: Continuation bytes 0x80-0xBF of UTF-8 as Latin-1 or cp1252 shows them.
_CONT = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_LATIN1_RE = re.compile(
    rf"[\u00e2-\u00ef][{_CONT}]{{2}}"  # a 3-byte UTF-8 character read as Latin-1/cp1252
    rf"|(?:[\u00e2-\u00e9][{_CONT}]{{1,2}}){{2,}}"  # the same with bytes lost
    rf"|(?:[ÂÃ][{_CONT}]){{2,}}"  # the same, encoded twice
    r"|锟斤拷|錕斤拷"  # U+FFFD pairs read as GBK
)
#: Every match of the pattern above starts with one of these characters; checking
#: for them first keeps the full pattern off the (usual) pages that have none.
_LATIN1_LEAD_RE = re.compile("[\u00c2-\u00ef锟錕]")
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]{3,}")
_CJK_RE = re.compile(f"[{CJK_CHARS}]")


def _gbk_lead_chars() -> str:
    """Characters whose GBK code starts with a byte UTF-8 uses to open a 3-byte sequence."""
    cps: list[int] = []
    for lead in range(0xE0, 0xF0):
        for trail in (*range(0x40, 0x7F), *range(0x80, 0xFF)):
            try:
                cps.append(ord(bytes((lead, trail)).decode("gbk")))
            except UnicodeDecodeError:
                continue
    return _char_class(cps)


_GBK_LEAD_RE = re.compile(f"[{_gbk_lead_chars()}]")
_MIN_GBK_LEADS = 3
_SHORT_TEXT = 200


def clean_text(text: str) -> str:
    """Remove invisible/control characters and U+FFFD, collapse whitespace to one space, strip."""
    if text.isprintable() and "\ufffd" not in text:
        # No control, format or separator character but the ASCII space (the usual case).
        if "  " not in text:
            return text.strip()
        return _WS_RE.sub(" ", text).strip()
    text = _REMOVE_RE.sub("", text)
    return _WS_RE.sub(" ", text).strip()


def strip_pinyin_glosses(text: str) -> str:
    """Remove pinyin glosses such as ``網(wǎng)`` that mirror sites put after Chinese characters."""
    if "(" not in text and "（" not in text:
        return text
    return _GLOSS_RE.sub("", text)


def _utf8_read_as_gbk(run: str) -> bool:
    """True when a run of non-ASCII characters is UTF-8 Chinese that was decoded as GBK."""
    if not _GBK_LEAD_RE.search(run):
        return False
    try:
        raw = run.encode("gb18030")
    except UnicodeEncodeError:
        return False
    decoded = raw.decode("utf-8", errors="replace")
    cjk = len(_CJK_RE.findall(decoded))
    if cjk < 2:
        return False
    bad = decoded.count("\ufffd")
    return bad * 2 <= cjk


def has_mojibake(text: str, *, utf8_as_gbk: bool = True, utf8_as_latin1: bool = True) -> bool:
    """True when the text shows signs of a wrong decoding (U+FFFD, ``??`` in Chinese, ``å¤§``…).

    The two flags turn off the tests for UTF-8 read as GBK and as Latin-1,
    for a caller that knows the text cannot hold them.
    """
    if "\ufffd" in text:
        return True
    if ("??" in text or "？" in text) and _garbled_question_marks(text):
        return True
    if text.isascii():
        return False
    if utf8_as_latin1 and _LATIN1_LEAD_RE.search(text) and _LATIN1_RE.search(text):
        return True
    if not utf8_as_gbk:
        return False
    # UTF-8 read as GBK turns every character into one of these lead characters;
    # ordinary text holds a few at most, so the exact per-run test runs only
    # when they are frequent.
    if len(text) > _SHORT_TEXT and len(_GBK_LEAD_RE.findall(text, 0, 20000)) < _MIN_GBK_LEADS:
        return False
    if not _GBK_LEAD_RE.search(text):
        return False
    return any(_utf8_read_as_gbk(m.group()) for m in _NON_ASCII_RUN_RE.finditer(text))
