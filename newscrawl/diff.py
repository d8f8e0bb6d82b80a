"""Compare two JSON Lines exports record by record (matched on ``id``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

#: Fields that differ between any two runs and say nothing about extraction.
DEFAULT_IGNORED = ("crawled_at", "parser_version", "archive")
MAX_EXAMPLES = 3


class DiffInputError(ValueError):
    """An input file that cannot be compared (unreadable, not JSON Lines)."""


@dataclass
class FieldChange:
    count: int = 0
    examples: list[tuple[str, Any, Any]] = field(default_factory=list)


@dataclass
class Diff:
    old_count: int
    new_count: int
    only_old: list[str]
    only_new: list[str]
    changes: dict[str, FieldChange]

    @property
    def identical(self) -> bool:
        return not (self.only_old or self.only_new or self.changes)


def load_records(path: Path) -> dict[str, dict[str, Any]]:
    """Records by id; for an id exported several times the highest version (then last) wins."""
    records: dict[str, dict[str, Any]] = {}
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise DiffInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise DiffInputError(f"{path}:{number}: not a JSON line ({exc})") from None
            if not isinstance(record, dict) or "id" not in record:
                raise DiffInputError(f"{path}:{number}: a record without an id")
            known = records.get(record["id"])
            if known is None or record.get("version", 1) >= known.get("version", 1):
                records[record["id"]] = record
    return records


def diff_records(
    old: dict[str, dict[str, Any]],
    new: dict[str, dict[str, Any]],
    ignored: tuple[str, ...] = DEFAULT_IGNORED,
) -> Diff:
    """Per-field change counts (with a few examples) and ids present on one side only."""
    changes: dict[str, FieldChange] = {}
    for record_id in sorted(old.keys() & new.keys()):
        before, after = old[record_id], new[record_id]
        for name in sorted((before.keys() | after.keys()) - set(ignored)):
            if before.get(name) != after.get(name):
                change = changes.setdefault(name, FieldChange())
                change.count += 1
                if len(change.examples) < MAX_EXAMPLES:
                    change.examples.append((record_id, before.get(name), after.get(name)))
    return Diff(
        old_count=len(old),
        new_count=len(new),
        only_old=sorted(old.keys() - new.keys()),
        only_new=sorted(new.keys() - old.keys()),
        changes=changes,
    )


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_diff(diff: Diff, out: TextIO) -> None:
    """A readable report of a :class:`Diff`."""
    print(f"records: {diff.old_count} old, {diff.new_count} new", file=out)
    if diff.identical:
        print("identical", file=out)
        return
    for label, ids in (("only in old", diff.only_old), ("only in new", diff.only_new)):
        if ids:
            shown = ", ".join(ids[:MAX_EXAMPLES]) + (" …" if len(ids) > MAX_EXAMPLES else "")
            print(f"{label}: {len(ids)} ({shown})", file=out)
    for name, change in sorted(diff.changes.items(), key=lambda kv: (-kv[1].count, kv[0])):
        print(f"field {name}: {change.count} records changed", file=out)
        for record_id, before, after in change.examples:
            print(f"  {record_id}: {_short(before)} -> {_short(after)}", file=out)
