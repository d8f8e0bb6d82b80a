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
(about 240 bytes per article in Redis; see ``docs/distributed.md``). The other
URLs an article was asked for (the link before a redirect) point to it from a
second hash; articles exported without some of their pages are also kept by
URL in a sorted set, so that they can be fetched again.

A shared run is *complete* (:meth:`RedisStateStore.previous_run_complete`) when
its last worker left with the queue empty and none of its workers stopped early
or was reaped (see :mod:`newscrawl.distributed.runs`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from newscrawl.clock import utc_now
from newscrawl.distributed.connection import RedisDown, RedisGuard, RedisUnavailable
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.leases import WorkerFenced
from newscrawl.runs.state import KnownArticle, RunStatus, file_identity, record_is_incomplete

logger = logging.getLogger(__name__)

_COMMIT_CHUNK = 500

# A known article's value: id, content hash, version, published date, first export,
# last check (epoch seconds), incomplete ("1"/"0"; absent in values written before it
# existed), tab-separated.
_FIELDS = """
local function fields(value)
  local list = {}
  for field in string.gmatch(value .. '\\t', '([^\\t]*)\\t') do list[#list + 1] = field end
  return list
end
"""

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

_COMMIT = (
    _FIELDS
    + """
-- KEYS: known, aliases, incomplete
-- ARGV: now, then per article: digest, id, content_hash, version, published_date,
--       incomplete (1/0), url, number of aliases, the aliases' digests
local now = ARGV[1]
local i, count = 2, 0
while i <= #ARGV do
  local digest, incomplete, url = ARGV[i], ARGV[i + 5], ARGV[i + 6]
  local first, was_incomplete = now, false
  local old = redis.call('HGET', KEYS[1], digest)
  if old then
    local known = fields(old)
    first = known[5]
    was_incomplete = known[7] == '1'
  end
  redis.call('HSET', KEYS[1], digest, table.concat(
    {ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], first, now, incomplete}, '\\t'))
  if incomplete == '1' then
    redis.call('ZADD', KEYS[3], first, url)
  elseif was_incomplete then
    redis.call('ZREM', KEYS[3], url)
  end
  local aliases = tonumber(ARGV[i + 7])
  for a = 1, aliases do redis.call('HSET', KEYS[2], ARGV[i + 7 + a], digest .. url) end
  i = i + 8 + aliases
  count = count + 1
end
return count
"""
)

_GET = """
-- KEYS: known, aliases ; ARGV: digest
-- returns {value} under the article's own URL, {value, url} under an alias, {} unknown
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then return {value} end
local alias = redis.call('HGET', KEYS[2], ARGV[1])
if not alias then return {} end
value = redis.call('HGET', KEYS[1], string.sub(alias, 1, 16))
if not value then return {} end
return {value, string.sub(alias, 17)}
"""

_TOUCH = (
    _FIELDS
    + """
-- KEYS: known ; ARGV: digest, now
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
local known = fields(old)
known[6] = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], table.concat(known, '\\t'))
return 1
"""
)


def url_digest(url: str) -> bytes:
    """The 16-byte key of an article URL in the known-articles hash."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=16).digest()


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _from_epoch(value: bytes) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


@dataclass(frozen=True)
class PendingArticle:
    """An exported article waiting for its data file to be committed."""

    url: str
    id: str
    content_hash: str
    version: int
    published_date: str
    incomplete: bool = False
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: dict[str, Any], aliases: Iterable[str] = ()) -> PendingArticle:
        """The pending state of an exported record asked for under ``aliases`` too."""
        url = record["url"]
        return cls(
            url=url,
            id=str(record["id"]),
            content_hash=str(record["content_hash"]),
            version=int(record.get("version") or 1),
            published_date=str(record.get("published_date") or ""),
            incomplete=record_is_incomplete(record),
            aliases=tuple(dict.fromkeys(a for a in aliases if a != url)),
        )

    def script_args(self) -> list[Any]:
        """This article's arguments of the commit script."""
        return [
            url_digest(self.url),
            self.id,
            self.content_hash,
            self.version,
            self.published_date,
            1 if self.incomplete else 0,
            self.url,
            len(self.aliases),
            *(url_digest(alias) for alias in self.aliases),
        ]


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
        self._pending: list[PendingArticle] = []
        self._marked: set[str] = set()
        self.failed_commits = 0
        """Commits whose known-state write failed (Redis unreachable); their rows stay pending."""
        self._claim = client.register_script(_CLAIM)
        self._mark = client.register_script(_MARK_COMMITTING)
        self._commit = client.register_script(_COMMIT)
        self._get = client.register_script(_GET)
        self._touch = client.register_script(_TOUCH)

    def close(self) -> None:
        """Nothing to release: the client belongs to the worker."""

    # runs -----------------------------------------------------------------

    def recover(self) -> list[str]:
        """Nothing to settle here: killed workers are reaped by the run coordinator."""
        return []

    def start_run(self, run_id: str, spider: str) -> None:
        """Nothing to record: the run was created (or joined) when the worker registered."""

    def finish_run(self, run_id: str, status: RunStatus, list_items: int, articles: int) -> None:
        """Count the worker's outcome in the run's statistics (one attempt: it only informs).

        Whether the shared run is complete is decided when its workers leave it
        (:meth:`~newscrawl.distributed.runs.RunCoordinator.leave`).
        """
        try:
            self.guard.try_call(
                self.client.hincrby, self.keys.stats(run_id), f"workers/{status}", 1
            )
        except RedisDown:
            logger.error("The end of worker %s is not counted: Redis unreachable", self.worker)

    def _history(self) -> dict[str, dict[str, Any]]:
        """The spider's ended runs: run id -> summary."""
        history = self.guard.call(self.client.hgetall, self.keys.runs)
        return {key.decode(): json.loads(value) for key, value in history.items()}

    def previous_runs_found_articles(self, spider: str, run_id: str) -> bool:
        """True when an earlier finished run of the spider read list items (False when
        Redis stays unreachable)."""
        try:
            history = self._history()
        except RedisUnavailable:
            return False
        return any(
            key != run_id and summary.get("list_items", 0) > 0 for key, summary in history.items()
        )

    def previous_run_complete(self, spider: str, run_id: str) -> bool:
        """True when the spider's latest earlier shared run crawled to its normal end.

        That is: its last worker left with the queue empty, and every worker that
        took part finished normally with its data committed (none stopped early,
        none was reaped). An abandoned run (every worker vanished), or one ended
        before this was recorded, is not complete. True when there is no earlier run;
        False when Redis stays unreachable.
        """
        try:
            history = self._history()
        except RedisUnavailable:
            return False
        earlier = [summary for key, summary in history.items() if key != run_id]
        if not earlier:
            return True
        latest = max(earlier, key=lambda s: (s.get("number", 0), s.get("started_at", "")))
        return latest.get("status") == "finished" and latest.get("complete") is True

    # articles ---------------------------------------------------------------

    def get(self, url: str) -> KnownArticle | None:
        """The article known under ``url``: its record URL or any URL it was asked for."""
        found = self.guard.call(
            self._get, keys=[self.keys.known, self.keys.aliases], args=[url_digest(url)]
        )
        if not found:
            return None
        fields = found[0].split(b"\t")
        record_id, content, version, published, first, checked = fields[:6]
        return KnownArticle(
            url=found[1].decode() if len(found) > 1 else url,
            id=record_id.decode(),
            content_hash=content.decode(),
            version=int(version),
            published_date=published.decode() or None,
            first_exported_at=_from_epoch(first),
            last_checked_at=_from_epoch(checked),
            incomplete=len(fields) > 6 and fields[6] == b"1",
        )

    def incomplete_urls(self, exported_since: dt.datetime) -> list[str]:
        """URLs of articles whose last export lacked pages, first exported since then."""
        urls = self.guard.call(
            self.client.zrangebyscore, self.keys.incomplete, _epoch(exported_since), "+inf"
        )
        return [url.decode() for url in urls]

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

    def add_pending(self, run_id: str, record: dict[str, Any], aliases: Iterable[str] = ()) -> None:
        """Remember an exported record (and the other URLs it was asked for) until its
        data file is committed (in memory); a record flagged ``missing_pages`` stays
        incomplete."""
        self._pending.append(PendingArticle.from_record(record, aliases))

    def flush_pending(self) -> None:
        """Nothing to write: pending records are sent to Redis when they are committed."""

    def has_pending(self) -> bool:
        """True while exported records wait for a commit (or their commit failed)."""
        return bool(self._pending)

    def mark_committing(self, run_id: str, data_file: str, identity: str | None = None) -> None:
        """A data file of the run is about to be renamed into place (once per file).

        The mark names this host, the file, its ``identity`` (``device:inode`` of
        the temporary file, kept by the rename) and the other URLs of its
        articles, so a worker that reaps this one can finish the commit
        (:meth:`settle_commit_of`). The worker's feed storage calls it before the
        rename, where a refusal can still stop it; the run state's call for the
        same file that follows is then a no-op. Raises :class:`WorkerFenced`
        when this worker was reaped meanwhile (its articles were handed to
        others: the file must not be renamed) and :class:`RedisUnavailable`
        when Redis stays unreachable.
        """
        if data_file in self._marked:
            return
        aliases = {row.url: list(row.aliases) for row in self._pending if row.aliases}
        record = json.dumps(
            {
                "run_id": run_id,
                "host": self.host,
                "file": data_file,
                "identity": identity,
                "aliases": aliases,
            },
            ensure_ascii=False,
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

    def commit_rows(self, run_id: str, worker: str, rows: list[PendingArticle]) -> int:
        """Make ``rows`` known, then forget the worker's uncommitted claims and commit mark.

        Each chunk of :data:`_COMMIT_CHUNK` articles is written by one script (all
        or nothing); a chunk written again after a lost reply changes nothing.
        """
        keys = self.keys
        now = _epoch(utc_now())
        for start in range(0, len(rows), _COMMIT_CHUNK):
            args: list[Any] = [now]
            for row in rows[start : start + _COMMIT_CHUNK]:
                args += row.script_args()
            self.guard.call(
                self._commit, keys=[keys.known, keys.aliases, keys.incomplete], args=args
            )
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(keys.uncommitted(run_id, worker))
        pipe.hdel(keys.committing, worker)
        self.guard.call(pipe.execute)
        return len(rows)

    def settle_commit_of(self, worker: str) -> str | None:
        """Finish the commit of a dead worker whose data file is on this host.

        A worker killed between renaming its data file and committing it left
        a commit mark. When the file is here and is the one the worker renamed
        (same ``device:inode`` as its temporary file, when the mark has it), its
        records become known, with their other URLs (else they would be exported
        again); returns the file. A mark of a file on another host is left alone;
        a mark whose file is missing or is another file is dropped.
        """
        raw = self.guard.call(self.client.hget, self.keys.committing, worker)
        if raw is None:
            return None
        mark = json.loads(raw)
        if mark.get("host") != self.host:
            return None
        path = Path(mark["file"])
        expected = mark.get("identity")
        renamed = path.is_file() and (expected is None or file_identity(path) == expected)
        if not renamed:
            self.guard.call(self.client.hdel, self.keys.committing, worker)
            return None
        aliases = mark.get("aliases") or {}
        rows = [
            PendingArticle.from_record(record, aliases.get(record["url"], ()))
            for record in records_of(path)
        ]
        self.commit_rows(mark["run_id"], worker, rows)
        logger.warning(
            "Committed %d articles of %s, renamed by worker %s before it died",
            len(rows),
            path,
            worker,
        )
        return str(path)
