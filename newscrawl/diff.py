"""Compare two JSON Lines exports record by record (matched on ``id``).

An id may appear several times in one export with different ``version`` values: an
incremental export appends a new version when an article changed, and the highest
version is the one compared. The same id twice with the same version is a duplicate:
it is reported (with its line numbers) and the files are never called identical.
"""

from __future__ import annotations

import codecs
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

#: Fields that differ between any two runs and say nothing about extraction.
DEFAULT_IGNORED = ("crawled_at", "parser_version", "archive")
MAX_EXAMPLES = 3


class DiffInputError(ValueError):
    """An input file that cannot be compared (unreadable, not UTF-8 JSON Lines of records)."""


@dataclass
class FieldChange:
    count: int = 0
    examples: list[tuple[str, Any, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Duplicate:
    """An id exported more than once with the same version in one file."""

    id: str
    version: int
    lines: tuple[int, ...]
    same_content: bool


class Export(dict[str, dict[str, Any]]):
    """The records of one export by id (highest version, then last line, wins).

    ``duplicates`` lists the ids that appear more than once with the same version.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.duplicates: list[Duplicate] = []


@dataclass
class Diff:
    old_count: int
    new_count: int
    only_old: list[str]
    only_new: list[str]
    changes: dict[str, FieldChange]
    duplicates_old: list[Duplicate] = field(default_factory=list)
    duplicates_new: list[Duplicate] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (
            self.only_old
            or self.only_new
            or self.changes
            or self.duplicates_old
            or self.duplicates_new
        )


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decode_line(path: Path, number: int, raw: bytes) -> str:
    """The line as text, or DiffInputError naming what is wrong with its bytes."""
    if number == 1 and raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise DiffInputError(f"{path}:1: not UTF-8: the file starts with a UTF-32 byte-order mark")
    if number == 1 and raw.startswith(_UTF16_BOMS):
        raise DiffInputError(
            f"{path}:1: not UTF-8: the file starts with a UTF-16 byte-order mark "
            "(convert it, e.g. iconv -f UTF-16 -t UTF-8)"
        )
    if number == 1 and raw.startswith(codecs.BOM_UTF8):
        raise DiffInputError(f"{path}:1: starts with a UTF-8 byte-order mark (JSON Lines has none)")
    if b"\x00" in raw:
        raise DiffInputError(f"{path}:{number}: not UTF-8 text: NUL bytes (UTF-16 or binary?)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise DiffInputError(
            f"{path}:{number}: not UTF-8: byte 0x{bad} at column {exc.start + 1}"
        ) from None


def _parse_int(text: str) -> int:
    limit = sys.get_int_max_str_digits() or 4300
    if len(text.lstrip("-")) > limit:
        raise ValueError(f"a number with {len(text.lstrip('-'))} digits (more than {limit})")
    return int(text)


def _parse_line(path: Path, number: int, text: str) -> dict[str, Any]:
    """A record from one line, or DiffInputError naming the file, line and problem."""
    where = f"{path}:{number}"
    try:
        record = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise DiffInputError(f"{where}: not a JSON line ({exc})") from None
    except RecursionError:
        raise DiffInputError(f"{where}: JSON nested too deeply to read") from None
    except ValueError as exc:
        raise DiffInputError(f"{where}: cannot read this JSON: {exc}") from None
    if not isinstance(record, dict) or "id" not in record:
        raise DiffInputError(f"{where}: a record without an id")
    if not isinstance(record["id"], str) or not record["id"]:
        raise DiffInputError(f"{where}: the id is not a non-empty string: {_short(record['id'])}")
    version = record.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise DiffInputError(f"{where}: the version is not a whole number: {_short(version)}")
    return record


def read_export(path: Path) -> Export:
    """Read a JSON Lines export; DiffInputError names the file and line of any bad input."""
    export = Export(path)
    lines_of: dict[tuple[str, int], list[int]] = {}
    first_copy: dict[tuple[str, int], dict[str, Any]] = {}
    copies_differ: set[tuple[str, int]] = set()
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise DiffInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        try:
            for number, raw in enumerate(handle, 1):
                text = _decode_line(path, number, raw)
                if not text.strip():
                    continue
                record = _parse_line(path, number, text)
                record_id, version = record["id"], record.get("version", 1)
                key = (record_id, version)
                lines_of.setdefault(key, []).append(number)
                if key not in first_copy:
                    first_copy[key] = record
                elif record != first_copy[key]:
                    copies_differ.add(key)
                known = export.get(record_id)
                if known is None or version >= known.get("version", 1):
                    export[record_id] = record
        except OSError as exc:
            raise DiffInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    export.duplicates = [
        Duplicate(record_id, version, tuple(lines), (record_id, version) not in copies_differ)
        for (record_id, version), lines in lines_of.items()
        if len(lines) > 1
    ]
    return export


def load_records(path: Path) -> Export:
    """Records by id (see :func:`read_export`; kept for callers that want the mapping)."""
    return read_export(path)


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
        duplicates_old=list(getattr(old, "duplicates", [])),
        duplicates_new=list(getattr(new, "duplicates", [])),
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
    for label, duplicates in (("old", diff.duplicates_old), ("new", diff.duplicates_new)):
        if duplicates:
            print(f"duplicate records in {label}: {len(duplicates)}", file=out)
            for dup in duplicates[:MAX_EXAMPLES]:
                lines = ", ".join(str(n) for n in dup.lines)
                kind = "identical copies" if dup.same_content else "the copies differ"
                print(f"  {dup.id} version {dup.version}: lines {lines} ({kind})", file=out)
    for label, ids in (("only in old", diff.only_old), ("only in new", diff.only_new)):
        if ids:
            shown = ", ".join(ids[:MAX_EXAMPLES]) + (" …" if len(ids) > MAX_EXAMPLES else "")
            print(f"{label}: {len(ids)} ({shown})", file=out)
    for name, change in sorted(diff.changes.items(), key=lambda kv: (-kv[1].count, kv[0])):
        print(f"field {name}: {change.count} records changed", file=out)
        for record_id, before, after in change.examples:
            print(f"  {record_id}: {_short(before)} -> {_short(after)}", file=out)
