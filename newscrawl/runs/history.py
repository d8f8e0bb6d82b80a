"""Per-site history of runs: their statistics, verdict and drift alarms.

The drift checks compare a run with the site's recent healthy runs, and the health
report draws the history over time. :class:`RunHistory` is the interface; the
embedded implementation is one SQLite file (``<NEWSCRAWL_STATE_DIR>/health.sqlite3``
unless ``NEWSCRAWL_DRIFT_HISTORY_FILE`` names another), separate from the
incremental state store. A shared (Redis) history for distributed crawls is to
implement the same protocol.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from newscrawl.runs.drift import Alarm
from newscrawl.runs.stats import RunStats

logger = logging.getLogger(__name__)

HISTORY_FILE_NAME = "health.sqlite3"

#: Runs kept per site; older ones are dropped when a run is added.
DEFAULT_KEEP_RUNS = 1000


@dataclass
class RunSummary:
    """What the history keeps of one finished run."""

    site: str
    run_id: str
    started_at: str
    """ISO 8601 UTC."""
    finished_at: str | None
    stats: RunStats
    exit_code: int | None = None
    healthy: bool = True
    """Feeds the baseline of later runs (exit 0 and no drift alarm, or accepted by hand)."""
    drift_status: str = ""
    alarms: list[Alarm] = field(default_factory=list)
    errors: int = 0
    """Failed article fetches and spider exceptions."""
    requests: int = 0
    data_file: str | None = None
    manifest: str | None = None

    @property
    def records(self) -> int:
        return self.stats.records

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (:meth:`from_dict` reads it back)."""
        return {
            "site": self.site,
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "stats": self.stats.to_dict(),
            "exit_code": self.exit_code,
            "healthy": self.healthy,
            "drift_status": self.drift_status,
            "alarms": [alarm.to_dict() for alarm in self.alarms],
            "errors": self.errors,
            "requests": self.requests,
            "data_file": self.data_file,
            "manifest": self.manifest,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSummary:
        """A summary written by :meth:`to_dict` (ValueError, TypeError or KeyError if not)."""
        return cls(
            site=data["site"],
            run_id=data["run_id"],
            started_at=data["started_at"],
            finished_at=data.get("finished_at"),
            stats=RunStats.from_dict(data["stats"]),
            exit_code=data.get("exit_code"),
            healthy=bool(data.get("healthy")),
            drift_status=data.get("drift_status", ""),
            alarms=[Alarm.from_dict(a) for a in data.get("alarms", [])],
            errors=int(data.get("errors", 0)),
            requests=int(data.get("requests", 0)),
            data_file=data.get("data_file"),
            manifest=data.get("manifest"),
        )


class HistoryUnavailable(OSError):
    """The run history cannot be read or written (its store is unreachable)."""


class RunHistory(Protocol):
    """Where run summaries are kept, per site, newest first.

    Implementations: :class:`SQLiteRunHistory` (embedded, the default) and
    :class:`~newscrawl.distributed.history.RedisRunHistory` (shared crawls).
    Failures to reach the store raise ``sqlite3.Error`` or ``OSError``
    (:class:`HistoryUnavailable`).
    """

    def add(self, run: RunSummary) -> None:
        """Store a finished run (replacing one with the same site and run id)."""

    def recent(self, site: str, limit: int) -> list[RunSummary]:
        """The site's latest runs, newest first."""

    def healthy(self, site: str, limit: int) -> list[RunSummary]:
        """The site's latest healthy runs, newest first (the baseline's candidates)."""

    def sites(self) -> list[str]:
        """Sites with at least one run, sorted."""

    def mark_healthy(self, site: str, run_id: str) -> bool:
        """Let a run feed the baseline (the operator accepts a changed site); False if unknown."""

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    site TEXT NOT NULL,
    run_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    records INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    exit_code INTEGER,
    healthy INTEGER NOT NULL,
    drift_status TEXT NOT NULL,
    alarms TEXT NOT NULL,
    stats TEXT NOT NULL,
    data_file TEXT,
    manifest TEXT,
    PRIMARY KEY (site, run_id)
);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs (site, started_at);
"""

_COLUMNS = (
    "site, run_id, started_at, finished_at, exit_code, healthy, drift_status, alarms, stats, "
    "errors, requests, data_file, manifest"
)


class SQLiteRunHistory:
    """The run history in one SQLite file (WAL; several spiders may write at once)."""

    def __init__(self, path: Path, keep_runs: int = DEFAULT_KEEP_RUNS) -> None:
        self.path = Path(path)
        self.keep_runs = keep_runs
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)

    def __enter__(self) -> SQLiteRunHistory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def add(self, run: RunSummary) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR REPLACE INTO runs (site, run_id, started_at, finished_at, records, "
                "errors, requests, exit_code, healthy, drift_status, alarms, stats, data_file, "
                "manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.site,
                    run.run_id,
                    run.started_at,
                    run.finished_at,
                    run.records,
                    run.errors,
                    run.requests,
                    run.exit_code,
                    int(run.healthy),
                    run.drift_status,
                    json.dumps([a.to_dict() for a in run.alarms], ensure_ascii=False),
                    json.dumps(run.stats.to_dict(), ensure_ascii=False),
                    run.data_file,
                    run.manifest,
                ),
            )
            self.db.execute(
                "DELETE FROM runs WHERE site = ? AND run_id NOT IN (SELECT run_id FROM runs "
                "WHERE site = ? ORDER BY started_at DESC, rowid DESC LIMIT ?)",
                (run.site, run.site, self.keep_runs),
            )

    def _select(self, where: str, args: Sequence[Any], limit: int) -> list[RunSummary]:
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM runs WHERE {where} "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (*args, limit),
        ).fetchall()
        runs = []
        for row in rows:
            run = _summary(row)
            if run is not None:
                runs.append(run)
        return runs

    def recent(self, site: str, limit: int) -> list[RunSummary]:
        return self._select("site = ?", (site,), limit)

    def healthy(self, site: str, limit: int) -> list[RunSummary]:
        return self._select("site = ? AND healthy = 1", (site,), limit)

    def sites(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT DISTINCT site FROM runs ORDER BY site")]

    def mark_healthy(self, site: str, run_id: str) -> bool:
        with self.db:
            changed = self.db.execute(
                "UPDATE runs SET healthy = 1 WHERE site = ? AND run_id = ?", (site, run_id)
            ).rowcount
        return changed > 0


def readable_summary(site: str, run_id: str, data: str | dict[str, Any]) -> RunSummary | None:
    """A stored summary (its JSON text, or the data with ``stats`` and ``alarms`` as JSON
    text); None, logged, when it is damaged."""
    try:
        if isinstance(data, str):
            data = json.loads(data)
        else:
            data = {**data, "stats": json.loads(data["stats"])}
            data["alarms"] = json.loads(data["alarms"])
        return RunSummary.from_dict(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        logger.warning("run history: run %s of %s is unreadable (%s), skipped", run_id, site, exc)
        return None


def _summary(row: Sequence[Any]) -> RunSummary | None:
    """A stored row as a summary; None (logged) when its JSON is damaged."""
    data = dict(zip(_COLUMNS.split(", "), row, strict=True))
    return readable_summary(data["site"], data["run_id"], data)


def history_path(state_dir: str | Path | None, history_file: str | Path | None = None) -> Path:
    """``history_file`` when given, else ``<state_dir>/health.sqlite3``."""
    if history_file:
        return Path(history_file)
    return Path(state_dir or "state") / HISTORY_FILE_NAME


def open_history(path: Path) -> RunHistory:
    """The run history stored at ``path`` (the embedded SQLite history)."""
    return SQLiteRunHistory(path)
