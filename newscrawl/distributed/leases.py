"""A request queue whose entries are leased to workers, not popped.

An entry taken by a worker moves from the queue to the worker's lease hash;
its payload stays in Redis until the worker acknowledges it (after the data
file holding its results is committed). A take whose reply was lost (Redis
went away during the call) leased an entry the worker never received: the
worker puts such entries back (:meth:`LeaseQueue.release_unreceived`) as soon
as Redis answers again, and before it acknowledges anything. A worker whose heartbeat key expired
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
-- KEYS: queue, leased, workers ; ARGV: worker, token, entry ids to put back (none: all)
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return -1 end
if #ARGV == 2 then
  local items = redis.call('HGETALL', KEYS[2])
  for i = 1, #items, 2 do redis.call('ZADD', KEYS[1], items[i + 1], items[i]) end
  redis.call('DEL', KEYS[2])
  return #items / 2
end
local count = 0
for i = 3, #ARGV do
  local score = redis.call('HGET', KEYS[2], ARGV[i])
  if score then
    redis.call('ZADD', KEYS[1], score, ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    count = count + 1
  end
end
return count
"""

_REAP = """
-- KEYS: queue, leased, alive, workers, beats, uncommitted, claims, run ; ARGV: worker, run_id
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
if redis.call('HGET', KEYS[4], ARGV[1]) and redis.call('HGET', KEYS[8], 'id') == ARGV[2] then
  redis.call('HINCRBY', KEYS[8], 'stopped_early', 1)
end
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
        self.received: set[str] = set()
        """Entries this worker took and received (until it acknowledges or releases them)."""
        self.unsure = False
        """A take may have leased an entry whose reply never arrived (Redis went away)."""

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
        unsure, self.unsure = self.unsure, True  # stays set if the reply is lost
        result = self._take(
            keys=[keys.queue, keys.requests, keys.leased(self.worker), keys.workers],
            args=[self.worker, self.token],
        )
        self.unsure = unsure
        if result[0] == -1:
            raise WorkerFenced(self.worker)
        if result[0] == 0:
            return None
        lease = Lease(entry_id=result[1].decode(), payload=result[2])
        self.received.add(lease.entry_id)
        return lease

    def release_unreceived(self) -> int:
        """Put back in the queue the entries leased to this worker that it never received.

        When Redis goes away during a take, the script may have leased an entry
        whose reply never arrived; acknowledging it would drop its request.
        Returns how many entries went back.
        """
        held = {k.decode() for k in self.client.hkeys(self.keys.leased(self.worker))}
        lost = sorted(held - self.received)
        count = 0
        if lost:
            keys = self.keys
            count = self._release(
                keys=[keys.queue, keys.leased(self.worker), keys.workers],
                args=[self.worker, self.token, *lost],
            )
            if count == -1:
                raise WorkerFenced(self.worker)
        self.unsure = False
        return int(count)

    def acknowledge_all(self) -> int:
        """Forget every entry this worker received: their results are committed.

        Entries leased but never received (a lost reply) go back to the queue first.
        """
        self.release_unreceived()
        keys = self.keys
        count = self._ack(
            keys=[keys.requests, keys.leased(self.worker), keys.workers],
            args=[self.worker, self.token],
        )
        if count == -1:
            raise WorkerFenced(self.worker)
        self.received.clear()
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
        self.received.clear()
        self.unsure = False
        return int(count)

    def reap(self, worker: str, run_id: str | None) -> int:
        """Requeue the leases of ``worker`` if its heartbeat expired; -1 when it is alive.

        A worker reaped from the open run ``run_id`` makes that run incomplete.
        """
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
                    keys.run,
                ],
                args=[worker, run],
            )
        )

    def __len__(self) -> int:
        return int(self.client.zcard(self.keys.queue))

    def held(self, worker: str | None = None) -> int:
        """Entries leased by ``worker`` (default: this worker)."""
        return int(self.client.hlen(self.keys.leased(worker or self.worker)))
