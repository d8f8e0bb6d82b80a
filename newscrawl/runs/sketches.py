"""Bounded-memory summaries of a stream: quantiles of numbers, the most frequent values.

Both are mergeable (the summary of two runs is the merge of their summaries) and
serialise to plain JSON, so a run's statistics can be folded record by record
and stored in the run history.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_GAMMA = 1.02
_LOG_GAMMA = math.log(_GAMMA)


def _bucket(value: float) -> int:
    return math.ceil(math.log(value) / _LOG_GAMMA - 1e-9)


class QuantileSketch:
    """Non-negative numbers counted in logarithmic buckets (1 % relative accuracy).

    Values below 1 count as 0. Integers below 50 each get their own bucket, so
    counts of paragraphs or images are exact; larger values are known to within
    1 %. The size grows with the logarithm of the largest value (about 700
    buckets up to a million), not with the number of values.
    """

    def __init__(self) -> None:
        self.count = 0
        self.zeros = 0
        self.buckets: dict[int, int] = {}

    def add(self, value: float) -> None:
        self.count += 1
        if value < 1:
            self.zeros += 1
            return
        key = _bucket(value)
        self.buckets[key] = self.buckets.get(key, 0) + 1

    def merge(self, other: QuantileSketch) -> None:
        self.count += other.count
        self.zeros += other.zeros
        for key, count in other.buckets.items():
            self.buckets[key] = self.buckets.get(key, 0) + count

    @staticmethod
    def _value(key: int) -> float:
        upper = _GAMMA**key
        integer = math.floor(upper + 1e-9)
        # The bucket (γ^(k-1), γ^k] holds at most one integer below 50: report it.
        if integer > _GAMMA ** (key - 1) and integer < 50:
            return float(integer)
        return 2 * upper / (_GAMMA + 1)

    def _cumulative(self) -> Iterator[tuple[float, int]]:
        seen = self.zeros
        if self.zeros:
            yield 0.0, seen
        for key in sorted(self.buckets):
            seen += self.buckets[key]
            yield self._value(key), seen

    def quantile(self, q: float) -> float | None:
        """The value at rank ⌊q·(n−1)⌋ (the lower median for q = 0.5); None when empty."""
        if not self.count:
            return None
        rank = math.floor(q * (self.count - 1))
        for value, seen in self._cumulative():
            if seen > rank:
                return value
        return None  # pragma: no cover - the last bucket always reaches count

    @property
    def median(self) -> float | None:
        return self.quantile(0.5)

    def count_at_most(self, limit: float) -> int:
        """How many values are ≤ ``limit`` (to bucket accuracy)."""
        if limit < 0:
            return 0
        if limit < 1:
            return self.zeros
        top = _bucket(limit)
        return self.zeros + sum(c for k, c in self.buckets.items() if k <= top)

    def count_at_least(self, limit: float) -> int:
        """How many values are ≥ ``limit`` (to bucket accuracy)."""
        if limit <= 0:
            return self.count
        if limit < 1:
            return self.count - self.zeros
        bottom = _bucket(limit)
        return sum(c for k, c in self.buckets.items() if k >= bottom)

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "zeros": self.zeros,
            "buckets": {str(k): c for k, c in sorted(self.buckets.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuantileSketch:
        sketch = cls()
        sketch.count = int(data.get("count", 0))
        sketch.zeros = int(data.get("zeros", 0))
        sketch.buckets = {int(k): int(c) for k, c in dict(data.get("buckets", {})).items()}
        return sketch


@dataclass(frozen=True)
class Example:
    """A record to look at: its URL, id and line number in the run's data file."""

    url: str
    id: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "id": self.id, "line": self.line}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Example:
        line = data.get("line")
        url = str(data.get("url", ""))
        return cls(url=url, id=data.get("id"), line=int(line) if line else None)


class FrequentValues:
    """The most frequent values of a stream and their counts (Misra–Gries summary).

    Keeps at most ``2 × capacity`` values. Every value seen more than
    ``total / (capacity + 1)`` times is kept, and a kept value's count is low by
    at most that much, so "one value covers most records" is always seen
    exactly enough. Up to ``examples`` example records are kept per value, and
    a short text per value when one is given (e.g. a paragraph's beginning).
    """

    def __init__(self, capacity: int = 64, examples: int = 3) -> None:
        self.capacity = capacity
        self.max_examples = examples
        self.total = 0
        self.counts: dict[str, int] = {}
        self.examples: dict[str, list[Example]] = {}
        self.texts: dict[str, str] = {}

    def add(self, value: str, example: Example | None = None, text: str | None = None) -> None:
        self.total += 1
        if value in self.counts:
            self.counts[value] += 1
        else:
            self.counts[value] = 1
            if text is not None:
                self.texts[value] = text
        if example is not None:
            kept = self.examples.setdefault(value, [])
            if len(kept) < self.max_examples:
                kept.append(example)
        if len(self.counts) > 2 * self.capacity:
            self._purge()

    def _purge(self) -> None:
        """Subtract the (capacity+1)-th largest count from every count; drop what reaches 0."""
        if len(self.counts) <= self.capacity:
            return
        cut = heapq.nlargest(self.capacity + 1, self.counts.values())[-1]
        kept = {value: count - cut for value, count in self.counts.items() if count > cut}
        self.counts = kept
        self.examples = {v: e for v, e in self.examples.items() if v in kept}
        self.texts = {v: t for v, t in self.texts.items() if v in kept}

    def merge(self, other: FrequentValues) -> None:
        self.total += other.total
        for value, count in other.counts.items():
            self.counts[value] = self.counts.get(value, 0) + count
            if value in other.texts:
                self.texts.setdefault(value, other.texts[value])
            for example in other.examples.get(value, ()):
                kept = self.examples.setdefault(value, [])
                if len(kept) < self.max_examples:
                    kept.append(example)
        if len(self.counts) > 2 * self.capacity:
            self._purge()

    def count(self, value: str) -> int:
        return self.counts.get(value, 0)

    def top(self, n: int | None = None) -> list[tuple[str, int]]:
        """Values by count, most frequent first (ties in first-seen order)."""
        ranked = sorted(self.counts.items(), key=lambda item: -item[1])
        return ranked if n is None else ranked[:n]

    def to_dict(self, examples_for: int = 10) -> dict[str, Any]:
        """JSON form; examples are kept for the ``examples_for`` most frequent values."""
        top = self.top()
        with_examples = {value for value, _ in top[:examples_for]}
        return {
            "capacity": self.capacity,
            "total": self.total,
            "counts": dict(top),
            "texts": {v: t for v, t in self.texts.items() if v in self.counts},
            "examples": {
                v: [e.to_dict() for e in self.examples[v]]
                for v in with_examples
                if v in self.examples
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FrequentValues:
        values = cls(capacity=int(data.get("capacity", 64)))
        values.total = int(data.get("total", 0))
        values.counts = {str(k): int(c) for k, c in dict(data.get("counts", {})).items()}
        values.texts = {str(k): str(t) for k, t in dict(data.get("texts", {})).items()}
        values.examples = {
            str(k): [Example.from_dict(e) for e in v]
            for k, v in dict(data.get("examples", {})).items()
        }
        return values
