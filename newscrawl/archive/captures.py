"""The newest archived payload of each URL in an archive directory, kept across runs.

The writer asks it whether a response's payload was archived before (to write a
revisit record instead). It is a cache of the CDXJ indexes beside the archives
(``captures.sqlite3`` in the archive directory): deleting it loses nothing, the
next run reads the indexes again, and archives without an index get one.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from newscrawl.archive.cdxj import CDXJ_SUFFIX, index_path_for, read_cdxj
from newscrawl.archive.warc import WARC_SUFFIX, read_record_headers, write_index_beside

logger = logging.getLogger(__name__)

INDEX_FILE = "captures.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    url TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    date TEXT,
    record_id TEXT
);
CREATE TABLE IF NOT EXISTS indexes (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class PayloadCapture:
    """The record that holds a URL's last archived payload."""

    url: str
    digest: str
    date: str
    """Its WARC-Date."""
    record_id: str | None
    file: str


class CaptureIndex:
    """URL → the newest response with a payload, over every archive in ``directory``."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.db = sqlite3.connect(directory / INDEX_FILE, timeout=30)
        self.db.executescript(_SCHEMA)
        self.pending: dict[str, PayloadCapture] = {}
        self.refresh()

    def refresh(self) -> None:
        """Index archives that have no CDXJ index yet, and read the indexes not read before."""
        for archive in sorted(self.directory.glob(f"*{WARC_SUFFIX}")):
            if index_path_for(archive).exists():
                continue
            logger.info("Writing the missing CDXJ index of %s", archive)
            try:
                write_index_beside(archive)
            except Exception as exc:  # a damaged old archive must not stop the crawl
                logger.error("Cannot index %s: %s", archive, exc)
        for index in sorted(self.directory.glob(f"*{CDXJ_SUFFIX}")):
            stat = index.stat()
            seen = self.db.execute(
                "SELECT size, mtime_ns FROM indexes WHERE name = ?", (index.name,)
            ).fetchone()
            if seen != (stat.st_size, stat.st_mtime_ns):
                self.add_index(index)

    def add_index(self, index: Path) -> None:
        """Read one CDXJ index: every 200 response in it becomes its URL's capture if newer."""
        stat = index.stat()
        files = set()
        with self.db:
            for entry in read_cdxj(index):
                files.add(entry.filename)
                if entry.is_revisit or entry.status != "200" or not entry.digest:
                    continue
                self.db.execute(
                    "INSERT INTO captures (url, digest, timestamp, file, offset) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
                    "digest = excluded.digest, timestamp = excluded.timestamp, "
                    "file = excluded.file, offset = excluded.offset, date = NULL, "
                    "record_id = NULL WHERE excluded.timestamp >= captures.timestamp",
                    (entry.url, entry.digest, entry.timestamp, entry.filename, entry.offset),
                )
            self.db.execute(
                "INSERT OR REPLACE INTO indexes (name, size, mtime_ns) VALUES (?, ?, ?)",
                (index.name, stat.st_size, stat.st_mtime_ns),
            )
        for url in [u for u, c in self.pending.items() if c.file in files]:
            del self.pending[url]

    def remember(self, url: str, digest: str, date: str, record_id: str, file: str) -> None:
        """A payload just written to the open archive ``file``."""
        self.pending[url] = PayloadCapture(url, digest, date, record_id, file)

    def previous(self, url: str) -> PayloadCapture | None:
        """The newest archived payload of ``url``, or None."""
        if url in self.pending:
            return self.pending[url]
        row = self.db.execute(
            "SELECT digest, timestamp, file, offset, date, record_id FROM captures WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        digest, timestamp, file, offset, date, record_id = row
        if date is None:
            try:
                headers = read_record_headers(self.directory / file, offset)
            except Exception as exc:  # a damaged or deleted archive: write the payload again
                logger.warning("Capture of %s in %s is unreadable (%s); not used", url, file, exc)
                self._update("DELETE FROM captures WHERE url = ?", (url,))
                return None
            date = headers.get("WARC-Date") or _timestamp_date(timestamp)
            record_id = headers.get("WARC-Record-ID")
            self._update(
                "UPDATE captures SET date = ?, record_id = ? WHERE url = ?", (date, record_id, url)
            )
        return PayloadCapture(url, digest, date, record_id, file)

    def _update(self, sql: str, parameters: tuple[str, ...]) -> None:
        """Change the cache; a failure (a full disk) only costs a lookup next time."""
        try:
            with self.db:
                self.db.execute(sql, parameters)
        except sqlite3.Error as exc:
            logger.warning("Capture cache not updated: %s", exc)

    def close(self) -> None:
        self.db.close()


def _timestamp_date(timestamp: str) -> str:
    """A 14-digit CDX timestamp as a WARC-Date (to the second)."""
    t = timestamp.ljust(14, "0")
    return f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"
