"""The run-state store: which articles were exported, with what content, when.

:class:`StateStore` is the interface the crawl uses; :class:`SQLiteStateStore`
implements it with one SQLite file per spider (``<state dir>/<spider>.sqlite3``).
An article is only *known* once the data file holding its line has been renamed
into place: rows are written as pending with the run id and committed together
with the file, so a run killed at any moment leaves nothing half-known.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from newscrawl.atomic import move_into_place, temp_path_for
from newscrawl.clock import compact_stamp, utc_iso


class RunStatus(StrEnum):
    """Where a run stands in the store."""

    RUNNING = "running"
    COMMITTING = "committing"
    """A data file of the run is being renamed into place."""
    COMMITTED = "committed"
    """Its data files are in place and their articles known."""
    FINISHED = "finished"
    """Ended normally without committing a data file (nothing new)."""
    FAILED = "failed"
    """Ended abnormally, or was killed and settled by :meth:`StateStore.recover`."""


@dataclass(frozen=True)
class KnownArticle:
    """What the store remembers of an exported article."""

    url: str
    id: str
    content_hash: str
    version: int
    published_date: str | None
    first_exported_at: dt.datetime
    last_checked_at: dt.datetime
    incomplete: bool = False
    """The last export lacked pages (``missing_pages``): fetch it again until complete."""


#: The record warning of an article exported without some of its pages.
MISSING_PAGES_WARNING = "missing_pages"


def record_is_incomplete(record: dict[str, Any]) -> bool:
    """True for a record exported without some of its pages (warning ``missing_pages``)."""
    return MISSING_PAGES_WARNING in (record.get("warnings") or ())


@runtime_checkable
class StateStore(Protocol):
    """Memory of exported articles and past runs, shared by the components of a crawl.

    Call order in a run: :meth:`recover` (under the run lock), :meth:`start_run`,
    :meth:`get`/:meth:`touch` and :meth:`add_pending` while crawling,
    :meth:`mark_committing` before a data file is renamed into place,
    :meth:`commit_run` after, :meth:`finish_run` at the end, :meth:`close`.
    """

    def recover(self) -> list[str]:
        """Settle runs that were killed; returns their ids."""
        ...

    def start_run(self, run_id: str, spider: str) -> None: ...

    def mark_committing(self, run_id: str, data_file: str, identity: str | None = None) -> None:
        """A data file of the run is about to be renamed into place.

        ``identity`` (:func:`file_identity` of the temporary file) lets
        :meth:`recover` tell the renamed file from one that was already there.
        """
        ...

    def commit_run(self, run_id: str, data_files: Iterable[str]) -> int:
        """The run's data files are in place: its pending articles become known; returns them."""
        ...

    def finish_run(self, run_id: str, status: RunStatus, list_items: int, articles: int) -> None:
        """Record the end of a run (a committed run stays committed)."""
        ...

    def previous_runs_found_articles(self, spider: str, run_id: str) -> bool:
        """True when an earlier run of the spider read list items."""
        ...

    def previous_run_complete(self, spider: str, run_id: str) -> bool:
        """True when the spider's latest earlier run crawled to its normal end.

        False after a run that stopped early (a file error, a shutdown, a limit) or
        was killed: its channels may hold unexported articles below list pages
        whose articles are all known.
        """
        ...

    def get(self, url: str) -> KnownArticle | None:
        """The article known under ``url``: its record URL or any URL it was asked for."""
        ...

    def touch(self, url: str) -> None:
        """A known article was fetched again and found unchanged."""
        ...

    def add_pending(self, run_id: str, record: dict[str, Any], aliases: Iterable[str] = ()) -> None:
        """Remember an exported record until its data file is committed.

        ``aliases``: other URLs the article was asked for (the list link before a
        redirect); once committed, :meth:`get` finds the article under them too. A
        record flagged ``missing_pages`` is remembered as incomplete.
        """
        ...

    def incomplete_urls(self, exported_since: dt.datetime) -> list[str]:
        """URLs of articles whose last export lacked pages, first exported since then."""
        ...

    def close(self) -> None: ...


def state_file(state_dir: Path, spider: str) -> Path:
    """``<state dir>/<spider>.sqlite3``."""
    return state_dir / f"{spider}{STATE_SUFFIX}"


def lock_file(state_dir: Path, spider: str) -> Path:
    """``<state dir>/<spider>.lock``."""
    return state_dir / f"{spider}.lock"


def file_identity(path: Path) -> str | None:
    """``<device>:<inode>`` of a regular file (kept by a rename), or None when there is none."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return f"{stat.st_dev}:{stat.st_ino}"


class StateStoreError(Exception):
    """The state store cannot be opened or used; no run proceeds with it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"state store {path}: {problem}")
        self.path = path
        self.problem = problem


#: SQLite result codes that mean the file's content is damaged (others: the disk, a lock …).
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def is_damage(error: sqlite3.Error) -> bool:
    """True when SQLite says the file is damaged or no database, not that it cannot get at it."""
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(_DAMAGE_CODES)


class StateStoreDamaged(StateStoreError):
    """The state store file is damaged (or is not a state store); the message names the way out."""

    def __str__(self) -> str:
        return f"state store {self.path} is damaged: {self.problem}. {recovery_hint(self.path)}"


def recovery_hint(path: Path) -> str:
    """The commands that check, salvage or rebuild the state store at ``path``."""
    spider, state_dir = path.name.removesuffix(STATE_SUFFIX), path.parent
    option = f" -s NEWSCRAWL_STATE_DIR={state_dir}"
    return (
        f"No run uses it until it is mended: `newscrawl state check {spider}{option}` "
        f"says what is wrong; `newscrawl state repair {spider}{option}` keeps what SQLite "
        f"can salvage, `newscrawl state rebuild {spider}{option}` makes it again from the "
        "exported feeds (both keep the damaged file as a backup)"
    )


#: Tables every state store has (others are added when missing).
REQUIRED_TABLES = ("runs", "articles")
STATE_SUFFIX = ".sqlite3"


def check_state_file(path: Path, *, thorough: bool = False) -> list[str]:
    """What is wrong with an existing state store file (an empty list when nothing is).

    ``PRAGMA quick_check`` by default (what every run does when it opens the
    store), ``PRAGMA integrity_check`` when ``thorough``. A file SQLite cannot get
    at (a full disk, no permission) raises :class:`StateStoreError`: that is not
    damage. Nothing is written
    (SQLite may fold a finished write-ahead log into the file when it closes).
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [f"cannot read: {exc.strerror or exc}"]
    if not path.is_file():
        return ["not a regular file"]
    if size == 0:
        return ["empty file (0 bytes): every article it knew is forgotten"]
    pragma = "integrity_check" if thorough else "quick_check"
    try:
        db = sqlite3.connect(str(path), timeout=30)
    except sqlite3.Error as exc:
        raise StateStoreError(path, f"cannot open: {exc}") from None
    try:
        rows = [str(row[0]) for row in db.execute(f"PRAGMA {pragma}")]
        if rows != ["ok"]:
            return rows[:20]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            return [f"not a newscrawl state store: no table {', '.join(missing)}"]
        for table in REQUIRED_TABLES:
            db.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        if not is_damage(exc):
            raise StateStoreError(path, f"cannot be read: {exc}") from None
        return [str(exc)]
    finally:
        db.close()
    return []


def new_run_id(now: dt.datetime | None = None) -> str:
    """A run id: UTC start time plus a random suffix, ``20250523T022800Z-1a2b3c4d``."""
    return f"{compact_stamp(now)}-{secrets.token_hex(4)}"


_PENDING_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    spider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,           -- a RunStatus value
    data_file TEXT,
    list_items INTEGER,
    articles INTEGER
);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    published_date TEXT,
    first_exported_at TEXT NOT NULL,
    last_exported_at TEXT NOT NULL,
    last_checked_at TEXT NOT NULL,
    incomplete INTEGER NOT NULL DEFAULT 0  -- exported with missing pages
);
CREATE TABLE IF NOT EXISTS pending (
    run_id TEXT NOT NULL,
    url TEXT NOT NULL,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    published_date TEXT,
    exported_at TEXT NOT NULL,
    incomplete INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, url)
);
-- other URLs of an article (the link a redirect started from): alias -> articles.url
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY,
    url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_aliases (
    run_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (run_id, alias)
);
-- Runs that ended (killed runs have no row): complete = 1 when the crawl reached its
-- normal end.
CREATE TABLE IF NOT EXISTS run_ends (
    run_id TEXT PRIMARY KEY,
    complete INTEGER NOT NULL
);
-- The file identity (device:inode) of each data file a run is renaming into place.
CREATE TABLE IF NOT EXISTS commit_files (
    run_id TEXT NOT NULL,
    data_file TEXT NOT NULL,
    identity TEXT,
    PRIMARY KEY (run_id, data_file)
);
"""
#: Columns added after the first release of the store: (table, column, definition).
_ADDED_COLUMNS = (
    ("articles", "incomplete", "INTEGER NOT NULL DEFAULT 0"),
    ("pending", "incomplete", "INTEGER NOT NULL DEFAULT 0"),
)


def create_state_file(path: Path) -> None:
    """A new, empty state store at ``path``, created whole (temporary file, then rename).

    So an existing state file is never legitimately empty or half made.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(path)
    try:
        db = sqlite3.connect(str(temp), isolation_level=None)
        try:
            db.executescript(_SCHEMA)
        finally:
            db.close()
        move_into_place(temp, path)
    finally:
        temp.unlink(missing_ok=True)


class SQLiteStateStore:
    """The :class:`StateStore` in an embedded SQLite file (WAL, synchronous writes)."""

    def __init__(self, path: Path, *, check: bool = True) -> None:
        """Open (or create) the store; a damaged file raises :class:`StateStoreDamaged`.

        ``check`` runs ``PRAGMA quick_check`` on an existing file first.
        """
        self.path = path
        self._pending: list[tuple[Any, ...]] = []
        self._pending_aliases: list[tuple[str, str, str]] = []
        try:
            if not os.path.lexists(path):
                create_state_file(path)
            elif check and (problems := check_state_file(path)):
                raise StateStoreDamaged(path, "; ".join(problems))
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        except OSError as exc:
            raise StateStoreError(path, f"cannot create: {exc.strerror or exc}") from None
        except sqlite3.Error as exc:
            raise StateStoreError(path, f"cannot open: {exc}") from None
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
            self._add_new_columns()
        except sqlite3.Error as exc:
            self.db.close()
            if is_damage(exc):
                raise StateStoreDamaged(path, str(exc)) from None
            raise StateStoreError(path, f"cannot be used: {exc}") from None

    def _add_new_columns(self) -> None:
        """Bring a store written by an earlier version up to the current columns."""
        for table, column, definition in _ADDED_COLUMNS:
            names = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in names:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    def close(self) -> None:
        self.db.close()

    # runs -----------------------------------------------------------------

    def recover(self) -> list[str]:
        """Settle runs that were killed; call it only while holding the run lock.

        A run killed after renaming its data file into place (status
        ``committing`` with the file present) gets its articles committed; any
        other unfinished run is marked failed and its pending rows dropped.
        """
        rows = self.db.execute(
            "SELECT run_id, status, data_file FROM runs WHERE status IN (?, ?)",
            (RunStatus.RUNNING, RunStatus.COMMITTING),
        ).fetchall()
        settled = []
        for run_id, status, data_file in rows:
            files = [f for f in (data_file or "").split(",") if f]
            if status == RunStatus.COMMITTING and files and self._renamed(run_id, files):
                self.commit_run(run_id, files)
            else:
                self.db.execute(
                    "UPDATE runs SET status = ? WHERE run_id = ?", (RunStatus.FAILED, run_id)
                )
            settled.append(run_id)
        self.db.execute("DELETE FROM pending")
        self.db.execute("DELETE FROM pending_aliases")
        self.db.execute("DELETE FROM commit_files")
        return settled

    def _renamed(self, run_id: str, files: list[str]) -> bool:
        """True when every data file of a committing run is the one it renamed into place.

        A file whose identity was recorded must still have it: a file that was
        there before (``-O`` over an old export, a directory in the way) is not
        the run's. Runs recorded before identities were kept need the file only.
        """
        identities = dict(
            self.db.execute(
                "SELECT data_file, identity FROM commit_files WHERE run_id = ?", (run_id,)
            ).fetchall()
        )
        for name in files:
            expected = identities.get(name)
            if expected is None and not Path(name).exists():
                return False
            if expected is not None and file_identity(Path(name)) != expected:
                return False
        return True

    def mark_committing(self, run_id: str, data_file: str, identity: str | None = None) -> None:
        """A data file of the run is about to be renamed into place."""
        self.flush_pending()
        if identity is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO commit_files (run_id, data_file, identity) "
                "VALUES (?, ?, ?)",
                (run_id, data_file, identity),
            )
        row = self.db.execute("SELECT data_file FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        files = [f for f in ((row[0] if row else "") or "").split(",") if f]
        files.append(data_file)
        self.db.execute(
            "UPDATE runs SET status = ?, data_file = ? WHERE run_id = ?",
            (RunStatus.COMMITTING, ",".join(dict.fromkeys(files)), run_id),
        )

    def start_run(self, run_id: str, spider: str) -> None:
        self.db.execute(
            "INSERT INTO runs (run_id, spider, started_at, status) VALUES (?, ?, ?, ?)",
            (run_id, spider, utc_iso(), RunStatus.RUNNING),
        )

    def finish_run(self, run_id: str, status: RunStatus, list_items: int, articles: int) -> None:
        """Record the end of a run (a committed run stays committed).

        A run that ends with any status but ``finished`` (or ``committed``) is
        remembered as incomplete (:meth:`previous_run_complete`).
        """
        complete = status in (RunStatus.FINISHED, RunStatus.COMMITTED)
        self.db.execute(
            "INSERT OR REPLACE INTO run_ends (run_id, complete) VALUES (?, ?)",
            (run_id, int(complete)),
        )
        self.db.execute(
            "UPDATE runs SET status = CASE WHEN status IN (?, ?) THEN status ELSE ? END, "
            "finished_at = ?, list_items = ?, articles = ? WHERE run_id = ?",
            (
                RunStatus.COMMITTED,
                RunStatus.COMMITTING,
                status,
                utc_iso(),
                list_items,
                articles,
                run_id,
            ),
        )

    def previous_run_complete(self, spider: str, run_id: str) -> bool:
        """True when the spider's latest earlier run crawled to its normal end.

        A run recorded before ends were kept counts as complete when it finished or committed.
        """
        row = self.db.execute(
            "SELECT e.complete, r.status FROM runs r LEFT JOIN run_ends e ON e.run_id = r.run_id "
            "WHERE r.spider = ? AND r.run_id != ? ORDER BY r.started_at DESC, r.rowid DESC "
            "LIMIT 1",
            (spider, run_id),
        ).fetchone()
        if row is None:
            return True
        complete, status = row
        if complete is None:  # killed (recovered as failed), or from an earlier version
            return status in (RunStatus.COMMITTED, RunStatus.FINISHED)
        return complete == 1

    def previous_runs_found_articles(self, spider: str, run_id: str) -> bool:
        """True when an earlier finished run of the spider read list items."""
        row = self.db.execute(
            "SELECT 1 FROM runs WHERE spider = ? AND run_id != ? AND list_items > 0 LIMIT 1",
            (spider, run_id),
        ).fetchone()
        return row is not None

    # articles ---------------------------------------------------------------

    def get(self, url: str) -> KnownArticle | None:
        """The article known under ``url``: its record URL or any URL it was asked for."""
        columns = (
            "SELECT a.url, a.id, a.content_hash, a.version, a.published_date, "
            "a.first_exported_at, a.last_checked_at, a.incomplete FROM articles a "
        )
        row = self.db.execute(columns + "WHERE a.url = ?", (url,)).fetchone()
        if row is None:
            row = self.db.execute(
                columns + "JOIN aliases l ON l.url = a.url WHERE l.alias = ?", (url,)
            ).fetchone()
        if row is None:
            return None
        return KnownArticle(
            url=row[0],
            id=row[1],
            content_hash=row[2],
            version=row[3],
            published_date=row[4],
            first_exported_at=dt.datetime.fromisoformat(row[5]),
            last_checked_at=dt.datetime.fromisoformat(row[6]),
            incomplete=bool(row[7]),
        )

    def incomplete_urls(self, exported_since: dt.datetime) -> list[str]:
        """URLs of articles whose last export lacked pages, first exported since then."""
        rows = self.db.execute(
            "SELECT url FROM articles WHERE incomplete = 1 AND first_exported_at >= ? "
            "ORDER BY first_exported_at",
            (utc_iso(exported_since),),
        )
        return [row[0] for row in rows]

    def touch(self, url: str) -> None:
        """Record that a known article was fetched again and found unchanged."""
        self.db.execute("UPDATE articles SET last_checked_at = ? WHERE url = ?", (utc_iso(), url))

    def add_pending(self, run_id: str, record: dict[str, Any], aliases: Iterable[str] = ()) -> None:
        """Remember an exported record (and the other URLs it was asked for) until its
        data file is committed; a record flagged ``missing_pages`` stays incomplete.

        Rows are written in batches: they only have to be on disk before the
        data file is renamed (:meth:`mark_committing`), and a run killed earlier
        drops them anyway.
        """
        url = record["url"]
        self._pending.append(
            (
                run_id,
                url,
                record["id"],
                record["content_hash"],
                record.get("version", 1),
                record.get("published_date"),
                utc_iso(),
                int(record_is_incomplete(record)),
            )
        )
        self._pending_aliases.extend((run_id, alias, url) for alias in aliases if alias != url)
        if len(self._pending) >= _PENDING_BATCH:
            self.flush_pending()

    def flush_pending(self) -> None:
        """Write the buffered pending rows in one transaction."""
        if not self._pending and not self._pending_aliases:
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO pending (run_id, url, id, content_hash, version, "
                "published_date, exported_at, incomplete) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                self._pending,
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO pending_aliases (run_id, alias, url) VALUES (?, ?, ?)",
                self._pending_aliases,
            )
        self._pending.clear()
        self._pending_aliases.clear()

    def commit_run(self, run_id: str, data_files: Iterable[str]) -> int:
        """The run's data files are in place: its pending articles become known."""
        self.flush_pending()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            count = self.db.execute(
                "SELECT COUNT(*) FROM pending WHERE run_id = ?", (run_id,)
            ).fetchone()[0]
            self.db.execute(
                "INSERT INTO articles (url, id, content_hash, version, published_date, "
                "first_exported_at, last_exported_at, last_checked_at, incomplete) "
                "SELECT url, id, content_hash, version, published_date, exported_at, "
                "exported_at, exported_at, incomplete FROM pending WHERE run_id = ? "
                "ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash, "
                "version = excluded.version, last_exported_at = excluded.last_exported_at, "
                "last_checked_at = excluded.last_checked_at, incomplete = excluded.incomplete",
                (run_id,),
            )
            self.db.execute(
                "INSERT OR REPLACE INTO aliases (alias, url) "
                "SELECT alias, url FROM pending_aliases WHERE run_id = ?",
                (run_id,),
            )
            self.db.execute("DELETE FROM pending WHERE run_id = ?", (run_id,))
            self.db.execute("DELETE FROM pending_aliases WHERE run_id = ?", (run_id,))
            self.db.execute("DELETE FROM commit_files WHERE run_id = ?", (run_id,))
            self.db.execute(
                "UPDATE runs SET status = ?, data_file = ? WHERE run_id = ?",
                (RunStatus.COMMITTED, ",".join(dict.fromkeys(data_files)), run_id),
            )
        return count
