"""Template drift: statistics of one run's records, checked against the site's healthy runs.

A template change rarely empties a field; it fills it with the wrong thing. So a
run is judged on what its values look like next to the site's own recent healthy
runs: body length, field coverage, the values of author/source/credit fields,
repeated paragraphs, dates equal to the crawl day, warnings. Everything here is
pure Python (no Scrapy): :class:`RunStats` folds records one at a time in bounded
memory, :func:`check` compares a run with its baseline under :class:`DriftOptions`
and returns :class:`Alarm` objects naming the field, the figures before and after,
example records and, when records carry provenance, the selectors involved.
See docs/health.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newscrawl.runs.sketches import Example, FrequentValues, QuantileSketch

#: China Standard Time: the crawl day is the date of ``crawled_at`` there.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")

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

#: Numbers whose median is checked for halving or doubling, as named in alarms.
MEDIAN_CHECKED = {
    "body_chars": "length (characters)",
    "paragraphs": "paragraph count",
    "title_chars": "length (characters)",
}

#: Fields whose values are counted (a list field counts each of its values once).
VALUE_FIELDS = ("authors", "source", "credits")

#: Which record field a warning is about (others are reported as ``warnings``).
WARNING_FIELDS = {
    "no_title": "title",
    "no_body": "body",
    "short_body": "body",
    "body_disagrees": "body",
    "no_author": "authors",
    "no_date": "published_date",
    "date_from_url": "published_date",
    "date_url_mismatch": "published_date",
    "date_in_future": "published_date",
    "date_before_1990": "published_date",
    "missing_pages": "page_count",
}

#: Provenance field names that concern each record field (provenance may name the
#: raw field, e.g. ``paragraphs`` or ``date``, rather than the record's).
_PROVENANCE_FIELDS = {
    "body": {"body", "paragraphs"},
    "images": {"images", "body", "paragraphs"},
    "title": {"title"},
    "published_date": {"published_date", "published_at", "published_raw", "date"},
    "published_at": {"published_date", "published_at", "published_raw", "date"},
    "published_raw": {"published_date", "published_at", "published_raw", "date"},
    "authors": {"authors", "author"},
    "source": {"source", "author"},
    "credits": {"credits", "credit_lines"},
    "breadcrumb": {"breadcrumb"},
}

_SAMPLES = 100
_EXAMPLES = 3
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

    ``dzwww:css:div#news-body+generic:paragraphs`` → body from ``css:div#news-body``,
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
        if isinstance(warning, str) and warning.startswith("fallback:"):
            entries.append((warning.split(":", 1)[1], "fallback"))
    return list(dict.fromkeys(entries))


def _entry_key(name: str, source: str) -> str:
    return f"{name}={source}" if name else source


def _split_key(key: str) -> tuple[str, str]:
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
        if len(kept) < _EXAMPLES:
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


# -- checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftOptions:
    """Bounds of the drift checks (settings ``NEWSCRAWL_DRIFT_<NAME>``; docs/health.md).

    Every check needs both a large enough change (the bound) and a change that
    noise cannot explain: the run's share and the baseline's share must lie
    ``confidence_z`` standard errors apart (their Wilson intervals do not overlap).
    """

    min_history_runs: int = 3
    """Healthy runs (with records) needed before a run is judged."""
    history_runs: int = 10
    """Healthy runs in the baseline, newest first ..."""
    baseline_records: int = 100
    """... extended with older healthy runs (up to 10 × history_runs) until they hold this many
    records."""
    min_records: int = 5
    """Records a run needs to be judged."""
    confidence_z: float = 3.0
    median_ratio: float = 2.0
    """Median body length, paragraph count or title length halves (or doubles)."""
    coverage_change: float = 0.3
    """A field's coverage falls (or rises) by this much, e.g. 95 % → 10 %."""
    dominant_share: float = 0.5
    """One author/source/credit value covers at least this share of records ..."""
    share_rise: float = 0.3
    """... having covered at least this much less in the baseline (also for crawl-day dates,
    repeated paragraphs and new values)."""
    crawl_day_share: float = 0.5
    """Dates equal to the crawl day in at least this share of dated records."""
    repeated_paragraph_share: float = 0.4
    """One paragraph appears in at least this share of a run's records."""
    warning_rare: float = 0.1
    """A warning at most this common in the baseline ..."""
    warning_common: float = 0.3
    """... is on at least this share of the run's records."""
    vocabulary_fields: tuple[str, ...] = ("source",)
    """Fields with a stable set of values, checked for values never seen before."""

    @property
    def history_max_runs(self) -> int:
        return 10 * self.history_runs


@dataclass(frozen=True)
class Alarm:
    """One drift finding: which field, what changed, examples, selectors involved."""

    check: str
    field: str
    message: str
    before: float
    after: float
    examples: tuple[Example, ...] = ()
    selectors: tuple[str, ...] = ()
    detail: str = ""

    def summary(self) -> str:
        """One line for the log and the manifest: message, selectors, example URLs."""
        parts = [self.message]
        if self.selectors:
            parts.append("selectors: " + "; ".join(self.selectors))
        if self.examples:
            parts.append("e.g. " + " ".join(e.url for e in self.examples))
        return " — ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "field": self.field,
            "message": self.message,
            "before": round(self.before, 4),
            "after": round(self.after, 4),
            "examples": [e.to_dict() for e in self.examples],
            "selectors": list(self.selectors),
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alarm:
        return cls(
            check=str(data.get("check", "")),
            field=str(data.get("field", "")),
            message=str(data.get("message", "")),
            before=float(data.get("before", 0.0)),
            after=float(data.get("after", 0.0)),
            examples=tuple(Example.from_dict(e) for e in data.get("examples", ())),
            selectors=tuple(str(s) for s in data.get("selectors", ())),
            detail=str(data.get("detail", "")),
        )


#: Status of a drift verdict.
JUDGED, LEARNING, TOO_FEW_RECORDS = "judged", "learning", "too_few_records"


@dataclass
class DriftVerdict:
    status: str
    alarms: list[Alarm] = field(default_factory=list)
    baseline_runs: int = 0
    baseline_records: int = 0

    @property
    def drifted(self) -> bool:
        return bool(self.alarms)

    def describe(self) -> str:
        if self.status == LEARNING:
            return f"learning: {self.baseline_runs} healthy runs in the history so far"
        if self.status == TOO_FEW_RECORDS:
            return "not judged: too few records"
        return (
            f"judged against {self.baseline_runs} healthy runs "
            f"({self.baseline_records} records): {len(self.alarms)} alarms"
        )


def wilson_interval(hits: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a share of ``hits`` in ``n``."""
    if n <= 0:
        return 0.0, 1.0
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _apart(hits: int, n: int, base_hits: int, base_n: int, z: float) -> bool:
    """The run's share and the baseline's differ beyond noise (intervals do not overlap)."""
    low, high = wilson_interval(hits, n, z)
    base_low, base_high = wilson_interval(base_hits, base_n, z)
    return high < base_low or low > base_high


def _pct(share: float) -> str:
    return f"{share:.0%}".replace("%", " %")


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def select_baseline(runs: Sequence[RunStats], options: DriftOptions) -> list[RunStats]:
    """The baseline out of healthy runs, newest first: see :class:`DriftOptions`."""
    chosen: list[RunStats] = []
    records = 0
    for run in runs:
        if run.records == 0:
            continue
        if len(chosen) >= options.history_runs and records >= options.baseline_records:
            break
        if len(chosen) >= options.history_max_runs:
            break
        chosen.append(run)
        records += run.records
    return chosen


class _Judge:
    """Runs every check of one run against one baseline."""

    def __init__(self, run: RunStats, history: list[RunStats], options: DriftOptions) -> None:
        self.run = run
        self.history = history
        self.base = RunStats.pooled(history)
        self.options = options
        self.alarms: list[Alarm] = []
        self.window = f"the last {len(history)} healthy runs"

    def apart(self, hits: int, n: int, base_hits: int, base_n: int) -> bool:
        return _apart(hits, n, base_hits, base_n, self.options.confidence_z)

    def alarm(
        self,
        check: str,
        name: str,
        message: str,
        before: float,
        after: float,
        examples: Sequence[Example],
        detail: str = "",
    ) -> None:
        self.alarms.append(
            Alarm(
                check=check,
                field=name,
                message=message,
                before=before,
                after=after,
                examples=tuple(examples[:_EXAMPLES]),
                selectors=tuple(selector_changes(name, self.run, self.base)),
                detail=detail,
            )
        )

    # -- the checks, in report order ------------------------------------------------

    def coverage(self) -> None:
        run, base, bound = self.run, self.base, self.options.coverage_change
        for name in COVERAGE_FIELDS:
            before, after = base.coverage(name), run.coverage(name)
            if abs(after - before) < bound:
                continue
            if not self.apart(run.filled[name], run.records, base.filled[name], base.records):
                continue
            verb = "fell" if after < before else "rose"
            examples = run.examples.get(f"{'missing' if after < before else 'present'}:{name}", [])
            self.alarm(
                "coverage",
                name,
                f"{name}: coverage {verb} to {_pct(after)} of records "
                f"({run.filled[name]} of {run.records}), from {_pct(before)} in {self.window}",
                before,
                after,
                examples,
            )

    def medians(self) -> None:
        run, base, ratio = self.run, self.base, self.options.median_ratio
        for name in MEDIAN_CHECKED:
            before = base.median(name)
            after = run.median(name)
            if not before or after is None:
                continue
            sketch, base_sketch = run.numbers[name], base.numbers[name]
            for direction, limit in (("fell", before / ratio), ("rose", before * ratio)):
                if direction == "fell":
                    hits, base_hits = sketch.count_at_most(limit), base_sketch.count_at_most(limit)
                else:
                    hits = sketch.count_at_least(limit)
                    base_hits = base_sketch.count_at_least(limit)
                if hits * 2 < sketch.count:  # the run's median has not passed the limit
                    continue
                if not self.apart(hits, sketch.count, base_hits, base_sketch.count):
                    continue
                below = direction == "fell"
                examples = [
                    e
                    for e, figures in self.run.samples
                    if name in figures and (figures[name] - limit) * (1 if below else -1) <= 0
                ]
                self.alarm(
                    "median",
                    NUMBERS[name],
                    f"{NUMBERS[name]}: median {MEDIAN_CHECKED[name]} {direction} to "
                    f"{_number(after)}, "
                    f"from {_number(before)} in {self.window} ({_pct(hits / sketch.count)} of "
                    f"records are {'under half' if below else 'over twice'} the usual median, "
                    f"{_pct(base_hits / base_sketch.count)} before)",
                    before,
                    after,
                    examples,
                    detail=name,
                )

    def dominant_values(self) -> None:
        run, base, options = self.run, self.base, self.options
        for name in VALUE_FIELDS:
            top = run.values[name].top(1)
            if not top:
                continue
            value, hits = top[0]
            after = hits / run.records
            base_hits = base.values[name].count(value)
            before = base_hits / base.records if base.records else 0.0
            if after < options.dominant_share or after - before < options.share_rise:
                continue
            if not self.apart(hits, run.records, base_hits, base.records):
                continue
            self.alarm(
                "dominant_value",
                name,
                f"{name}: one value, {value!r}, is in {_pct(after)} of records, "
                f"{_pct(before)} in {self.window}",
                before,
                after,
                run.values[name].examples.get(value, []),
                detail=value,
            )

    def new_values(self) -> None:
        run, options = self.run, self.options
        for name in options.vocabulary_fields:
            if name not in run.values:
                continue
            known = _vocabulary(self.history, name)
            novel, mentions = _novel_mentions(run.values[name], known)
            base_novel, base_mentions = _baseline_novelty(self.history, name)
            if not mentions or not base_mentions:
                continue
            after, before = novel / mentions, base_novel / base_mentions
            if after - before < options.share_rise:
                continue
            if not self.apart(novel, mentions, base_novel, base_mentions):
                continue
            new = [v for v, _ in run.values[name].top() if v not in known]
            examples = [e for v in new for e in run.values[name].examples.get(v, [])[:1]]
            self.alarm(
                "new_values",
                name,
                f"{name}: {_pct(after)} of values were never seen in {self.window} "
                f"(normally {_pct(before)}); new: {', '.join(new[:5])}",
                before,
                after,
                examples,
                detail=", ".join(new[:10]),
            )

    def crawl_day(self) -> None:
        run, base, options = self.run, self.base, self.options
        if not run.dated:
            return
        after, before = run.crawl_day_share(), base.crawl_day_share()
        if after < options.crawl_day_share or after - before < options.share_rise:
            return
        if not self.apart(run.on_crawl_day, run.dated, base.on_crawl_day, base.dated):
            return
        self.alarm(
            "crawl_day",
            "published_date",
            f"published_date: {_pct(after)} of dates are the crawl day, "
            f"{_pct(before)} in {self.window}",
            before,
            after,
            run.examples.get("crawl_day", []),
        )

    def repeated_paragraph(self) -> None:
        run, base, options = self.run, self.base, self.options
        key, hits, text = run.top_paragraph()
        if not hits or hits < 2:
            return
        after = hits / run.records
        base_hits = base.paragraphs.count(key)
        before = base_hits / base.records if base.records else 0.0
        if after < options.repeated_paragraph_share or after - before < options.share_rise:
            return
        if not self.apart(hits, run.records, base_hits, base.records):
            return
        self.alarm(
            "repeated_paragraph",
            "body",
            f"body: the same paragraph is in {_pct(after)} of records ({text!r}), "
            f"{_pct(before)} in {self.window}",
            before,
            after,
            run.paragraphs.examples.get(key, []),
            detail=text,
        )

    def warnings(self) -> None:
        run, base, options = self.run, self.base, self.options
        for warning in sorted(run.warnings):
            after, before = run.warning_share(warning), base.warning_share(warning)
            if before > options.warning_rare or after < options.warning_common:
                continue
            hits, base_hits = run.warnings[warning], base.warnings[warning]
            if not self.apart(hits, run.records, base_hits, base.records):
                continue
            name = WARNING_FIELDS.get(warning, "")
            if not name and warning.startswith("fallback:"):
                name = warning.split(":", 1)[1]
            self.alarm(
                "warning",
                name or "warnings",
                f"warning {warning}: on {_pct(after)} of records, {_pct(before)} in {self.window}",
                before,
                after,
                run.examples.get(f"warning:{warning}", []),
                detail=warning,
            )


def _vocabulary(runs: Sequence[RunStats], name: str) -> set[str]:
    known: set[str] = set()
    for run in runs:
        values = run.values.get(name)
        if values is not None:
            known.update(values.counts)
    return known


def _novel_mentions(values: FrequentValues, known: set[str]) -> tuple[int, int]:
    """(mentions of values not in ``known``, all mentions); untracked values count as new."""
    familiar = sum(count for value, count in values.counts.items() if value in known)
    return values.total - familiar, values.total


def _baseline_novelty(runs: Sequence[RunStats], name: str) -> tuple[int, int]:
    """How new the baseline runs' own values were: each against the other baseline runs."""
    novel = mentions = 0
    for index, run in enumerate(runs):
        values = run.values.get(name)
        if values is None:
            continue
        others = _vocabulary([r for i, r in enumerate(runs) if i != index], name)
        run_novel, run_mentions = _novel_mentions(values, others)
        novel += run_novel
        mentions += run_mentions
    return novel, mentions


def selector_changes(
    name: str, run: RunStats, base: RunStats, min_change: float = 0.2
) -> list[str]:
    """What the records' provenance says about a field: selectors that stopped or started
    matching, or the selector that still matches although the values changed."""
    related = _PROVENANCE_FIELDS.get(name, {name})
    seen = dict.fromkeys([*base.provenance, *run.provenance])
    keys = [key for key in seen if _split_key(key)[0] in related]
    notes: list[str] = []
    steady: list[str] = []
    for key in keys:
        before = base.provenance[key] / base.records if base.records else 0.0
        after = run.provenance[key] / run.records if run.records else 0.0
        entry_field, source = _split_key(key)
        label = f"{entry_field} ← {source}"
        if after <= before - min_change:
            notes.append(f"{label} stopped matching: {_pct(before)} → {_pct(after)} of records")
        elif after >= before + min_change:
            notes.append(f"{label} started matching: {_pct(before)} → {_pct(after)} of records")
        elif after >= 0.5:
            steady.append(f"{label} still matches ({_pct(after)} of records): other content")
    return notes or steady


def check(run: RunStats, history: Sequence[RunStats], options: DriftOptions) -> DriftVerdict:
    """Judge a run against the site's healthy runs (newest first)."""
    baseline = select_baseline(history, options)
    verdict = DriftVerdict(
        status=JUDGED,
        baseline_runs=len(baseline),
        baseline_records=sum(r.records for r in baseline),
    )
    if len(baseline) < options.min_history_runs:
        verdict.status = LEARNING
        return verdict
    if run.records < options.min_records:
        verdict.status = TOO_FEW_RECORDS
        return verdict
    judge = _Judge(run, baseline, options)
    judge.coverage()
    judge.medians()
    judge.dominant_values()
    judge.new_values()
    judge.crawl_day()
    judge.repeated_paragraph()
    judge.warnings()
    verdict.alarms = judge.alarms
    return verdict
