"""Class each record field of a variant as right, flagged-wrong or silently-wrong.

A field is *right* when its value equals the expected one, *flagged-wrong* when
it is wrong or missing and the record carries a flag concerning that field (a
warning, or a provenance entry), and *silently-wrong* otherwise. Which flags
concern which field is the one table :data:`FIELD_FLAGS`.

Flags the record has today (docs/record.md "Warnings") and the names issue 13
introduces are listed here; the extractor is expected to emit exactly these.
``fallback_extractor`` (today's one coarse flag) concerns no particular field,
so a wrong value that carries only it counts as silently wrong.

Provenance entries are read from ``record["warnings"]`` and from an optional
``record["provenance"]``: either a list of entries (``"fallback:date"``) or a
mapping ``{field: origin}`` (``{"date": "fallback"}`` → ``fallback:date``; the
origin ``profile`` is not a flag).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# -- warnings the record has today ------------------------------------------------
NO_TITLE = "no_title"
NO_BODY = "no_body"
NO_AUTHOR = "no_author"
NO_DATE = "no_date"
SHORT_BODY = "short_body"
MOJIBAKE = "mojibake"
CHARSET_MISMATCH = "charset_mismatch"
CHARSET_GUESSED = "charset_guessed"
DATE_URL_MISMATCH = "date_url_mismatch"
DATE_IN_FUTURE = "date_in_future"
DATE_BEFORE_1990 = "date_before_1990"
MISSING_PAGES = "missing_pages"
FALLBACK_EXTRACTOR = "fallback_extractor"
"""Today's coarse flag: some field came from the generic extractor. Concerns no field."""

# -- warnings introduced by issue 13 ------------------------------------------------
DATE_FROM_URL = "date_from_url"
"""The page's date line was not readable; the date is the one in the article URL."""
BODY_DISAGREES = "body_disagrees"
"""The profile's body and the generic extractor's body overlap little."""
AUTHOR_IS_SOURCE = "author_is_source"
"""An author candidate equal to the 来源 outlet was dropped."""
AUTHOR_IS_EDITOR = "author_is_editor"
"""An author candidate equal to a person in the credits (责编, 审签 …) was dropped."""
AUTHOR_IS_PORTAL = "author_is_portal"
"""An author candidate equal to the portal's display name was dropped."""
TITLE_IS_PORTAL = "title_is_portal"
"""The title found is the portal's display name."""
TITLE_IS_CHANNEL = "title_is_channel"
"""The title found is a channel name (a breadcrumb item or the ``<title>`` channel)."""
NO_SOURCE = "no_source"
"""Proposed: the page has a 来源 label but no source was read (today: no flag at all)."""

# -- per-field fallback warnings and provenance entries introduced by issue 13 ----------
FALLBACK_TITLE = "fallback_title"
FALLBACK_DATE = "fallback_date"
FALLBACK_SOURCE = "fallback_source"
FALLBACK_AUTHOR = "fallback_author"
FALLBACK_BODY = "fallback_body"
URL_DATE = "url:date"
"""Same meaning as ``date_from_url``, written as a provenance entry."""
META_DATE = "meta:date"
"""The date came from a ``<meta>`` tag, not from the visible date line (time may be lost)."""

FIELDS = (
    "title",
    "published_date",
    "published_at",
    "source",
    "authors",
    "credits",
    "breadcrumb",
    "paragraphs",
    "images",
    "captions",
    "body",
    "encoding",
)
"""The fields classed for each variant (``images``: URL and position; ``captions``: per image)."""

_DECODING = {MOJIBAKE, CHARSET_MISMATCH, CHARSET_GUESSED}
_DATE = {
    NO_DATE,
    DATE_URL_MISMATCH,
    DATE_IN_FUTURE,
    DATE_BEFORE_1990,
    DATE_FROM_URL,
    FALLBACK_DATE,
    URL_DATE,
}
_BODY = {NO_BODY, SHORT_BODY, BODY_DISAGREES, FALLBACK_BODY, MISSING_PAGES}

FIELD_FLAGS: dict[str, frozenset[str]] = {
    "title": frozenset({NO_TITLE, TITLE_IS_PORTAL, TITLE_IS_CHANNEL, FALLBACK_TITLE} | _DECODING),
    "published_date": frozenset(_DATE),
    "published_at": frozenset(_DATE | {META_DATE}),
    "source": frozenset({NO_SOURCE, FALLBACK_SOURCE} | _DECODING),
    "authors": frozenset(
        {NO_AUTHOR, FALLBACK_AUTHOR, AUTHOR_IS_SOURCE, AUTHOR_IS_EDITOR, AUTHOR_IS_PORTAL}
        | _DECODING
    ),
    "credits": frozenset({MISSING_PAGES} | _DECODING),
    "breadcrumb": frozenset(_DECODING),
    "paragraphs": frozenset(_BODY | _DECODING),
    "images": frozenset(_BODY),
    "captions": frozenset(_BODY | _DECODING),
    "body": frozenset(_BODY | _DECODING),
    "encoding": frozenset(_DECODING),
}
"""Which flags concern which field. ``fallback_extractor`` is in no set on purpose."""

RIGHT = "right"
FLAGGED = "flagged-wrong"
SILENT = "silently-wrong"
CLASSES = (RIGHT, FLAGGED, SILENT)


def field_values(record: dict[str, Any]) -> dict[str, Any]:
    """The classed fields of a record in comparable form (tests.replica_pages.comparable)
    or of an expected file: lists become tuples, credits an order-free sorted tuple."""
    images = record.get("images") or []
    return {
        "title": record.get("title") or None,
        "published_date": record.get("published_date"),
        "published_at": record.get("published_at"),
        "source": record.get("source"),
        "authors": tuple(record.get("authors") or ()),
        "credits": tuple(
            sorted((c["role"], c["label"], c["name"]) for c in record.get("credits") or ())
        ),
        "breadcrumb": tuple(record.get("breadcrumb") or ()),
        "paragraphs": tuple(record.get("paragraphs") or ()),
        "images": tuple((i["url_path"].lstrip("/"), i["position"]) for i in images),
        "captions": tuple(i["caption"] for i in images),
        "body": "\n".join(record.get("paragraphs") or ()),
        "encoding": record.get("encoding"),
    }


def record_flags(record: dict[str, Any]) -> frozenset[str]:
    """The record's warnings and provenance entries."""
    flags = set(record.get("warnings") or ())
    provenance = record.get("provenance")
    if isinstance(provenance, dict):
        for name, origin in provenance.items():
            flag = _ORIGIN_FLAGS.get((_SHORT_FIELD.get(name, name), str(origin)))
            if flag is not None:
                flags.add(flag)
    elif isinstance(provenance, Iterable) and not isinstance(provenance, str):
        flags |= {str(entry) for entry in provenance}
    return frozenset(flags)


#: Record provenance keys by the short field names of the flags.
_SHORT_FIELD = {"published_date": "date", "authors": "author", "paragraphs": "body"}
#: (field, origin) of a record's ``provenance`` mapping → the flag it amounts to; a value
#: from the profile's selectors (``profile:…``) is no flag.
_ORIGIN_FLAGS = {
    ("title", "generic"): FALLBACK_TITLE,
    ("date", "generic"): FALLBACK_DATE,
    ("date", "url"): URL_DATE,
    ("date", "meta"): META_DATE,
    ("source", "generic"): FALLBACK_SOURCE,
    ("author", "generic"): FALLBACK_AUTHOR,
    ("body", "generic"): FALLBACK_BODY,
}


@dataclass(frozen=True)
class FieldOutcome:
    """The class of one field of one variant's record."""

    field: str
    outcome: str
    expected: Any
    got: Any
    flags: frozenset[str]
    """The record's flags that concern this field."""


def classify(expected: dict[str, Any], record: dict[str, Any]) -> list[FieldOutcome]:
    """Class every field of a record (comparable form) against the expected values."""
    got = field_values(record)
    flags = record_flags(record)
    outcomes = []
    for name in FIELDS:
        concerning = flags & FIELD_FLAGS[name]
        if got[name] == expected[name]:
            outcome = RIGHT
        else:
            outcome = FLAGGED if concerning else SILENT
        outcomes.append(FieldOutcome(name, outcome, expected[name], got[name], concerning))
    return outcomes
