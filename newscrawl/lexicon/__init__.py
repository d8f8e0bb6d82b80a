"""The Chinese-news vocabulary every extractor and normaliser reads, from one data file.

``zh_news.toml`` beside this module holds the words (credit labels and roles,
reporter role words, outlets, surnames, related/widget/caption markers, field
labels, date and copyright forms …). :data:`LEXICON` is that file, loaded once
and checked; :func:`any_of` and :func:`any_pattern` turn a word list into a
regular-expression alternation.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

DATA_FILE = Path(__file__).with_name("zh_news.toml")

#: Credit roles of the record, in the order the data file lists them.
CREDIT_ROLES = ("editor", "first_editor", "reviewer", "proofreader", "other")


class LexiconError(ValueError):
    """The data file is missing a list, or a list is not what its key promises."""


def any_of(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so 打印本页 wins over 打印)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def any_pattern(patterns: Iterable[str]) -> str:
    """A regex alternation of regular expressions, in the order given."""
    return "|".join(f"(?:{p})" for p in patterns)


@dataclass(frozen=True)
class Credits:
    roles: Mapping[str, str]
    """Credit label as printed → record role."""
    words: tuple[str, ...]


@dataclass(frozen=True)
class People:
    reporter_roles: tuple[str, ...]
    outlet_reporter_words: tuple[str, ...]
    short_roles: tuple[str, ...]
    work_suffixes: tuple[str, ...]
    byline_end: tuple[str, ...]
    not_names: frozenset[str]
    non_person_suffixes: tuple[str, ...]
    not_name_starts: tuple[str, ...]
    latin_stop: frozenset[str]
    not_person_words: tuple[str, ...]


@dataclass(frozen=True)
class Surnames:
    single: frozenset[str]
    compound: frozenset[str]


@dataclass(frozen=True)
class Outlets:
    known: frozenset[str]
    own: frozenset[str]
    suffixes: tuple[str, ...]


@dataclass(frozen=True)
class Labels:
    source: tuple[str, ...]
    author: tuple[str, ...]
    date: tuple[str, ...]
    date_unrelated: tuple[str, ...]
    other: tuple[str, ...]
    title: tuple[str, ...]
    posted: tuple[str, ...]
    """Regular expressions."""


@dataclass(frozen=True)
class Markers:
    related: tuple[str, ...]
    page_end: tuple[str, ...]
    """Regular expressions."""
    page_end_heading: tuple[str, ...]
    notice: tuple[str, ...]
    legal_footer: tuple[str, ...]
    widgets: tuple[str, ...]
    bracketed_widgets: tuple[str, ...]
    tail_furniture: tuple[str, ...]
    caption: tuple[str, ...]
    copyright: tuple[str, ...]
    disclaimer: tuple[str, ...]
    """Regular expressions."""
    dateline_end: tuple[str, ...]


@dataclass(frozen=True)
class Breadcrumb:
    home: tuple[str, ...]
    location: tuple[str, ...]
    separators: tuple[str, ...]
    """Regular expressions."""


@dataclass(frozen=True)
class ClassNames:
    """Regular expressions over lower-cased class/id values."""

    boilerplate: tuple[str, ...]
    layout: tuple[str, ...]
    content: tuple[str, ...]
    content_tokens: tuple[str, ...]
    caption: tuple[str, ...]
    title: tuple[str, ...]


@dataclass(frozen=True)
class MetaNames:
    date: tuple[str, ...]
    title: tuple[str, ...]
    source: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """The whole vocabulary, one attribute per section of the data file."""

    credits: Credits
    people: People
    surnames: Surnames
    outlets: Outlets
    organisation_suffixes: tuple[str, ...]
    labels: Labels
    markers: Markers
    breadcrumb: Breadcrumb
    image_furniture: tuple[str, ...]
    """Regular expressions over image URLs."""
    class_names: ClassNames
    meta: MetaNames


def _section(data: dict[str, Any], name: str, cls: type, path: Path) -> Any:
    table = data.get(name)
    if not isinstance(table, dict):
        raise LexiconError(f"{path}: [{name}] is missing")
    values = {}
    for spec in fields(cls):
        value = table.get(spec.name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise LexiconError(f"{path}: {name}.{spec.name} must be a list of non-empty strings")
        kind = spec.type if isinstance(spec.type, str) else str(spec.type)
        values[spec.name] = frozenset(value) if kind.startswith("frozenset") else tuple(value)
    return cls(**values)


def load(path: Path = DATA_FILE) -> Lexicon:
    """Read and check a lexicon file; :class:`LexiconError` names what is wrong."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    credits = data.get("credits", {})
    roles: dict[str, str] = {}
    for role in CREDIT_ROLES:
        labels = credits.get(role)
        if not isinstance(labels, list) or not labels:
            raise LexiconError(f"{path}: credits.{role} must list the labels of that role")
        for label in labels:
            roles.setdefault(label, role)
    surnames = data.get("surnames", {})
    single = "".join(str(surnames.get("single", "")).split())
    compound = surnames.get("compound")
    if not single or not isinstance(compound, list):
        raise LexiconError(f"{path}: [surnames] needs single (a string) and compound (a list)")
    organisations = data.get("organisations", {}).get("suffixes")
    images = data.get("images", {}).get("furniture")
    if not isinstance(organisations, list) or not isinstance(images, list):
        raise LexiconError(f"{path}: organisations.suffixes and images.furniture must be lists")
    return Lexicon(
        credits=Credits(MappingProxyType(roles), tuple(credits.get("words", ()))),
        people=_section(data, "people", People, path),
        surnames=Surnames(frozenset(single), frozenset(compound)),
        outlets=_section(data, "outlets", Outlets, path),
        organisation_suffixes=tuple(organisations),
        labels=_section(data, "labels", Labels, path),
        markers=_section(data, "markers", Markers, path),
        breadcrumb=_section(data, "breadcrumb", Breadcrumb, path),
        image_furniture=tuple(images),
        class_names=_section(data, "class_names", ClassNames, path),
        meta=_section(data, "meta", MetaNames, path),
    )


#: The packaged vocabulary.
LEXICON = load()

__all__ = [
    "CREDIT_ROLES",
    "DATA_FILE",
    "LEXICON",
    "Lexicon",
    "LexiconError",
    "any_of",
    "any_pattern",
    "load",
]
