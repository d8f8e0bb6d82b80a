"""Where the run history of a crawl lives: the embedded SQLite file, or Redis in a shared
crawl (``NEWSCRAWL_REDIS_URL``), so that every worker's runs feed one baseline and one
report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscrawl.runs.history import RunHistory, history_path, open_history


@dataclass(frozen=True)
class HistoryLocation:
    """A SQLite file, or a Redis server (``redis_url``) under ``redis_prefix``."""

    path: Path
    redis_url: str | None = None
    redis_prefix: str = "newscrawl"

    @classmethod
    def from_settings(cls, settings: Any) -> HistoryLocation:
        """The history of a crawl with these settings: Redis when the crawl is shared,
        else ``NEWSCRAWL_DRIFT_HISTORY_FILE`` or ``<NEWSCRAWL_STATE_DIR>/health.sqlite3``."""
        path = history_path(
            settings.get("NEWSCRAWL_STATE_DIR"), settings.get("NEWSCRAWL_DRIFT_HISTORY_FILE")
        )
        return cls(
            path,
            settings.get("NEWSCRAWL_REDIS_URL") or None,
            settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl",
        )

    def describe(self) -> str:
        """The location for messages (no password)."""
        if self.redis_url is None:
            return str(self.path)
        from newscrawl.distributed.connection import describe

        return f"{describe(self.redis_url)} (prefix {self.redis_prefix})"

    def exists(self) -> bool:
        """False when the embedded file was never written (a Redis history may be empty)."""
        return self.redis_url is not None or self.path.is_file()

    def open(self) -> RunHistory:
        """The history at this location; Redis is imported only for a Redis location."""
        if self.redis_url is None:
            return open_history(self.path)
        from newscrawl.distributed.history import RedisRunHistory

        return RedisRunHistory.from_url(self.redis_url, self.redis_prefix)
