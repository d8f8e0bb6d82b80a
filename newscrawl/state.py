"""The run-state store: which articles were exported, with what content, when.

One SQLite file per spider under ``NEWSCRAWL_STATE_DIR``. An article is only
*known* once the data file holding its line has been renamed into place: rows
are written as pending with the run id and committed together with the file,
so a run killed at any moment leaves nothing half-known.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

_PENDING_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    spider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,           -- running | committed | failed
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
    last_checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
    run_id TEXT NOT NULL,
    url TEXT NOT NULL,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    published_date TEXT,
    exported_at TEXT NOT NULL,
    PRIMARY KEY (run_id, url)
);
"""


def incremental_enabled(settings: Any) -> bool:
    """State is used unless ``NEWSCRAWL_INCREMENTAL`` is off or the run replays archives."""
    return settings.getbool("NEWSCRAWL_INCREMENTAL") and not settings.getlist("NEWSCRAWL_REPLAY")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


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


class StateStore:
    """SQLite-backed memory of exported articles and past runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._pending: list[tuple[Any, ...]] = []

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
            "SELECT run_id, status, data_file FROM runs WHERE status IN ('running', 'committing')"
        ).fetchall()
        settled = []
        for run_id, status, data_file in rows:
            files = [f for f in (data_file or "").split(",") if f]
            if status == "committing" and files and all(Path(f).exists() for f in files):
                self.commit_run(run_id, files)
            else:
                self.db.execute("UPDATE runs SET status = 'failed' WHERE run_id = ?", (run_id,))
            settled.append(run_id)
        self.db.execute("DELETE FROM pending")
        return settled

    def mark_committing(self, run_id: str, data_file: str) -> None:
        """A data file of the run is about to be renamed into place."""
        self.flush_pending()
        row = self.db.execute("SELECT data_file FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        files = [f for f in ((row[0] if row else "") or "").split(",") if f]
        files.append(data_file)
        self.db.execute(
            "UPDATE runs SET status = 'committing', data_file = ? WHERE run_id = ?",
            (",".join(dict.fromkeys(files)), run_id),
        )

    def start_run(self, run_id: str, spider: str) -> None:
        self.db.execute(
            "INSERT INTO runs (run_id, spider, started_at, status) VALUES (?, ?, ?, 'running')",
            (run_id, spider, utc_now().isoformat()),
        )

    def finish_run(self, run_id: str, status: str, list_items: int, articles: int) -> None:
        self.db.execute(
            "UPDATE runs SET status = CASE WHEN status IN ('committed', 'committing') "
            "THEN status ELSE ? END, "
            "finished_at = ?, list_items = ?, articles = ? WHERE run_id = ?",
            (status, utc_now().isoformat(), list_items, articles, run_id),
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
        row = self.db.execute(
            "SELECT url, id, content_hash, version, published_date, first_exported_at, "
            "last_checked_at FROM articles WHERE url = ?",
            (url,),
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
        )

    def touch(self, url: str) -> None:
        """Record that a known article was fetched again and found unchanged."""
        self.db.execute(
            "UPDATE articles SET last_checked_at = ? WHERE url = ?", (utc_now().isoformat(), url)
        )

    def add_pending(self, run_id: str, record: dict[str, Any]) -> None:
        """Remember an exported record until its data file is committed.

        Rows are written in batches: they only have to be on disk before the
        data file is renamed (:meth:`mark_committing`), and a run killed earlier
        drops them anyway.
        """
        self._pending.append(
            (
                run_id,
                record["url"],
                record["id"],
                record["content_hash"],
                record.get("version", 1),
                record.get("published_date"),
                utc_now().isoformat(),
            )
        )
        if len(self._pending) >= _PENDING_BATCH:
            self.flush_pending()

    def flush_pending(self) -> None:
        """Write the buffered pending rows in one transaction."""
        if not self._pending:
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO pending (run_id, url, id, content_hash, version, "
                "published_date, exported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self._pending,
            )
        self._pending.clear()

    def commit_run(self, run_id: str, data_files: Iterable[str]) -> int:
        """The run's data file is in place: its pending articles become known."""
        self.flush_pending()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            count = self.db.execute(
                "SELECT COUNT(*) FROM pending WHERE run_id = ?", (run_id,)
            ).fetchone()[0]
            self.db.execute(
                "INSERT INTO articles (url, id, content_hash, version, published_date, "
                "first_exported_at, last_exported_at, last_checked_at) "
                "SELECT url, id, content_hash, version, published_date, exported_at, "
                "exported_at, exported_at FROM pending WHERE run_id = ? "
                "ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash, "
                "version = excluded.version, last_exported_at = excluded.last_exported_at, "
                "last_checked_at = excluded.last_checked_at",
                (run_id,),
            )
            self.db.execute("DELETE FROM pending WHERE run_id = ?", (run_id,))
            self.db.execute(
                "UPDATE runs SET status = 'committed', data_file = ? WHERE run_id = ?",
                (",".join(dict.fromkeys(data_files)), run_id),
            )
        return count


_STORES: WeakKeyDictionary[Any, StateStore] = WeakKeyDictionary()


def state_path(settings: Any, spider_name: str) -> Path:
    """``<NEWSCRAWL_STATE_DIR>/<spider>.sqlite3``."""
    return Path(settings.get("NEWSCRAWL_STATE_DIR") or "state") / f"{spider_name}.sqlite3"


def store_for(crawler: Any) -> StateStore:
    """The state store of a crawler's run (opened once, shared by its components).

    With ``NEWSCRAWL_REDIS_URL`` set, the shared Redis store of the worker.
    """
    if crawler.settings.get("NEWSCRAWL_REDIS_URL"):
        from newscrawl.distributed.crawling.worker import worker_of

        return worker_of(crawler).store  # type: ignore[return-value]
    store = _STORES.get(crawler)
    if store is None:
        store = StateStore(state_path(crawler.settings, crawler.spidercls.name))
        _STORES[crawler] = store
    return store


_RUN_IDS: WeakKeyDictionary[Any, str] = WeakKeyDictionary()


def run_id_for(crawler: Any) -> str:
    """The id of a crawler's run: UTC start time plus a random suffix.

    With ``NEWSCRAWL_REDIS_URL`` set, the id of the shared run the worker joined.
    """
    if crawler.settings.get("NEWSCRAWL_REDIS_URL"):
        from newscrawl.distributed.crawling.worker import worker_of

        return worker_of(crawler).run_id
    run_id = _RUN_IDS.get(crawler)
    if run_id is None:
        import secrets

        run_id = f"{utc_now().strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"
        _RUN_IDS[crawler] = run_id
    return run_id
