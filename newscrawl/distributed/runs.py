"""Runs shared by workers: joining, seeding once, heartbeats, idleness, leaving.

A *run* is one pass over the portal by any number of workers. The first worker
to arrive creates it and is its seeder (it alone schedules the list pages);
workers arriving later join it. A worker refreshes its heartbeat key every
tick; one whose key expired (a lease timeout) is reaped by the others. The
run ends when its last worker leaves with the queue empty; its run-scoped keys
(seen requests, claims) are deleted then, its statistics stay in the history.

A run is *complete* when it ended that way and every worker that took part
finished normally with its data committed: a worker that leaves early (a
shutdown, a limit, a refused or lost commit) or is reaped is counted in the
run's ``stopped_early``, and then the run's summary says ``"complete": false``;
a run whose workers all vanished is closed as ``abandoned``, never complete.
The next run of the spider reads every list page after a run that was not
complete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis

from newscrawl.distributed.errors import WorkerIdInUse
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.leases import LeaseQueue
from newscrawl.distributed.store import RedisStateStore

#: Finished runs kept in the history.
HISTORY_LENGTH = 500

_JOIN = """
-- KEYS: workers, alive, run, queue, beats, runs, run counter
-- ARGV: worker, token, lease_ms, new_run_id, now_iso, prefix_of_run_keys,
--       name of the list-items statistic, name of the articles statistic
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[2] then return {'busy'} end
local run = redis.call('HGET', KEYS[3], 'id')
if run and redis.call('HLEN', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[4]) == 0 then
  -- every worker of that run is gone and nothing is left to do: it is over
  local started = redis.call('HGET', KEYS[3], 'started_at') or ''
  local stats = ARGV[6] .. run .. ':stats'
  redis.call('HSET', KEYS[6], run, cjson.encode({run_id = run, started_at = started,
    finished_at = ARGV[5], status = 'abandoned', complete = false,
    number = tonumber(redis.call('HGET', KEYS[3], 'number') or '0'),
    list_items = tonumber(redis.call('HGET', stats, ARGV[7]) or '0'),
    articles = tonumber(redis.call('HGET', stats, ARGV[8]) or '0')}))
  redis.call('DEL', KEYS[3], ARGV[6] .. run .. ':seen', ARGV[6] .. run .. ':claims')
  run = false
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[5], ARGV[1], '0 1')
if run then
  return {'join', run, redis.call('HGET', KEYS[3], 'seeder') or ''}
end
redis.call('HSET', KEYS[3], 'id', ARGV[4], 'started_at', ARGV[5], 'seeder', ARGV[1],
  'number', redis.call('INCR', KEYS[7]))
return {'seed', ARGV[4], ARGV[1]}
"""

_BEAT = """
-- KEYS: alive, workers, beats ; ARGV: worker, token, lease_ms, busy
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
elseif (not holder) and redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  -- the key expired (e.g. Redis was down for a while) but nobody reaped us yet
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  return 0
end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('HSET', KEYS[3], ARGV[1], ms .. ' ' .. ARGV[4])
return 1
"""

_IDLE = """
-- KEYS: queue, workers, beats ; ARGV: worker, stale_ms
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for _, worker in ipairs(redis.call('HKEYS', KEYS[2])) do
  if worker ~= ARGV[1] then
    local beat = redis.call('HGET', KEYS[3], worker)
    if not beat then return 0 end
    local at, busy = string.match(beat, '^(%d+) (%d)$')
    if (not at) or busy ~= '0' or ms - tonumber(at) > tonumber(ARGV[2]) then return 0 end
  end
end
return 1
"""

_LEAVE = """
-- KEYS: workers, alive, beats, queue, run, runs, stats
-- ARGV: worker, token, run_id, now_iso, list-items statistic, articles statistic,
--       '1' when the worker finished normally with its data committed, else '0'
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('DEL', KEYS[2])
  if ARGV[7] ~= '1' and redis.call('HGET', KEYS[5], 'id') == ARGV[3] then
    redis.call('HINCRBY', KEYS[5], 'stopped_early', 1)
  end
end
if redis.call('HLEN', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[4]) > 0 then return 0 end
if redis.call('HGET', KEYS[5], 'id') ~= ARGV[3] then return 0 end
local started = redis.call('HGET', KEYS[5], 'started_at') or ''
local complete = tonumber(redis.call('HGET', KEYS[5], 'stopped_early') or '0') == 0
redis.call('HSET', KEYS[6], ARGV[3], cjson.encode({run_id = ARGV[3], started_at = started,
  finished_at = ARGV[4], status = 'finished', complete = complete,
  number = tonumber(redis.call('HGET', KEYS[5], 'number') or '0'),
  list_items = tonumber(redis.call('HGET', KEYS[7], ARGV[5]) or '0'),
  articles = tonumber(redis.call('HGET', KEYS[7], ARGV[6]) or '0')}))
redis.call('DEL', KEYS[5])
return 1
"""


@dataclass(frozen=True)
class Membership:
    """What a worker learned when it joined: the run and whether it seeds it."""

    run_id: str
    seeder: str
    created: bool
    """True when this worker id created the run: it schedules the start pages."""


@dataclass(frozen=True)
class SummaryStats:
    """Names of the run statistics a finished run's summary in the history takes."""

    list_items: str
    articles: str


class RunCoordinator:
    """Run membership of one worker of one spider."""

    def __init__(
        self,
        client: redis.Redis,
        keys: SpiderKeys,
        worker: str,
        token: str,
        lease_seconds: float,
        summary: SummaryStats,
    ) -> None:
        self.client = client
        self.keys = keys
        self.worker = worker
        self.token = token
        self.lease_ms = max(1, int(lease_seconds * 1000))
        self.summary = summary
        self._join = client.register_script(_JOIN)
        self._beat = client.register_script(_BEAT)
        self._idle = client.register_script(_IDLE)
        self._leave = client.register_script(_LEAVE)

    def current_run(self) -> str | None:
        value = self.client.hget(self.keys.run, "id")
        return value.decode() if value else None

    def join(self, new_run_id: str, now_iso: str) -> Membership:
        """Register this worker; create the run (and become its seeder) if none is open."""
        keys = self.keys
        run_prefix = keys.seen("").removesuffix(":seen")
        result = self._join(
            keys=[
                keys.workers,
                keys.alive(self.worker),
                keys.run,
                keys.queue,
                keys.beats,
                keys.runs,
                keys.run_counter,
            ],
            args=[
                self.worker,
                self.token,
                self.lease_ms,
                new_run_id,
                now_iso,
                run_prefix,
                self.summary.list_items,
                self.summary.articles,
            ],
        )
        if result[0] == b"busy":
            raise WorkerIdInUse(self.worker, keys.spider)
        seeder = result[2].decode()
        # A run this worker id created is seeded by it, also when the reply of the call
        # that created it was lost and the join was retried (the dupefilter drops any
        # start request queued before).
        return Membership(
            run_id=result[1].decode(),
            seeder=seeder,
            created=result[0] == b"seed" or seeder == self.worker,
        )

    def heartbeat(self, busy: bool) -> bool:
        """Renew this worker's leases; False when it was reaped (fenced) meanwhile."""
        keys = self.keys
        renewed = self._beat(
            keys=[keys.alive(self.worker), keys.workers, keys.beats],
            args=[self.worker, self.token, self.lease_ms, 1 if busy else 0],
        )
        return bool(renewed)

    def workers(self) -> list[str]:
        return sorted(w.decode() for w in self.client.hkeys(self.keys.workers))

    def reap_dead(
        self, queue: LeaseQueue, store: RedisStateStore, run_id: str | None
    ) -> dict[str, int]:
        """Requeue the leases of every worker whose heartbeat expired: {worker: entries}.

        A data file such a worker renamed into place on this host before it could
        commit it is committed first (:meth:`RedisStateStore.settle_commit_of`).
        """
        reaped = {}
        for worker in self.workers():
            if worker == self.worker or self.client.exists(self.keys.alive(worker)):
                continue
            store.settle_commit_of(worker)
            count = queue.reap(worker, run_id)
            if count >= 0:
                reaped[worker] = count
        return reaped

    def shared_idle(self, stale_seconds: float) -> bool:
        """The queue is empty and every other worker is alive and has nothing in hand."""
        keys = self.keys
        idle = self._idle(
            keys=[keys.queue, keys.workers, keys.beats],
            args=[self.worker, max(1, int(stale_seconds * 1000))],
        )
        return bool(idle)

    def leave(self, run_id: str, now_iso: str, finished: bool = True) -> bool:
        """Deregister; True when this was the last worker and the run ended.

        ``finished``: this worker crawled to its normal end and its data is
        committed. The run's summary in the history says ``complete`` when every
        worker that left it had finished and none was reaped.
        """
        keys = self.keys
        ended = self._leave(
            keys=[
                keys.workers,
                keys.alive(self.worker),
                keys.beats,
                keys.queue,
                keys.run,
                keys.runs,
                keys.stats(run_id),
            ],
            args=[
                self.worker,
                self.token,
                run_id,
                now_iso,
                self.summary.list_items,
                self.summary.articles,
                1 if finished else 0,
            ],
        )
        if ended:
            self.client.delete(*keys.run_scoped(run_id))
            self._trim_history()
        return bool(ended)

    def refresh_ttl(self, run_id: str, seconds: int) -> None:
        """Keep the run's keys for ``seconds`` more (they expire if every worker vanishes)."""
        pipe = self.client.pipeline(transaction=False)
        for key in [*self.keys.run_scoped(run_id), self.keys.stats(run_id)]:
            pipe.expire(key, seconds)
        pipe.execute()

    def add_stats(self, run_id: str, stats: dict[str, Any], ttl: int) -> None:
        """Add a worker's integer statistics to the run's totals (kept ``ttl`` seconds)."""
        numbers = {k: v for k, v in stats.items() if isinstance(v, int) and not isinstance(v, bool)}
        if not numbers:
            return
        pipe = self.client.pipeline(transaction=True)
        for name, value in numbers.items():
            pipe.hincrby(self.keys.stats(run_id), name, value)
        pipe.expire(self.keys.stats(run_id), ttl)
        pipe.execute()

    def run_stats(self, run_id: str) -> dict[str, int]:
        raw = self.client.hgetall(self.keys.stats(run_id))
        return {k.decode(): int(v) for k, v in raw.items()}

    def history(self) -> dict[str, dict[str, Any]]:
        """Finished runs: run id -> summary."""
        return {k.decode(): json.loads(v) for k, v in self.client.hgetall(self.keys.runs).items()}

    def _trim_history(self) -> None:
        ids = sorted(k.decode() for k in self.client.hkeys(self.keys.runs))
        if len(ids) > HISTORY_LENGTH:
            self.client.hdel(self.keys.runs, *ids[: len(ids) - HISTORY_LENGTH])
