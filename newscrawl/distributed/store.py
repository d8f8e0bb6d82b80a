"""The incremental state of a shared crawl, in Redis: what was exported, and claims.

:class:`RedisStateStore` implements :class:`~newscrawl.runs.state.StateStore`
(the run's :class:`~newscrawl.crawling.extensions.runstate.RunState` uses it
as it uses the embedded SQLite store) with the same rule: an article becomes
*known* only after the data file holding its line is renamed into place.
Pending records stay in the worker's memory (they are in its unfinished data
file anyway, which dies with it).

On top of that, workers *claim* an article before exporting it: the first
worker to claim a URL in a run exports it, the others drop their copy. Claims
of a worker that dies before committing are released when it is reaped, so
the requeued request is exported by whoever takes it next.

Known articles are stored in one hash keyed by a 16-byte digest of the URL
(about 190 bytes per article in Redis; see ``docs/distributed.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import redis

from newscrawl.clock import utc_now
from newscrawl.distributed.connection import RedisDown, RedisGuard, RedisUnavailable
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.leases import WorkerFenced
from newscrawl.runs.state import KnownArticle

logger = logging.getLogger(__name__)

_COMMIT_CHUNK = 500

_CLAIM = """
-- KEYS: claims, uncommitted ; ARGV: url, worker
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if not owner then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  return 1
end
if owner == ARGV[2] then return 1 end
return 0
"""

_MARK_COMMITTING = """
-- KEYS: workers, committing ; ARGV: worker, token, record
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
"""

_COMMIT = """
-- KEYS: known ; ARGV: now, then (digest, id, content_hash, version, published_date) * n
for i = 2, #ARGV, 5 do
  local first = ARGV[1]
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old then
    first = string.match(old, '^[^\\t]*\\t[^\\t]*\\t[^\\t]*\\t[^\\t]*\\t([^\\t]*)') or ARGV[1]
  end
  redis.call('HSET', KEYS[1], ARGV[i], table.concat(
    {ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], first, ARGV[1]}, '\\t'))
end
return (#ARGV - 1) / 5
"""

_TOUCH = """
-- KEYS: known ; ARGV: digest, now
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
local head = string.match(old, '^(.*)\\t[^\\t]*$')
redis.call('HSET', KEYS[1], ARGV[1], head .. '\\t' .. ARGV[2])
return 1
"""


def url_digest(url: str) -> bytes:
    """The 16-byte key of an article URL in the known-articles hash."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=16).digest()


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _from_epoch(value: bytes) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


def _pending_row(record: dict[str, Any]) -> tuple[str, str, str, int, str]:
    return (
        record["url"],
        str(record["id"]),
        str(record["content_hash"]),
        int(record.get("version") or 1),
        str(record.get("published_date") or ""),
    )


def records_of(data_file: Path) -> list[dict[str, Any]]:
    """The exported records in a JSON Lines data file (lines that are not records skipped)."""
    records = []
    with data_file.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "url" in record and "content_hash" in record:
                records.append(record)
    return records


class RedisStateStore:
    """Exported-article state and run bookkeeping of one spider, shared by its workers."""

    def __init__(
        self,
        client: redis.Redis,
        keys: SpiderKeys,
        worker: str,
        token: str,
        guard: RedisGuard,
    ) -> None:
        self.client = client
        self.keys = keys
        self.worker = worker
        self.token = token
        self.guard = guard
        self.host = socket.gethostname()
        self._pending: list[tuple[str, str, str, int, str]] = []
        self._marked: set[str] = set()
        self.failed_commits = 0
        """Commits whose known-state write failed (Redis unreachable); their rows stay pending."""
        self._claim = client.register_script(_CLAIM)
        self._mark = client.register_script(_MARK_COMMITTING)
        self._commit = client.register_script(_COMMIT)
        self._touch = client.register_script(_TOUCH)

    def close(self) -> None:
        """Nothing to release: the client belongs to the worker."""

    # runs -----------------------------------------------------------------

    def recover(self) -> list[str]:
        """Nothing to settle here: killed workers are reaped by the run coordinator."""
        return []

    def start_run(self, run_id: str, spider: str) -> None:
        """Nothing to record: the run was created (or joined) when the worker registered."""

    def finish_run(self, run_id: str, status: str, list_items: int, articles: int) -> None:
        """Count the worker's outcome in the run's statistics (one attempt: it only informs)."""
        try:
            self.guard.try_call(
                self.client.hincrby, self.keys.stats(run_id), f"workers/{status}", 1
            )
        except RedisDown:
            logger.error("The end of worker %s is not counted: Redis unreachable", self.worker)

    def previous_runs_found_articles(self, spider: str, run_id: str) -> bool:
        """True when an earlier finished run of the spider read list items."""
        try:
            history = self.guard.call(self.client.hgetall, self.keys.runs)
        except RedisUnavailable:
            return False
        for key, value in history.items():
            if key.decode() != run_id and json.loads(value).get("list_items", 0) > 0:
                return True
        return False

    # articles ---------------------------------------------------------------

    def get(self, url: str) -> KnownArticle | None:
        value = self.guard.call(self.client.hget, self.keys.known, url_digest(url))
        if value is None:
            return None
        record_id, content, version, published, first, checked = value.split(b"\t")
        return KnownArticle(
            url=url,
            id=record_id.decode(),
            content_hash=content.decode(),
            version=int(version),
            published_date=published.decode() or None,
            first_exported_at=_from_epoch(first),
            last_checked_at=_from_epoch(checked),
        )

    def touch(self, url: str) -> None:
        """Record that a known article was fetched again and found unchanged."""
        self.guard.call(
            self._touch, keys=[self.keys.known], args=[url_digest(url), _epoch(utc_now())]
        )

    def claim(self, run_id: str, url: str) -> bool:
        """Reserve the export of ``url`` in this run; False when another worker has it."""
        keys = self.keys
        won = self.guard.call(
            self._claim,
            keys=[keys.claims(run_id), keys.uncommitted(run_id, self.worker)],
            args=[url, self.worker],
        )
        return bool(won)

    def add_pending(self, run_id: str, record: dict[str, Any]) -> None:
        """Remember an exported record until its data file is committed (in memory)."""
        self._pending.append(_pending_row(record))

    def flush_pending(self) -> None:
        """Nothing to write: pending records are sent to Redis when they are committed."""

    def has_pending(self) -> bool:
        """True while exported records wait for a commit (or their commit failed)."""
        return bool(self._pending)

    def mark_committing(self, run_id: str, data_file: str) -> None:
        """A data file of the run is about to be renamed into place (once per file).

        The worker's feed storage calls it before the rename, where a refusal
        can still stop it; the run state's call for the same file that follows
        is then a no-op. Raises :class:`WorkerFenced` when this worker was
        reaped meanwhile (its articles were handed to others: the file must not
        be renamed) and :class:`RedisUnavailable` when Redis stays unreachable.
        """
        if data_file in self._marked:
            return
        record = json.dumps(
            {"run_id": run_id, "host": self.host, "file": data_file}, ensure_ascii=False
        )
        allowed = self.guard.call(
            self._mark,
            keys=[self.keys.workers, self.keys.committing],
            args=[self.worker, self.token, record],
        )
        if not allowed:
            raise WorkerFenced(self.worker)
        self._marked.add(data_file)

    def commit_run(self, run_id: str, data_files: Iterable[str]) -> int:
        """The run's data file is in place: its pending articles become known.

        When Redis stays unreachable the records stay pending, the failure is
        counted in :attr:`failed_commits` and logged, and 0 is returned: the
        articles are in the data file but not known, so they are exported again.
        """
        try:
            count = self.commit_rows(run_id, self.worker, self._pending)
        except RedisUnavailable as exc:
            self.failed_commits += 1
            logger.error(
                "Data files %s are in place but their articles could not be marked known "
                "(%s); they will be exported again",
                list(data_files),
                exc,
            )
            return 0
        self._pending = []
        return count

    def commit_rows(
        self, run_id: str, worker: str, rows: list[tuple[str, str, str, int, str]]
    ) -> int:
        """Make ``rows`` known, then forget the worker's uncommitted claims and commit mark."""
        now = _epoch(utc_now())
        for start in range(0, len(rows), _COMMIT_CHUNK):
            args: list[Any] = [now]
            for url, record_id, content, version, published in rows[start : start + _COMMIT_CHUNK]:
                args += [url_digest(url), record_id, content, version, published]
            self.guard.call(self._commit, keys=[self.keys.known], args=args)
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.keys.uncommitted(run_id, worker))
        pipe.hdel(self.keys.committing, worker)
        self.guard.call(pipe.execute)
        return len(rows)

    def settle_commit_of(self, worker: str) -> str | None:
        """Finish the commit of a dead worker whose data file is on this host.

        A worker killed between renaming its data file and committing it left
        a commit mark. When the file exists here, its records become known
        (else they would be exported again); returns the file. A mark of a file
        on another host is left alone.
        """
        raw = self.guard.call(self.client.hget, self.keys.committing, worker)
        if raw is None:
            return None
        mark = json.loads(raw)
        if mark.get("host") != self.host:
            return None
        path = Path(mark["file"])
        if path.is_file():
            rows = [_pending_row(record) for record in records_of(path)]
            self.commit_rows(mark["run_id"], worker, rows)
            logger.warning(
                "Committed %d articles of %s, renamed by worker %s before it died",
                len(rows),
                path,
                worker,
            )
            return str(path)
        self.guard.call(self.client.hdel, self.keys.committing, worker)
        return None
