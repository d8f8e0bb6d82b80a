"""The run history of shared crawls in Redis (the :class:`~newscrawl.runs.history.RunHistory`
interface).

Every worker of a shared crawl adds its share of a run (``<run id>-<worker>``) to one
history per spider, so the drift checks of any worker compare with the healthy runs of
all of them, and ``newscrawl health --redis-url`` reports them from any machine. A run
is a JSON summary in a hash, ordered by its start time in a sorted set; the oldest are
dropped past ``keep_runs`` per spider.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import redis

from newscrawl.distributed.connection import connect, describe
from newscrawl.distributed.keys import SpiderKeys, drift_sites_key
from newscrawl.runs.history import (
    DEFAULT_KEEP_RUNS,
    HistoryUnavailable,
    RunSummary,
    readable_summary,
)

_PAGE = 100

_ADD = """
-- KEYS: history, order, sites ; ARGV: run id, summary, start (epoch s), site, keep
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[4])
local keep = tonumber(ARGV[5])
local count = redis.call('ZCARD', KEYS[2])
if count > keep then
  local old = redis.call('ZRANGE', KEYS[2], 0, count - keep - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, count - keep - 1)
  redis.call('HDEL', KEYS[1], unpack(old))
end
return count
"""


def _start_seconds(started_at: str) -> float:
    """Epoch seconds of an ISO 8601 time (naive times are UTC)."""
    moment = dt.datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


class RedisRunHistory:
    """Run summaries of every spider under one key prefix, newest first."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "newscrawl",
        keep_runs: int = DEFAULT_KEEP_RUNS,
        label: str = "redis",
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.keep_runs = keep_runs
        self.label = label
        self._add = client.register_script(_ADD)

    @classmethod
    def from_url(cls, url: str, prefix: str = "newscrawl") -> RedisRunHistory:
        """The history on the Redis server at ``url``."""
        return cls(connect(url), prefix, label=describe(url))

    def close(self) -> None:
        self.client.close()

    def _keys(self, site: str) -> SpiderKeys:
        return SpiderKeys(self.prefix, site)

    def _call(self, function, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return function(*args, **kwargs)
        except redis.RedisError as exc:
            raise HistoryUnavailable(f"run history in Redis at {self.label}: {exc}") from exc

    def add(self, run: RunSummary) -> None:
        keys = self._keys(run.site)
        summary = json.dumps(run.to_dict(), ensure_ascii=False)
        self._call(
            self._add,
            keys=[keys.drift_history, keys.drift_order, drift_sites_key(self.prefix)],
            args=[run.run_id, summary, _start_seconds(run.started_at), run.site, self.keep_runs],
        )

    def _newest_first(self, site: str) -> Iterator[RunSummary]:
        keys = self._keys(site)
        start = 0
        while True:
            ids = self._call(self.client.zrevrange, keys.drift_order, start, start + _PAGE - 1)
            if not ids:
                return
            values = self._call(self.client.hmget, keys.drift_history, ids)
            for run_id, value in zip(ids, values, strict=True):
                if value is not None:
                    run = readable_summary(site, run_id.decode(), value.decode())
                    if run is not None:
                        yield run
            start += _PAGE

    def _first(self, site: str, limit: int, healthy_only: bool) -> list[RunSummary]:
        runs: list[RunSummary] = []
        if limit <= 0:
            return runs
        for run in self._newest_first(site):
            if run.healthy or not healthy_only:
                runs.append(run)
                if len(runs) == limit:
                    break
        return runs

    def recent(self, site: str, limit: int) -> list[RunSummary]:
        return self._first(site, limit, healthy_only=False)

    def healthy(self, site: str, limit: int) -> list[RunSummary]:
        return self._first(site, limit, healthy_only=True)

    def sites(self) -> list[str]:
        members = self._call(self.client.smembers, drift_sites_key(self.prefix))
        return sorted(member.decode() for member in members)

    def mark_healthy(self, site: str, run_id: str) -> bool:
        keys = self._keys(site)
        value = self._call(self.client.hget, keys.drift_history, run_id)
        run = readable_summary(site, run_id, value.decode()) if value is not None else None
        if run is None:
            return False
        run.healthy = True
        summary = json.dumps(run.to_dict(), ensure_ascii=False)
        self._call(self.client.hset, keys.drift_history, run_id, summary)
        return True
