"""Drift statistics and checks (pure): sketches, run statistics, checks, run history."""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.runs.drift import (
    JUDGED,
    LEARNING,
    TOO_FEW_RECORDS,
    Alarm,
    DriftOptions,
    check,
    wilson_interval,
)
from newscrawl.runs.history import SQLiteRunHistory
from newscrawl.runs.monitor import EXIT_DRIFT, RunCounts, Thresholds, assess
from newscrawl.runs.sketches import Example, FrequentValues, QuantileSketch
from newscrawl.runs.stats import RunStats, provenance_entries
from tests.drift_records import (
    AUTHORS,
    baseline,
    drifted_run,
    healthy_run,
    make_record,
    summary,
)

# -- sketches ------------------------------------------------------------------------


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=400), st.floats(0, 1))
def test_quantiles_are_within_one_percent(values: list[int], q: float) -> None:
    sketch = QuantileSketch()
    for value in values:
        sketch.add(value)
    exact = sorted(values)[math.floor(q * (len(values) - 1))]
    found = sketch.quantile(q)
    assert found is not None
    if exact < 50:
        assert found == exact
    else:
        assert abs(found - exact) <= 0.0101 * exact


@given(st.lists(st.integers(0, 200), max_size=300), st.integers(0, 49))
def test_rank_counts_are_exact_below_fifty(values: list[int], limit: int) -> None:
    sketch = QuantileSketch()
    for value in values:
        sketch.add(value)
    assert sketch.count_at_most(limit) == sum(1 for v in values if v <= limit)
    assert sketch.count_at_least(limit) == sum(1 for v in values if v >= limit)


@given(st.lists(st.integers(0, 10**5)), st.lists(st.integers(0, 10**5)))
def test_merged_sketch_equals_sketch_of_both(first: list[int], second: list[int]) -> None:
    a, b, both = QuantileSketch(), QuantileSketch(), QuantileSketch()
    for value in first:
        a.add(value)
        both.add(value)
    for value in second:
        b.add(value)
        both.add(value)
    a.merge(b)
    assert a.to_dict() == both.to_dict()
    assert QuantileSketch.from_dict(json.loads(json.dumps(a.to_dict()))).to_dict() == a.to_dict()


def test_sketch_size_does_not_grow_with_the_number_of_values() -> None:
    sketch = QuantileSketch()
    for value in range(200_000):
        sketch.add(value * 5)
    assert sketch.count == 200_000
    assert len(sketch.buckets) < 700


_VALUES = st.lists(st.sampled_from("abcdefghijklmnop"), max_size=300)


def _frequent(values: list[str], capacity: int) -> FrequentValues:
    summary = FrequentValues(capacity=capacity)
    for value in values:
        summary.add(value)
    return summary


def _assert_bounds(summary: FrequentValues, values: list[str], capacity: int) -> None:
    truth = Counter(values)
    error = len(values) / (capacity + 1)
    assert summary.total == len(values)
    for value, count in truth.items():
        kept = summary.count(value)
        assert kept <= count
        assert kept >= count - error
        if count > error:
            assert value in summary.counts


@given(_VALUES, st.integers(1, 6))
def test_frequent_values_keep_every_heavy_value(values: list[str], capacity: int) -> None:
    _assert_bounds(_frequent(values, capacity), values, capacity)


@given(_VALUES, _VALUES, st.integers(1, 6))
def test_merged_frequent_values_keep_the_bound(first: list[str], second: list[str], k: int) -> None:
    merged = _frequent(first, k)
    merged.merge(_frequent(second, k))
    _assert_bounds(merged, first + second, k)


def test_frequent_values_memory_is_bounded() -> None:
    summary = FrequentValues(capacity=8)
    for index in range(10_000):
        summary.add(f"paragraph {index}", Example(url=f"u{index}"))
        summary.add("boilerplate", Example(url=f"u{index}"))
    assert len(summary.counts) <= 16
    assert summary.top(1)[0][0] == "boilerplate"
    assert [e.url for e in summary.examples["boilerplate"]] == ["u0", "u1", "u2"]


# -- records and run statistics --------------------------------------------------------


def test_run_statistics_of_records() -> None:
    records = [
        make_record(0),
        make_record(1, authors=[], warnings=["no_author"], images=[]),
        make_record(2, published_date="2026-12-06", published_at=None, paragraphs=["短。"]),
        make_record(3, source="新华社", credits=[]),
    ]
    stats = RunStats.from_records(records)
    assert stats.records == 4
    assert stats.coverage("authors") == 0.75
    assert stats.coverage("credits") == 0.75
    assert stats.coverage("published_at") == 0.75
    assert stats.coverage("captions") == 0.75
    assert stats.warning_share("no_author") == 0.25
    assert stats.crawl_day_share() == 0.25
    assert stats.median("paragraphs") == 5
    assert stats.quartiles("paragraphs") == (1, 5, 5)
    assert stats.median("title_chars") == len(records[0]["title"])
    assert stats.mean("images") == 0.75
    # published 2026-12-05 09:30 China time, crawled 2026-12-06 10:00: 24.5 hours later;
    # a date without a time counts from noon, and the crawl (10:00) came before that
    assert stats.median("lag_minutes") == pytest.approx(24.5 * 60, rel=0.01)
    assert stats.numbers["lag_minutes"].quantile(0) == 0
    assert stats.values["source"].top() == [("大众网", 3), ("新华社", 1)]
    assert stats.values["credits"].count("王婷") == 3
    assert [e.line for e in stats.examples["missing:authors"]] == [2]
    assert stats.examples["crawl_day"][0].url.endswith("/2.htm")


def test_statistics_survive_json() -> None:
    stats = RunStats.from_records([make_record(i) for i in range(30)])
    again = RunStats.from_dict(json.loads(json.dumps(stats.to_dict(), ensure_ascii=False)))
    assert again.to_dict() == stats.to_dict()
    assert again.median("body_chars") == stats.median("body_chars")


def test_malformed_records_are_folded_without_error() -> None:
    stats = RunStats()
    stats.add({})
    stats.add({"url": 5, "title": None, "paragraphs": "not a list", "images": {"x": 1}})
    stats.add({"crawled_at": "yesterday", "published_date": "2026-13-45", "warnings": [1, None]})
    assert stats.records == 3
    assert stats.coverage("title") == 0


def test_provenance_is_read_from_every_form() -> None:
    record = {
        "provenance": {"title": "css:div#news-head h2", "published_date": ["url"]},
        "extractor": "dzwww:css:div#news-body+generic:published_raw,paragraphs",
        "warnings": ["fallback:author", "short_body"],
    }
    assert provenance_entries(record) == [
        ("title", "css:div#news-head h2"),
        ("published_date", "url"),
        ("body", "css:div#news-body"),
        ("published_raw", "generic"),
        ("paragraphs", "generic"),
        ("author", "fallback"),
    ]
    assert provenance_entries({"provenance": ["fallback:date", "profile"]}) == [
        ("date", "fallback"),
        ("", "profile"),
    ]


def test_wilson_interval() -> None:
    low, high = wilson_interval(0, 5, 3.0)
    assert low == pytest.approx(0) and 0.6 < high < 0.7
    low, high = wilson_interval(95, 100, 3.0)
    assert 0.84 < low < 0.86 and high < 1


# -- checks ------------------------------------------------------------------------------


def test_no_alarm_over_hundreds_of_healthy_runs() -> None:
    history: list[RunStats] = []
    judged = alarms = 0
    for seed in range(300):
        run = healthy_run(seed)
        verdict = check(run, history, DriftOptions())
        judged += verdict.status == JUDGED
        alarms += len(verdict.alarms)
        assert not verdict.alarms, [a.message for a in verdict.alarms]
        history.insert(0, run)
    assert judged > 250 and alarms == 0


def test_learning_until_enough_history_and_too_few_records() -> None:
    history = baseline(2)
    assert check(healthy_run(99), history, DriftOptions()).status == LEARNING
    history = baseline(3)
    assert check(healthy_run(99, size=4), history, DriftOptions()).status == TOO_FEW_RECORDS
    assert check(healthy_run(99, size=5), history, DriftOptions()).status == JUDGED


def _alarm(verdict, check_name: str, field: str) -> Alarm:
    found = [a for a in verdict.alarms if a.check == check_name and a.field == field]
    assert found, [f"{a.check}/{a.field}: {a.message}" for a in verdict.alarms]
    return found[0]


def _without_authors(record: dict, index: int) -> dict:
    return record | {"authors": [] if index % 10 else ["张三"]}


def _short_body(record: dict, index: int) -> dict:
    paragraphs = ["相关新闻：" + str(index)]
    return record | {"paragraphs": paragraphs, "body": paragraphs[0]}


def _one_author(record: dict, index: int) -> dict:
    return record | {"authors": ["王婷"]}


def _crawl_day(record: dict, index: int) -> dict:
    return record | {"published_date": "2026-12-06", "published_at": None}


def _repeated(record: dict, index: int) -> dict:
    paragraphs = ["热点推荐：全省新一轮稳岗扩就业政策发布。", *record["paragraphs"]]
    return record | {"paragraphs": paragraphs, "body": "\n".join(paragraphs)}


def _warned(record: dict, index: int) -> dict:
    return record | {"warnings": [*record["warnings"], "date_from_url"]}


def _author_as_source(record: dict, index: int) -> dict:
    return record | {"source": AUTHORS[index % len(AUTHORS)] + "某"}


@pytest.mark.parametrize(
    ("alter", "check_name", "field", "before", "after"),
    [
        (_without_authors, "coverage", "authors", 0.92, 0.1),
        (_short_body, "median", "body", None, None),
        (_one_author, "dominant_value", "authors", 0.0, 1.0),
        (_crawl_day, "crawl_day", "published_date", 0.05, 1.0),
        (_repeated, "repeated_paragraph", "body", 0.0, 1.0),
        (_warned, "warning", "published_date", 0.0, 1.0),
        (_author_as_source, "new_values", "source", 0.0, 1.0),
    ],
)
def test_each_kind_of_drift_is_flagged_with_its_field(
    alter,
    check_name: str,
    field: str,
    before: float | None,
    after: float | None,
) -> None:
    verdict = check(drifted_run(7, 20, alter), baseline(), DriftOptions())
    alarm = _alarm(verdict, check_name, field)
    if before is not None:
        assert alarm.before == pytest.approx(before, abs=0.05)
        assert alarm.after == pytest.approx(after, abs=0.1)
    assert len(alarm.examples) == 3
    assert all(e.url.startswith("https://news.example.cn/") and e.line for e in alarm.examples)
    summary = alarm.summary()
    assert all(e.url in summary for e in alarm.examples)
    assert Alarm.from_dict(json.loads(json.dumps(alarm.to_dict()))) == replace(
        alarm, before=round(alarm.before, 4), after=round(alarm.after, 4)
    )


def test_a_small_run_is_flagged_only_when_the_change_is_beyond_noise() -> None:
    history = baseline()
    # 5 records, none with an author (baseline ~92 %): significant even at this size
    verdict = check(drifted_run(3, 5, lambda r, i: r | {"authors": []}), history, DriftOptions())
    assert _alarm(verdict, "coverage", "authors")
    # 5 records, 3 with an author: could be chance, no alarm
    verdict = check(
        drifted_run(3, 5, lambda r, i: r | {"authors": [] if i < 2 else ["张三"]}),
        history,
        DriftOptions(),
    )
    assert not verdict.alarms


def test_bounds_are_options() -> None:
    run = drifted_run(7, 30, lambda r, i: r | {"authors": [] if i % 2 else ["张三"]})
    assert _alarm(check(run, baseline(), DriftOptions()), "coverage", "authors")
    relaxed = DriftOptions(coverage_change=0.6)
    assert not [a for a in check(run, baseline(), relaxed).alarms if a.check == "coverage"]


def _with_extractor(extractor: str):
    return lambda record, index: record | {"extractor": extractor}


def test_alarm_names_the_selector_that_stopped_matching() -> None:
    history = [
        drifted_run(seed, 30, _with_extractor("site:css:div#news-body")) for seed in range(5)
    ]

    def moved(record: dict, index: int) -> dict:
        record = _short_body(record, index)
        return record | {"extractor": "site:css:div.TRS_Editor"}

    verdict = check(drifted_run(9, 30, moved), history, DriftOptions())
    alarm = _alarm(verdict, "median", "body")
    assert "body ← css:div#news-body stopped matching: 100 % → 0 % of records" in alarm.selectors
    assert "body ← css:div.TRS_Editor started matching: 0 % → 100 % of records" in alarm.selectors


def test_alarm_names_the_selector_that_matches_something_else() -> None:
    history = [
        drifted_run(seed, 30, _with_extractor("site:css:div#news-body")) for seed in range(5)
    ]

    def related_block(record: dict, index: int) -> dict:
        return _repeated(_short_body(record, index), index) | {
            "extractor": "site:css:div#news-body"
        }

    verdict = check(drifted_run(9, 30, related_block), history, DriftOptions())
    for check_name in ("median", "repeated_paragraph"):
        alarm = _alarm(verdict, check_name, "body")
        assert alarm.selectors == (
            "body ← css:div#news-body still matches (100 % of records): other content",
        )


def test_fallback_provenance_is_named_for_the_date() -> None:
    history = [
        drifted_run(seed, 30, lambda r, i: r | {"provenance": {"published_date": "css:div.date"}})
        for seed in range(4)
    ]

    def fell_back(record: dict, index: int) -> dict:
        return record | {
            "published_raw": None,
            "provenance": {"published_date": "url"},
            "warnings": [*record["warnings"], "fallback:date"],
        }

    verdict = check(drifted_run(9, 30, fell_back), history, DriftOptions())
    alarm = _alarm(verdict, "coverage", "published_raw")
    assert (
        "published_date ← css:div.date stopped matching: 100 % → 0 % of records" in alarm.selectors
    )
    assert "published_date ← url started matching: 0 % → 100 % of records" in alarm.selectors
    assert _alarm(verdict, "warning", "date")


# -- verdict and exit code ----------------------------------------------------------------


def test_drift_alarms_make_the_run_exit_6() -> None:
    alarm = check(drifted_run(7, 20, _without_authors), baseline(), DriftOptions()).alarms[0]
    thresholds = Thresholds(max_error_rate=0.2, min_coverage=0.8, min_records_for_coverage=5)
    verdict = assess(RunCounts(), {}, 0, True, thresholds, [alarm.to_dict()])
    assert verdict.exit_code == EXIT_DRIFT
    assert verdict.reasons[0].startswith("template drift: authors: coverage fell to")
    assert alarm.examples[0].url in verdict.reasons[0]


# -- run history ----------------------------------------------------------------------------


def test_history_keeps_runs_per_site_newest_first(tmp_path) -> None:
    path = tmp_path / "state" / "health.sqlite3"
    with SQLiteRunHistory(path) as history:
        for index in range(6):
            history.add(summary("a", index, healthy=index != 4))
        history.add(summary("b", 1))
    with SQLiteRunHistory(path) as history:
        assert history.sites() == ["a", "b"]
        assert [r.run_id for r in history.recent("a", 3)] == ["run-005", "run-004", "run-003"]
        assert [r.run_id for r in history.healthy("a", 3)] == ["run-005", "run-003", "run-002"]
        stored = history.recent("a", 1)[0]
        assert stored.stats.to_dict() == healthy_run(5, size=10).to_dict()
        assert history.mark_healthy("a", "run-004")
        assert not history.mark_healthy("a", "run-999")
        assert [r.run_id for r in history.healthy("a", 2)] == ["run-005", "run-004"]


def test_history_drops_the_oldest_runs(tmp_path) -> None:
    with SQLiteRunHistory(tmp_path / "h.sqlite3", keep_runs=3) as history:
        for index in range(5):
            history.add(summary("a", index))
        assert [r.run_id for r in history.recent("a", 10)] == ["run-004", "run-003", "run-002"]


def test_a_damaged_history_row_is_skipped(tmp_path, caplog) -> None:
    path = tmp_path / "h.sqlite3"
    with SQLiteRunHistory(path) as history:
        history.add(summary("a", 1))
        history.add(summary("a", 2))
    db = sqlite3.connect(path)
    db.execute("UPDATE runs SET stats = '{broken' WHERE run_id = 'run-002'")
    db.commit()
    db.close()
    with SQLiteRunHistory(path) as history:
        assert [r.run_id for r in history.recent("a", 10)] == ["run-001"]
    assert "run-002 of a is unreadable" in caplog.text
