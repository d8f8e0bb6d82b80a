"""Publication dates: parse page text and article URLs, resolve one record value."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from newscrawl.clock import china_today
from newscrawl.normalise.text import clean_text

MIN_YEAR = 1990

#: One-to-one character mapping (keeps string offsets): full-width digits and
#: separators, ideographic space.
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９－／．：　",
    "0123456789-/.: ",
)

_TIME = (
    r"(?:\s*|T)"
    r"(?:(?P<H>\d{1,2})[ \t]*:[ \t]*(?P<M>\d{2})(?:[ \t]*:[ \t]*(?P<S>\d{2}))?(?!\d)"
    r"(?:\s*(?P<half>[AaPp][Mm]\b))?"
    r"|(?P<cH>\d{1,2})[ \t]*[时時点點][ \t]*(?P<cM>\d{1,2})"
    r"(?:[ \t]*分(?:[ \t]*(?P<cS>\d{1,2})[ \t]*秒)?)?(?!\d))"
)
#: Every date form read, in the order tried at a position (see docs/normalisation.md):
#: ``2025-05-23`` / ``2025/05/23`` / ``2025.05.23`` (spaces and line breaks allowed around
#: the separators, as in ``2025 / 05/23``), ``2025年5月23日`` (号 too), the year printed
#: apart from month and day (``2024`` + ``11/08``, ``2024 11月8日``), and the US order of
#: ASP.NET pages, read only with its AM/PM time (``9/17/2004 5:54:13 AM``); each optionally
#: followed by a time of day.
_DATE_RE = re.compile(
    r"(?<![\d/.\-])(?:"
    r"(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?![\d/])"
    r"|(?P<cy>\d{4})\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})(?!\d)\s*[日号號]?"
    r"|(?P<sy>(?:19|20)\d{2})\s+(?P<sm>\d{1,2})\s*(?:[-/.]\s*(?P<sd>\d{1,2})(?![\d/])"
    r"|月\s*(?P<sd2>\d{1,2})(?!\d)\s*[日号號]?)"
    r"|(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>(?:19|20)\d{2})"
    r"(?=\s+\d{1,2}:\d{2}(?::\d{2})?\s*[AaPp][Mm]\b)"
    r")"
    rf"(?:{_TIME})?"
)
_URL_TRS_RE = re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+")
_URL_PATH_RES = (
    re.compile(r"/(\d{4})-(\d{1,2})-(\d{1,2})(?=[/._?#]|$)"),
    re.compile(r"/(\d{4})/(\d{2})/(\d{2})(?=[/?#]|$)"),
    re.compile(r"/(\d{4})/(\d{2})(\d{2})(?=[/?#]|$)"),
    re.compile(r"/(\d{4})-(\d{2})/(\d{2})(?=[/?#]|$)"),
)
_URL_MONTH_RE = re.compile(r"/(\d{4})(\d{2})(?=/)")


@dataclass
class PublishedDate:
    """The record's publication-date values and any quality warnings."""

    date: str | None
    """``YYYY-MM-DD``."""
    at: str | None
    """ISO 8601 with ``+08:00``, only when the page gives a time of day."""
    raw: str | None
    """The date text as the page shows it (whitespace collapsed)."""
    warnings: list[str] = field(default_factory=list)


def _make_date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _make_time(
    hour: str | None, minute: str | None, second: str | None, half: str | None = None
) -> datetime.time | None:
    if hour is None or minute is None:
        return None
    h = int(hour)
    if half is not None:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half.lower() == "pm" else 0)
    try:
        return datetime.time(h, int(minute), int(second or 0))
    except ValueError:
        return None


@dataclass(frozen=True)
class DateMatch:
    """A date (and time of day, if printed) found in a text."""

    date: datetime.date
    time: datetime.time | None
    text: str
    """The span of the original text that prints it (an unreadable time left out)."""
    start: int
    end: int


def find_dates(text: str) -> Iterator[DateMatch]:
    """Every valid date in a text, in order, with the time of day printed after it."""
    ascii_text = text.translate(_FULLWIDTH)
    for m in _DATE_RE.finditer(ascii_text):
        year, month, day_of_month = _date_parts(m)
        day = _make_date(year, month, day_of_month)
        if day is None:
            continue
        if m.group("H") is not None:
            tod = _make_time(m.group("H"), m.group("M"), m.group("S"), m.group("half"))
        else:
            tod = _make_time(m.group("cH"), m.group("cM"), m.group("cS"))
        if tod is None:
            end = m.start("H") if m.group("H") is not None else m.start("cH")
            if end < 0:
                end = m.end()
        else:
            end = m.end()
        matched = text[m.start() : end].rstrip()
        yield DateMatch(day, tod, matched, m.start(), m.start() + len(matched))


def _date_parts(m: re.Match[str]) -> tuple[str, str, str]:
    if m.group("y") is not None:
        return m.group("y"), m.group("m"), m.group("d")
    if m.group("cy") is not None:
        return m.group("cy"), m.group("cm"), m.group("cd")
    if m.group("sy") is not None:
        return m.group("sy"), m.group("sm"), m.group("sd") or m.group("sd2")
    return m.group("uy"), m.group("um"), m.group("ud")


def parse_date_text(text: str) -> tuple[datetime.date, datetime.time | None, str] | None:
    """The first valid date (with its time of day, if printed) in a text.

    Returns ``(date, time or None, matched text)``, the matched text being the
    span of the original text; None when the text holds no valid date.
    """
    found = next(find_dates(text), None)
    return (found.date, found.time, found.text) if found is not None else None


def date_from_url(url: str) -> datetime.date | None:
    """The article date encoded in a URL (``t20250523_…``, ``/2025-05-23/``, ``/2025/05/23/``…)."""
    for m in _URL_TRS_RE.finditer(url):
        day = _make_date(*m.groups())
        if day is not None:
            return day
    for pattern in _URL_PATH_RES:
        for m in pattern.finditer(url):
            day = _make_date(*m.groups())
            if day is not None:
                return day
    return None


def month_from_url(url: str) -> tuple[int, int] | None:
    """``(year, month)`` from a URL's ``/YYYYMM/`` directory, else from its full date."""
    for m in _URL_MONTH_RE.finditer(url):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and year >= 1900:
            return year, month
    day = date_from_url(url)
    if day is not None:
        return day.year, day.month
    return None


def _rejection(day: datetime.date, today: datetime.date) -> str | None:
    if day.year < MIN_YEAR:
        return "date_before_1990"
    if (day - today).days > 1:
        return "date_in_future"
    return None


_MIDNIGHT_HOURS = 2


def _same_day_near_midnight(
    day: datetime.date, tod: datetime.time | None, url_day: datetime.date
) -> bool:
    """Page and URL agree, or differ by a day that a time within two hours of midnight explains."""
    difference = (day - url_day).days
    if difference == 0:
        return True
    if abs(difference) != 1 or tod is None:
        return False
    if difference == 1:
        return tod.hour < _MIDNIGHT_HOURS
    return tod.hour >= 24 - _MIDNIGHT_HOURS


def resolve_published(
    raw: str | None,
    url: str | None = None,
    *,
    now: datetime.datetime | None = None,
) -> PublishedDate:
    """Resolve the publication date from the page's date text, falling back to the URL.

    Warnings: ``date_url_mismatch`` (page and URL dates differ, beyond a day that a
    time near midnight explains), ``date_from_url`` (the page gives no readable date),
    ``date_in_future``, ``date_before_1990``, ``no_date``.
    """
    today = china_today(now)
    warnings: list[str] = []

    url_day = date_from_url(url) if url else None
    if url_day is not None:
        problem = _rejection(url_day, today)
        if problem is not None:
            url_day = None
            url_problem: str | None = problem
        else:
            url_problem = None
    else:
        url_problem = None

    parsed = parse_date_text(raw) if raw else None
    if parsed is not None:
        day, tod, matched = parsed
        problem = _rejection(day, today)
        if problem is None:
            if url:
                if url_day is not None:
                    if not _same_day_near_midnight(day, tod, url_day):
                        warnings.append("date_url_mismatch")
                else:
                    month = month_from_url(url)
                    if month is not None:
                        delta = (day.year * 12 + day.month) - (month[0] * 12 + month[1])
                        if abs(delta) > 1:
                            warnings.append("date_url_mismatch")
            at = None
            if tod is not None:
                at = datetime.datetime.combine(day, tod).isoformat() + "+08:00"
            return PublishedDate(day.isoformat(), at, clean_text(matched) or None, warnings)
        warnings.append(problem)

    if url_day is not None:
        return PublishedDate(url_day.isoformat(), None, None, [*warnings, "date_from_url"])
    if url_problem is not None and url_problem not in warnings:
        warnings.append(url_problem)
    warnings.append("no_date")
    return PublishedDate(None, None, None, warnings)
