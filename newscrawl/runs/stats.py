"""Statistics of one run's exported records, folded one record at a time.

What a run's records look like: field coverage, distributions of body length,
paragraph count, title length, images and captions per record and the lag between
publication and crawl, the values of author/source/credit fields, repeated
paragraphs, dates equal to the crawl day, warnings and provenance. Memory is
bounded whatever the run's size; statistics of several runs merge into one
(the baseline of the drift checks in :mod:`newscrawl.runs.drift`). No Scrapy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from newscrawl.clock import CHINA_TZ
from newscrawl.runs.sketches import Example, FrequentValues, QuantileSketch

#: China Standard Time: the crawl day is the date of ``crawled_at`` there.

#: Record fields whose coverage (share of records that have them) is kept.
#: ``images`` = at least one image, ``captions`` = at least one captioned image.
COVERAGE_FIELDS = (
    "title",
    "published_date",
    "published_at",
    "published_raw",
    "source",
    "authors",
    "credits",
    "breadcrumb",
    "body",
    "images",
    "captions",
)

#: Per-record numbers whose distributions are kept, and the field each describes.
NUMBERS = {
    "body_chars": "body",
    "paragraphs": "body",
    "title_chars": "title",
    "images": "images",
    "captions": "images",
    "lag_minutes": "published_date",
}

#: Fields whose values are counted (a list field counts each of its values once).
VALUE_FIELDS = ("authors", "source", "credits")

_SAMPLES = 100
EXAMPLES = 3
_MAX_PROVENANCE_ENTRIES = 256
_TEXT_PREVIEW = 60


# -- provenance ----------------------------------------------------------------


def _field_and_source(entry: str) -> tuple[str, str]:
    """``fallback:date`` → (``date``, ``fallback``); anything else → ("", entry)."""
    head, sep, tail = entry.partition(":")
    if sep and tail and tail.replace("_", "").isalpha():
        return tail, head
    return "", entry


def parse_extractor(extractor: str) -> list[tuple[str, str]]:
    """Provenance of an ``extractor`` string: ``<label>:<body selector>[+generic:<fields>]``.

    ``<profile>:css:div#news-body+generic:paragraphs`` → body from ``css:div#news-body``,
    paragraphs from ``generic``.
    """
    head, *rest = extractor.split("+")
    entries: list[tuple[str, str]] = []
    if head:
        _, sep, selector = head.partition(":")
        entries.append(("body", selector if sep and selector else head))
    for part in rest:
        source, sep, names = part.partition(":")
        if not sep:
            entries.append(("", part))
            continue
        entries.extend((name.strip(), source) for name in names.split(",") if name.strip())
    return entries


def provenance_entries(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, source) pairs saying where a record's values came from, as far as it tells.

    Read from ``provenance`` (an object field → source or list of sources, or a
    list of ``source:field`` strings), from ``extractor`` (see
    :func:`parse_extractor`) and from ``fallback:<field>`` warnings. A field of ""
    means the entry names no field.
    """
    entries: list[tuple[str, str]] = []
    provenance = record.get("provenance")
    if isinstance(provenance, Mapping):
        for name, source in provenance.items():
            sources = source if isinstance(source, list) else [source]
            entries.extend((str(name), str(s)) for s in sources if isinstance(s, str | int))
    elif isinstance(provenance, list):
        entries.extend(_field_and_source(item) for item in provenance if isinstance(item, str))
    extractor = record.get("extractor")
    if isinstance(extractor, str) and extractor:
        entries.extend(parse_extractor(extractor))
    for warning in record.get("warnings") or ():
        if isinstance(warning, str) and warning.startswith(("fallback:", "fallback_")):
            name = warning[len("fallback") + 1 :]
            if name != "extractor":
                entries.append((name, "fallback"))
    return list(dict.fromkeys(entries))


def _entry_key(name: str, source: str) -> str:
    return f"{name}={source}" if name else source


def split_provenance_key(key: str) -> tuple[str, str]:
    name, sep, source = key.partition("=")
    return (name, source) if sep else ("", key)


# -- per-record figures ----------------------------------------------------------


def _parse_time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _published(record: Mapping[str, Any]) -> dt.datetime | None:
    """``published_at``, else noon (China time) of ``published_date``."""
    at = _parse_time(record.get("published_at"))
    if at is not None:
        return at
    date = record.get("published_date")
    if not isinstance(date, str):
        return None
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time(12), tzinfo=CHINA_TZ)


def _filled(record: Mapping[str, Any], name: str) -> bool:
    if name == "captions":
        return any(isinstance(i, Mapping) and i.get("caption") for i in _images(record))
    value = record.get(name)
    return bool(value)


def _images(record: Mapping[str, Any]) -> list[Any]:
    images = record.get("images")
    return images if isinstance(images, list) else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def record_values(record: Mapping[str, Any], name: str) -> list[str]:
    """The values of a value field (credits: the names), each once."""
    if name == "credits":
        credits = record.get("credits")
        names = [c.get("name") for c in credits if isinstance(c, Mapping)] if credits else []
        return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))
    return list(dict.fromkeys(_strings(record.get(name))))


def _paragraph_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


# -- run statistics ----------------------------------------------------------------


@dataclass
class RunStats:
    """Statistics of one run's exported records, folded one record at a time.

    Memory is bounded whatever the run's size: numbers go into quantile
    sketches, values and paragraphs into frequent-value summaries, and only a
    few example records are kept per feature. Merging the statistics of several
    runs pools them (the baseline of a check).
    """

    records: int = 0
    filled: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    provenance: Counter[str] = field(default_factory=Counter)
    numbers: dict[str, QuantileSketch] = field(
        default_factory=lambda: {name: QuantileSketch() for name in NUMBERS}
    )
    totals: Counter[str] = field(default_factory=Counter)
    values: dict[str, FrequentValues] = field(
        default_factory=lambda: {name: FrequentValues() for name in VALUE_FIELDS}
    )
    paragraphs: FrequentValues = field(default_factory=lambda: FrequentValues(capacity=128))
    dated: int = 0
    on_crawl_day: int = 0
    examples: dict[str, list[Example]] = field(default_factory=dict)
    samples: list[tuple[Example, dict[str, float]]] = field(default_factory=list)

    # -- folding ---------------------------------------------------------------

    def _example(self, key: str, example: Example) -> None:
        kept = self.examples.setdefault(key, [])
        if len(kept) < EXAMPLES:
            kept.append(example)

    def add(self, record: Mapping[str, Any], line: int | None = None) -> None:
        """Fold one exported record; ``line`` is its line number in the data file."""
        example = Example(url=str(record.get("url") or ""), id=record.get("id"), line=line)
        self.records += 1
        for name in COVERAGE_FIELDS:
            if _filled(record, name):
                self.filled[name] += 1
                self._example(f"present:{name}", example)
            else:
                self._example(f"missing:{name}", example)
        for warning in dict.fromkeys(_strings(record.get("warnings"))):
            self.warnings[warning] += 1
            self._example(f"warning:{warning}", example)
        for name, source in provenance_entries(record):
            key = _entry_key(name, source)
            if key in self.provenance or len(self.provenance) < _MAX_PROVENANCE_ENTRIES:
                self.provenance[key] += 1
                self._example(f"provenance:{key}", example)

        figures = self._figures(record)
        for name, value in figures.items():
            if value is not None:
                self.numbers[name].add(value)
                self.totals[name] += value
        if len(self.samples) < _SAMPLES:
            self.samples.append((example, {k: v for k, v in figures.items() if v is not None}))

        for name in VALUE_FIELDS:
            for value in record_values(record, name):
                self.values[name].add(value, example)
        paragraphs = _strings(record.get("paragraphs"))
        for text in dict.fromkeys(paragraphs):
            self.paragraphs.add(_paragraph_key(text), example, text[:_TEXT_PREVIEW])

        date = record.get("published_date")
        crawled = _parse_time(record.get("crawled_at"))
        if isinstance(date, str) and date:
            self.dated += 1
            if crawled is not None and crawled.astimezone(CHINA_TZ).date().isoformat() == date:
                self.on_crawl_day += 1
                self._example("crawl_day", example)

    @staticmethod
    def _figures(record: Mapping[str, Any]) -> dict[str, float | None]:
        images = _images(record)
        body = record.get("body")
        title = record.get("title")
        published = _published(record)
        crawled = _parse_time(record.get("crawled_at"))
        lag = None
        if published is not None and crawled is not None:
            lag = max(0.0, (crawled - published).total_seconds() / 60)
        return {
            "body_chars": len(body) if isinstance(body, str) else 0,
            "paragraphs": len(_strings(record.get("paragraphs"))),
            "title_chars": len(title) if isinstance(title, str) else 0,
            "images": len(images),
            "captions": sum(1 for i in images if isinstance(i, Mapping) and i.get("caption")),
            "lag_minutes": lag,
        }

    def merge(self, other: RunStats) -> None:
        """Pool another run's statistics into these (examples and samples are not pooled)."""
        self.records += other.records
        self.filled.update(other.filled)
        self.warnings.update(other.warnings)
        self.provenance.update(other.provenance)
        for name, sketch in other.numbers.items():
            self.numbers.setdefault(name, QuantileSketch()).merge(sketch)
        self.totals.update(other.totals)
        for name, values in other.values.items():
            self.values.setdefault(name, FrequentValues()).merge(values)
        self.paragraphs.merge(other.paragraphs)
        self.dated += other.dated
        self.on_crawl_day += other.on_crawl_day

    @classmethod
    def pooled(cls, runs: Iterable[RunStats]) -> RunStats:
        total = cls()
        for run in runs:
            total.merge(run)
        return total

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> RunStats:
        """Statistics of records in data-file order (line numbers from 1)."""
        stats = cls()
        for line, record in enumerate(records, start=1):
            stats.add(record, line)
        return stats

    # -- reading ---------------------------------------------------------------

    def coverage(self, name: str) -> float:
        return self.filled[name] / self.records if self.records else 0.0

    def warning_share(self, warning: str) -> float:
        return self.warnings[warning] / self.records if self.records else 0.0

    def median(self, name: str) -> float | None:
        return self.numbers[name].median if name in self.numbers else None

    def quartiles(self, name: str) -> tuple[float | None, float | None, float | None]:
        sketch = self.numbers.get(name)
        if sketch is None:
            return None, None, None
        return sketch.quantile(0.25), sketch.quantile(0.5), sketch.quantile(0.75)

    def mean(self, name: str) -> float | None:
        sketch = self.numbers.get(name)
        return self.totals[name] / sketch.count if sketch and sketch.count else None

    def crawl_day_share(self) -> float:
        return self.on_crawl_day / self.dated if self.dated else 0.0

    def top_paragraph(self) -> tuple[str, int, str]:
        """(key, records holding it, text preview) of the most repeated paragraph."""
        top = self.paragraphs.top(1)
        if not top:
            return "", 0, ""
        key, count = top[0]
        return key, count, self.paragraphs.texts.get(key, "")

    # -- storage -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "filled": dict(self.filled),
            "warnings": dict(self.warnings),
            "provenance": dict(self.provenance),
            "numbers": {name: sketch.to_dict() for name, sketch in self.numbers.items()},
            "totals": dict(self.totals),
            "values": {name: values.to_dict() for name, values in self.values.items()},
            "paragraphs": self.paragraphs.to_dict(examples_for=5),
            "dated": self.dated,
            "on_crawl_day": self.on_crawl_day,
            "examples": {k: [e.to_dict() for e in v] for k, v in self.examples.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunStats:
        stats = cls()
        stats.records = int(data.get("records", 0))
        stats.filled = Counter({k: int(v) for k, v in dict(data.get("filled", {})).items()})
        stats.warnings = Counter({k: int(v) for k, v in dict(data.get("warnings", {})).items()})
        stats.provenance = Counter({k: int(v) for k, v in dict(data.get("provenance", {})).items()})
        for name, sketch in dict(data.get("numbers", {})).items():
            stats.numbers[name] = QuantileSketch.from_dict(sketch)
        stats.totals = Counter({k: float(v) for k, v in dict(data.get("totals", {})).items()})
        for name, values in dict(data.get("values", {})).items():
            stats.values[name] = FrequentValues.from_dict(values)
        if "paragraphs" in data:
            stats.paragraphs = FrequentValues.from_dict(data["paragraphs"])
        stats.dated = int(data.get("dated", 0))
        stats.on_crawl_day = int(data.get("on_crawl_day", 0))
        stats.examples = {
            k: [Example.from_dict(e) for e in v] for k, v in dict(data.get("examples", {})).items()
        }
        return stats
