"""Text patterns shared by the generic extractor modules."""

from __future__ import annotations

import re

_KEY_DROP_RE = re.compile(r"[\s\W_]+", re.UNICODE)

#: Copyright / licence notices of a page footer.
COPYRIGHT_RE = re.compile(
    r"copyright|©|版权所有|all rights reserved|未经授权|禁止转载|不得转载|icp备|icp证", re.I
)


#: A calendar date, optionally followed by a time of day.
DATE_RE = re.compile(
    r"(?<![\d/.-])((?:19|20)\d{2})\s*(?:([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d/])"
    r"|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
    r"(?:(?:\s*|T|\s*日\s*)(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?(?!\d))?"
)


def text_key(text: str) -> str:
    """Lower-cased text without whitespace, punctuation and symbols, for comparisons."""
    return _KEY_DROP_RE.sub("", text).lower()


def find_date(text: str) -> str | None:
    """The first plausible date (with its time, if any) in ``text``, as printed."""
    for m in DATE_RE.finditer(text):
        month = m.group(3) or m.group(5)
        day = m.group(4) or m.group(6)
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return m.group(0).strip()
    return None
