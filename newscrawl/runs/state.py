"""The run-state store: which articles were exported, with what content, when.

:class:`StateStore` is the interface the crawl uses; :class:`SQLiteStateStore`
implements it with one SQLite file per spider (``<state dir>/<spider>.sqlite3``).
An article is only *known* once the data file holding its line has been renamed
into place: rows are written as pending with the run id and committed together
with the file, so a run killed at any moment leaves nothing half-known.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

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

    def mark_committing(self, run_id: str, data_file: str) -> None:
        """A data file of the run is about to be renamed into place."""
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
    return state_dir / f"{spider}.sqlite3"


def lock_file(state_dir: Path, spider: str) -> Path:
    """``<state dir>/<spider>.lock``."""
    return state_dir / f"{spider}.lock"


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
"""
#: Columns added after the first release of the store: (table, column, definition).
_ADDED_COLUMNS = (
    ("articles", "incomplete", "INTEGER NOT NULL DEFAULT 0"),
    ("pending", "incomplete", "INTEGER NOT NULL DEFAULT 0"),
)


class SQLiteStateStore:
    """The :class:`StateStore` in an embedded SQLite file (WAL, synchronous writes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._add_new_columns()
        self._pending: list[tuple[Any, ...]] = []
        self._pending_aliases: list[tuple[str, str, str]] = []

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
            if status == RunStatus.COMMITTING and files and all(Path(f).exists() for f in files):
                self.commit_run(run_id, files)
            else:
                self.db.execute(
                    "UPDATE runs SET status = ? WHERE run_id = ?", (RunStatus.FAILED, run_id)
                )
            settled.append(run_id)
        self.db.execute("DELETE FROM pending")
        self.db.execute("DELETE FROM pending_aliases")
        return settled

    def mark_committing(self, run_id: str, data_file: str) -> None:
        """A data file of the run is about to be renamed into place."""
        self.flush_pending()
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
        """Record the end of a run (a committed run stays committed)."""
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
            self.db.execute(
                "UPDATE runs SET status = ?, data_file = ? WHERE run_id = ?",
                (RunStatus.COMMITTED, ",".join(dict.fromkeys(data_files)), run_id),
            )
        return count
