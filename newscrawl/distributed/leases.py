"""A request queue whose entries are leased to workers, not popped.

An entry taken by a worker moves from the queue to the worker's lease hash;
its payload stays in Redis until the worker acknowledges it (after the data
file holding its results is committed). A worker whose heartbeat key expired
is presumed dead: :meth:`LeaseQueue.reap` puts its leased entries back in the
queue with their original priority and releases the articles it claimed but
never committed. A reaped worker is fenced: its token is gone, so it can no
longer take, acknowledge or commit anything.

Scheduling an entry and recording its fingerprint as seen happen in one
script, so a worker killed in between can neither lose a request nor leave a
fingerprint without its request.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from newscrawl.distributed.keys import SpiderKeys

_PUSH = """
-- KEYS: queue, requests, sequence, seen ; ARGV: score, payload, fingerprint ('' = no filter)
if ARGV[3] ~= '' then
  if redis.call('SADD', KEYS[4], ARGV[3]) == 0 then return 0 end
end
local id = string.format('%014d', redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], id, ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1], id)
return 1
"""

_TAKE = """
-- KEYS: queue, requests, leased, workers ; ARGV: worker, token
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return {-1} end
while true do
  local entry = redis.call('ZPOPMIN', KEYS[1])
  if #entry == 0 then return {0} end
  local payload = redis.call('HGET', KEYS[2], entry[1])
  if payload then
    redis.call('HSET', KEYS[3], entry[1], entry[2])
    return {1, entry[1], payload}
  end
end
"""

_ACK = """
-- KEYS: requests, leased, workers ; ARGV: worker, token
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return -1 end
local ids = redis.call('HKEYS', KEYS[2])
for _, id in ipairs(ids) do redis.call('HDEL', KEYS[1], id) end
redis.call('DEL', KEYS[2])
return #ids
"""

_RELEASE = """
-- KEYS: queue, leased, workers ; ARGV: worker, token
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return -1 end
local items = redis.call('HGETALL', KEYS[2])
for i = 1, #items, 2 do redis.call('ZADD', KEYS[1], items[i + 1], items[i]) end
redis.call('DEL', KEYS[2])
return #items / 2
"""

_REAP = """
-- KEYS: queue, leased, alive, workers, beats, uncommitted, claims ; ARGV: worker
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local items = redis.call('HGETALL', KEYS[2])
for i = 1, #items, 2 do redis.call('ZADD', KEYS[1], items[i + 1], items[i]) end
redis.call('DEL', KEYS[2])
local urls = redis.call('SMEMBERS', KEYS[6])
for _, url in ipairs(urls) do
  if redis.call('HGET', KEYS[7], url) == ARGV[1] then redis.call('HDEL', KEYS[7], url) end
end
redis.call('DEL', KEYS[6])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return #items / 2
"""


class WorkerFenced(RuntimeError):
    """This worker was presumed dead and its leases were handed to others."""


@dataclass(frozen=True)
class Lease:
    """A queue entry held by a worker."""

    entry_id: str
    payload: bytes


class LeaseQueue:
    """The shared request queue of one spider, seen through one worker."""

    def __init__(self, client: redis.Redis, keys: SpiderKeys, worker: str, token: str) -> None:
        self.client = client
        self.keys = keys
        self.worker = worker
        self.token = token
        self._push = client.register_script(_PUSH)
        self._take = client.register_script(_TAKE)
        self._ack = client.register_script(_ACK)
        self._release = client.register_script(_RELEASE)
        self._reap = client.register_script(_REAP)

    def push(self, payload: bytes, priority: int, seen_key: str, fingerprint: bytes | None) -> bool:
        """Queue ``payload`` unless its fingerprint was seen in the run; False when it was."""
        keys = self.keys
        added = self._push(
            keys=[keys.queue, keys.requests, keys.sequence, seen_key],
            args=[-priority, payload, fingerprint or b""],
        )
        return bool(added)

    def take(self) -> Lease | None:
        """Lease the next entry (highest priority, oldest first); None when the queue is empty."""
        keys = self.keys
        result = self._take(
            keys=[keys.queue, keys.requests, keys.leased(self.worker), keys.workers],
            args=[self.worker, self.token],
        )
        if result[0] == -1:
            raise WorkerFenced(self.worker)
        if result[0] == 0:
            return None
        return Lease(entry_id=result[1].decode(), payload=result[2])

    def acknowledge_all(self) -> int:
        """Forget every entry this worker holds: their results are committed."""
        keys = self.keys
        count = self._ack(
            keys=[keys.requests, keys.leased(self.worker), keys.workers],
            args=[self.worker, self.token],
        )
        if count == -1:
            raise WorkerFenced(self.worker)
        return int(count)

    def release_all(self) -> int:
        """Put every entry this worker holds back in the queue (it stops early)."""
        keys = self.keys
        count = self._release(
            keys=[keys.queue, keys.leased(self.worker), keys.workers],
            args=[self.worker, self.token],
        )
        if count == -1:
            raise WorkerFenced(self.worker)
        return int(count)

    def reap(self, worker: str, run_id: str | None) -> int:
        """Requeue the leases of ``worker`` if its heartbeat expired; -1 when it is alive."""
        keys = self.keys
        run = run_id or "-"
        return int(
            self._reap(
                keys=[
                    keys.queue,
                    keys.leased(worker),
                    keys.alive(worker),
                    keys.workers,
                    keys.beats,
                    keys.uncommitted(run, worker),
                    keys.claims(run),
                ],
                args=[worker],
            )
        )

    def __len__(self) -> int:
        return int(self.client.zcard(self.keys.queue))

    def held(self, worker: str | None = None) -> int:
        """Entries leased by ``worker`` (default: this worker)."""
        return int(self.client.hlen(self.keys.leased(worker or self.worker)))
