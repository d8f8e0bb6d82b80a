"""Check, repair and rebuild a spider's state store (``newscrawl state check|repair|rebuild``).

* :func:`describe_state` reads the store without changing it: SQLite's
  ``integrity_check``, the tables a state store needs, its article and run counts.
* :func:`repair_state` keeps every row SQLite can still read from a damaged
  file (reading goes on past damaged pages).
* :func:`rebuild_state` makes a new store from the feeds already written: every
  exported line holds the article's ``id``, ``url``, ``content_hash`` and
  ``version``, so the state can always be made again from them.

Both repair and rebuild hold the run lock (no run uses the store meanwhile),
build the new store under a temporary name, move the old file (with its
``-wal``/``-shm`` companions) aside as ``<file>.backup-<UTC time>`` and rename
the new one into place.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.atomic import move_into_place, remove_stale_temp_files, temp_path_for
from newscrawl.clock import compact_stamp
from newscrawl.runs.state import (
    RunStatus,
    SQLiteStateStore,
    StateStoreError,
    check_state_file,
    new_run_id,
)

#: SQLite's companion files of a database in WAL mode.
_COMPANIONS = ("-wal", "-shm")
#: Data files of a feed directory that rebuild reads (hidden temporary files are not).
DATA_FILE_PATTERN = "*.jsonl"
_SHOWN_PROBLEMS = 10


class StateToolError(Exception):
    """A state command could not do its work; the message says why."""


@dataclass
class StateDescription:
    """What ``state check`` found."""

    path: Path
    exists: bool
    problems: list[str] = field(default_factory=list)
    articles: int = 0
    runs: int = 0
    last_run: tuple[str, str] | None = None
    """(run id, status) of the latest run."""

    @property
    def healthy(self) -> bool:
        return not self.problems


def describe_state(path: Path) -> StateDescription:
    """Check a state store thoroughly (``integrity_check``) without changing it."""
    if not os.path.lexists(path):
        return StateDescription(path, exists=False)
    try:
        problems = check_state_file(path, thorough=True)
    except StateStoreError as exc:
        raise StateToolError(str(exc)) from None
    found = StateDescription(path, exists=True, problems=problems)
    if found.problems:
        return found
    db = sqlite3.connect(str(path), timeout=30)
    try:
        found.articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        found.runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        row = db.execute("SELECT run_id, status FROM runs ORDER BY started_at DESC LIMIT 1")
        found.last_run = row.fetchone()
    except sqlite3.Error as exc:
        found.problems.append(str(exc))
    finally:
        db.close()
    return found


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in _COMPANIONS]


def backup_state(path: Path) -> Path | None:
    """Move the store and its ``-wal``/``-shm`` files aside as ``<name>.backup-<UTC time>``.

    Returns the backup's path (None when there was no store). The companions
    keep their suffixes, so SQLite opens the backup as it was.
    """
    if not os.path.lexists(path):
        return None
    backup = path.with_name(f"{path.name}.backup-{compact_stamp()}")
    for source, target in zip(
        [path, *_companions(path)], [backup, *_companions(backup)], strict=True
    ):
        if os.path.lexists(source):
            os.replace(source, target)
    return backup


def _remove_leftovers(state_dir: Path) -> None:
    """Temporary stores of killed state commands, with their SQLite companions."""
    for temp in remove_stale_temp_files(state_dir):
        for companion in _companions(temp):
            companion.unlink(missing_ok=True)


def _install(new: Path, path: Path) -> Path | None:
    """Put the finished store ``new`` in place of ``path``, keeping the old one as a backup."""
    for companion in _companions(new):
        if companion.exists():
            raise StateToolError(f"{companion} was left behind: the new store is not complete")
    backup = backup_state(path)
    move_into_place(new, path)
    return backup


@dataclass
class RepairResult:
    """What ``state repair`` salvaged."""

    articles: int
    runs: int
    backup: Path | None
    problems: list[str]
    """What the integrity check found in the damaged file."""


#: Tables whose rows repair salvages (a run's pending rows are dropped on every start anyway).
SALVAGED_TABLES = ("articles", "aliases", "runs", "run_ends")
_BATCH = 500
#: How far past a damaged spot repair looks for readable rows (rowids up to 2**40).
_MAX_JUMP_BITS = 40


def _salvage_rows(source: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[tuple]:
    """The rows of ``table`` SQLite can still read, in rowid order, jumping over damage."""
    names = ", ".join(columns)
    query = f"SELECT rowid, {names} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT {_BATCH}"
    last = 0
    while True:
        try:
            rows = source.execute(query, (last,)).fetchall()
        except sqlite3.DatabaseError:
            rows = None
        if rows:
            for row in rows:
                yield row[1:]
            last = rows[-1][0]
            continue
        if rows == []:
            return
        for bits in range(_MAX_JUMP_BITS):  # past the damaged page(s): look further on
            try:
                source.execute(
                    f"SELECT 1 FROM {table} WHERE rowid > ? LIMIT 1", (last + (1 << bits),)
                ).fetchall()
            except sqlite3.DatabaseError:
                continue
            last += 1 << bits
            break
        else:
            return


def _salvage(path: Path, new: Path) -> dict[str, int]:
    """Copy every readable row of the salvaged tables of ``path`` into the new store ``new``."""
    counts = dict.fromkeys(SALVAGED_TABLES, 0)
    store = SQLiteStateStore(new, check=False)
    store.close()
    source = sqlite3.connect(str(path), timeout=30)
    target = sqlite3.connect(str(new), isolation_level=None)
    try:
        for table in SALVAGED_TABLES:
            try:
                found = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
            except sqlite3.DatabaseError:
                continue
            wanted = {r[1] for r in target.execute(f"PRAGMA table_info({table})")}
            columns = [c for c in found if c in wanted]
            if not columns:
                continue
            marks = ", ".join("?" * len(columns))
            insert = f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            target.execute("BEGIN")
            for row in _salvage_rows(source, table, columns):
                try:
                    target.execute(insert, row)
                except sqlite3.Error:
                    continue  # a damaged row that breaks a constraint (NOT NULL …)
                counts[table] += 1
            target.execute("COMMIT")
        target.execute("PRAGMA journal_mode=DELETE")
        problems = [r[0] for r in target.execute("PRAGMA integrity_check")]
    finally:
        source.close()
        target.close()
    if problems != ["ok"]:
        raise StateToolError(f"the salvaged store fails its integrity check: {problems[:3]}")
    return counts


def repair_state(path: Path) -> RepairResult:
    """Salvage every row SQLite can still read from the store at ``path`` into a new store.

    Rows of the :data:`SALVAGED_TABLES` are read in rowid order; a damaged page
    is skipped and reading goes on past it. Raises :class:`StateToolError` when
    there is no store, when the store is not damaged, or when no article at all
    could be salvaged (the damaged file then stays where it is; ``rebuild`` is
    the way out).
    """
    if not os.path.lexists(path):
        raise StateToolError(f"no state store at {path}")
    try:
        problems = check_state_file(path, thorough=True)
    except StateStoreError as exc:
        raise StateToolError(str(exc)) from None
    if not problems:
        raise StateToolError(f"{path} is not damaged (integrity_check: ok); nothing to repair")
    _remove_leftovers(path.parent)
    new = temp_path_for(path)
    new.unlink(missing_ok=True)
    try:
        counts = _salvage(path, new)
        if not counts["articles"]:
            raise StateToolError(
                f"no article could be salvaged from {path} ({'; '.join(problems[:3])}); it "
                "stays as it is. `newscrawl state rebuild` makes the state again from the "
                "exported feeds"
            )
        backup = _install(new, path)
    finally:
        new.unlink(missing_ok=True)
        for companion in _companions(new):
            companion.unlink(missing_ok=True)
    return RepairResult(counts["articles"], counts["runs"], backup, problems[:_SHOWN_PROBLEMS])


@dataclass
class RebuildResult:
    """What ``state rebuild`` read and made."""

    files: list[Path]
    lines: int
    articles: int
    older_versions: int
    other_sites: int
    unreadable: list[str]
    backup: Path | None


def data_files(sources: Iterable[Path]) -> list[Path]:
    """The data files of the given files and directories (``*.jsonl``, hidden ones left out)."""
    found: list[Path] = []
    for source in sources:
        if source.is_dir():
            candidates = sorted(source.glob(DATA_FILE_PATTERN))
        elif source.is_file():
            candidates = [source]
        else:
            continue
        for candidate in candidates:
            if (
                candidate.is_file()
                and not candidate.name.startswith(".")
                and candidate not in found
            ):
                found.append(candidate)
    return found


def _lines(files: list[Path], unreadable: list[str]) -> Iterator[dict[str, Any]]:
    """Every record of the files; a line that is not a whole record is noted, not raised."""
    for file in files:
        with file.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                    unreadable.append(f"{file}:{number}: {type(exc).__name__}")
                    continue
                if not isinstance(record, dict) or not all(
                    isinstance(record.get(k), str) and record.get(k) for k in _REQUIRED
                ):
                    unreadable.append(f"{file}:{number}: not an article record")
                    continue
                yield record


#: Fields a line needs for the state to know its article.
_REQUIRED = ("id", "url", "content_hash")


def _version(record: dict[str, Any]) -> int:
    value = record.get("version", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def latest_versions(
    files: list[Path], site: str, unreadable: list[str]
) -> tuple[dict[str, dict[str, Any]], int, int, int]:
    """The latest exported line of every article id of ``site``.

    The latest is the highest ``version``; among lines of the same version the
    one with the latest ``updated_at`` (else ``crawled_at``); then the one read
    last (files in the given order, lines in file order). Returns the lines by
    id, the number of lines read, of older versions passed over, and of lines of
    other sites.
    """
    latest: dict[str, dict[str, Any]] = {}
    lines = older = other = 0
    for record in _lines(files, unreadable):
        lines += 1
        if record.get("site") != site:
            other += 1
            continue
        key = record["id"]
        known = latest.get(key)
        if known is not None:
            older += 1
            if _order(record) < _order(known):
                continue
        latest[key] = record
    return latest, lines, older, other


def _order(record: dict[str, Any]) -> tuple[int, str]:
    return _version(record), str(record.get("updated_at") or record.get("crawled_at") or "")


def rebuild_state(path: Path, spider: str, sources: Iterable[Path]) -> RebuildResult:
    """A new store at ``path`` knowing the latest exported version of every article.

    ``sources`` are feed files or directories (their ``*.jsonl`` files are read).
    The articles are recorded as one committed run of the spider, through the
    store's own interface (so they are keyed exactly as a crawl keys them).
    """
    files = data_files(sources)
    unreadable: list[str] = []
    latest, lines, older, other = latest_versions(files, spider, unreadable)
    _remove_leftovers(path.parent)
    new = temp_path_for(path)
    new.unlink(missing_ok=True)
    try:
        store = SQLiteStateStore(new, check=False)
        try:
            run_id = new_run_id()
            store.start_run(run_id, spider)
            for record in latest.values():
                store.add_pending(run_id, {**record, "version": _version(record)})
            store.commit_run(run_id, [str(f) for f in files])
            # list items = the articles the feeds hold, so a later run whose list
            # pages hold no links is still told apart from a new spider (exit 3);
            # ended as incomplete, so the next run reads every list page once
            store.finish_run(run_id, RunStatus.FAILED, len(latest), len(latest))
        finally:
            store.close()
        backup = _install(new, path)
    finally:
        new.unlink(missing_ok=True)
        for companion in _companions(new):
            companion.unlink(missing_ok=True)
    return RebuildResult(files, lines, len(latest), older, other, unreadable, backup)
