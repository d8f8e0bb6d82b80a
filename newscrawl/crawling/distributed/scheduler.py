"""scrapy-redis' scheduler, queue and dupefilter on leases instead of pops.

* :class:`SharedRequestQueue` is a scrapy-redis queue (its request
  serialisation) whose entries are leased to the worker that takes them and
  stay in Redis until the worker acknowledges them (see
  :mod:`newscrawl.distributed.leases`).
* :class:`SharedDupeFilter` is scrapy-redis' fingerprint, stored as 20 raw
  bytes in a set per run (deleted when the run ends, so it never grows
  beyond one run); the check and the push are one script.
* :class:`SharedScheduler` keeps the queue when the spider closes (other
  workers go on), and while Redis is unreachable keeps new requests in an
  in-memory outbox that is sent when Redis is back, instead of failing.
  It does not pass ``spider=`` to the stats (deprecated in Scrapy 2.19).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from newscrawl.crawling import keys
from newscrawl.crawling.distributed.worker import DistributedWorker, worker_of
from newscrawl.distributed.connection import RedisDown
from newscrawl.distributed.leases import LeaseQueue, WorkerFenced

logger = logging.getLogger(__name__)


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis' request fingerprint as raw bytes, in the run's ``seen`` set."""

    def request_fingerprint(self, request: Request) -> bytes:  # type: ignore[override]
        return bytes.fromhex(super().request_fingerprint(request))

    def close(self, reason: str = "") -> None:
        """Keep the set: the run goes on with other workers; it is deleted when the run ends."""


class SharedRequestQueue(Base):
    """A scrapy-redis queue whose entries are leased, not popped."""

    def __init__(
        self,
        server: Any,
        spider: Any,
        key: str,
        serializer: Any = None,
        *,
        leases: LeaseQueue,
        seen_key: str,
    ) -> None:
        super().__init__(server, spider, key, serializer)
        self.leases = leases
        self.seen_key = seen_key

    def __len__(self) -> int:
        return len(self.leases)

    def push(self, request: Request, fingerprint: bytes | None = None) -> bool:
        """Queue ``request`` unless its fingerprint was seen in this run."""
        payload = self._encode_request(request)
        return self.leases.push(payload, request.priority, self.seen_key, fingerprint)

    def pop(self, timeout: int = 0) -> Request | None:
        lease = self.leases.take()
        return None if lease is None else self._decode_request(lease.payload)

    def clear(self) -> None:
        """Never cleared by a worker: the queue belongs to every worker of the run."""


class SharedScheduler(Scheduler):
    """The scrapy-redis scheduler on the worker's leased queue."""

    def __init__(self, worker: DistributedWorker, crawler: Crawler) -> None:
        super().__init__(server=worker.client, persist=True)
        self.worker = worker
        self.stats = crawler.stats
        self.debug = crawler.settings.getbool("DUPEFILTER_DEBUG")
        self.outbox: deque[tuple[Request, bytes | None]] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        return cls(worker_of(crawler), crawler)

    def open(self, spider: Any) -> None:
        self.spider = spider
        membership = self.worker.join()
        self.worker.scheduler = self
        seen = self.worker.keys.seen(membership.run_id)
        self.df = SharedDupeFilter(self.server, key=seen, debug=self.debug)
        self.queue = SharedRequestQueue(
            self.server,
            spider,
            self.worker.keys.queue,
            self.serializer,
            leases=self.worker.queue,
            seen_key=seen,
        )

    def close(self, reason: str) -> None:
        """Leave queue and seen set alone: they belong to the run."""

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        if self.outbox and not self.flush_outbox():
            self.outbox.append((request, fingerprint))
            self._count(keys.STAT_REDIS_OUTBOX)
            return True
        try:
            added = self.worker.guard.try_call(self.queue.push, request, fingerprint)
        except RedisDown:
            self.outbox.append((request, fingerprint))
            self._count(keys.STAT_REDIS_OUTBOX)
            return True
        if not added:
            self.df.log(request, self.spider)
            return False
        self._count(keys.STAT_SCHEDULER_ENQUEUED_REDIS)
        return True

    def flush_outbox(self) -> bool:
        """Send the requests kept during an outage; False while Redis is still unreachable."""
        while self.outbox:
            request, fingerprint = self.outbox[0]
            try:
                self.worker.guard.try_call(self.queue.push, request, fingerprint)
            except RedisDown:
                return False
            self.outbox.popleft()
        return True

    def next_request(self) -> Request | None:
        if self.worker.stop_reason is not None:
            return None
        if self.outbox and not self.flush_outbox():
            return None
        try:
            request = self.worker.guard.try_call(self.queue.pop)
        except RedisDown:
            return None
        except WorkerFenced:
            self.worker.fenced()
            return None
        if request is not None:
            self._count(keys.STAT_SCHEDULER_DEQUEUED_REDIS)
        return request

    def has_pending_requests(self) -> bool:
        if self.outbox:
            return True
        if self.worker.stop_reason is not None:
            return False
        try:
            return self.worker.guard.try_call(len, self.queue) > 0
        except RedisDown:
            return False
