"""Template drift: one run's record statistics checked against the site's healthy runs.

A template change rarely empties a field; it fills it with the wrong thing. So a
run is judged on what its values look like next to the site's own recent healthy
runs (:class:`newscrawl.runs.stats.RunStats`): body length, field coverage, the
values of author/source/credit fields, repeated paragraphs, dates equal to the
crawl day, warnings. :func:`check` compares a run with its baseline under
:class:`DriftOptions` and returns :class:`Alarm` objects naming the field, the
figures before and after, example records and, when records carry provenance,
the selectors involved. Pure Python, no Scrapy; see docs/health.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newscrawl.runs.sketches import Example, FrequentValues
from newscrawl.runs.stats import (
    COVERAGE_FIELDS,
    EXAMPLES,
    NUMBERS,
    VALUE_FIELDS,
    RunStats,
    split_provenance_key,
)

#: Numbers whose median is checked for halving or doubling, as named in alarms.
MEDIAN_CHECKED = {
    "body_chars": "length (characters)",
    "paragraphs": "paragraph count",
    "title_chars": "length (characters)",
}

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
    "captions": {"images", "body", "paragraphs"},
    "title": {"title"},
    "published_date": {"published_date", "published_at", "published_raw", "date"},
    "published_at": {"published_date", "published_at", "published_raw", "date"},
    "published_raw": {"published_date", "published_at", "published_raw", "date"},
    "authors": {"authors", "author"},
    "source": {"source", "author"},
    "credits": {"credits", "credit_lines"},
    "breadcrumb": {"breadcrumb"},
}


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
                examples=tuple(examples[:EXAMPLES]),
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
            if not name and warning.startswith(("fallback:", "fallback_")):
                name = warning[len("fallback") + 1 :]
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
    keys = [key for key in seen if split_provenance_key(key)[0] in related]
    notes: list[str] = []
    steady: list[str] = []
    for key in keys:
        before = base.provenance[key] / base.records if base.records else 0.0
        after = run.provenance[key] / run.records if run.records else 0.0
        entry_field, source = split_provenance_key(key)
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
