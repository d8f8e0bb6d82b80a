"""The worker of a shared crawl: membership, heartbeats, reaping, idle exit, commits.

One :class:`DistributedWorker` per crawler (an extension; other components
find it with ``crawler.get_extension``). It owns the Redis client and the
Scrapy-free parts built on it: the leased queue, the run coordinator, the
state store (``store``) and the politeness limiter (``limiter``).

The run's :class:`~newscrawl.crawling.extensions.runstate.RunState` takes
its run id and state store from the worker, and keeps that store in step with
the exports as it does the embedded one.

Lifecycle: the worker joins the run while the crawler is being built (creating
it and becoming the seeder when no run is open), before any file is opened: a
worker id held by a live process raises
:class:`~newscrawl.distributed.errors.WorkerIdInUse` (exit 75), a Redis that
cannot be reached :class:`~newscrawl.distributed.errors.SharedCrawlUnreachable`
(exit 69). Every tick it renews its heartbeat,
publishes whether it has work in hand, sends requests buffered during an
outage, reaps workers whose heartbeat expired and wakes the engine when the
shared queue has requests. It lets the spider close once the shared queue
and every other worker have been idle for ``NEWSCRAWL_IDLE_EXIT_SECONDS``.
After its data file is committed it acknowledges its leases (or gives them
back when it stops early) and leaves the run; the last one out ends the run.

Redis outages are waited out with back-off; after
``NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS``, or when the worker finds that it was
reaped meanwhile, it stops with the finish reason
``shared_state_unavailable`` (exit code 69) without renaming its data file; a
data file whose commit the shared state refused or lost is counted in
``newscrawl/redis/commits_failed`` (exit code 69 as well).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from newscrawl.clock import utc_iso
from newscrawl.crawling import keys
from newscrawl.distributed.connection import (
    RedisDown,
    RedisGuard,
    RedisUnavailable,
    connect,
    describe,
)
from newscrawl.distributed.errors import SharedCrawlUnreachable, WorkerIdInUse
from newscrawl.distributed.keys import SpiderKeys
from newscrawl.distributed.leases import LeaseQueue, WorkerFenced
from newscrawl.distributed.limiter import DomainLimiter
from newscrawl.distributed.runs import Membership, RunCoordinator, SummaryStats
from newscrawl.distributed.store import RedisStateStore
from newscrawl.runs.monitor import FINISH_SHARED_STATE_UNAVAILABLE
from newscrawl.runs.state import new_run_id

if TYPE_CHECKING:
    from newscrawl.crawling.distributed.scheduler import SharedScheduler

logger = logging.getLogger(__name__)

#: Ticks between two sweeps for dead workers and two TTL refreshes of the run's keys.
_SWEEP_EVERY = 5


class DistributedWorker:
    """This process's membership in the shared crawl of its spider."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.url = settings.get("NEWSCRAWL_REDIS_URL")
        self.worker = settings.get("NEWSCRAWL_WORKER_ID")
        self.lease_seconds = settings.getfloat("NEWSCRAWL_REDIS_LEASE_SECONDS")
        self.idle_exit_seconds = settings.getfloat("NEWSCRAWL_IDLE_EXIT_SECONDS")
        self.run_ttl = int(settings.getfloat("NEWSCRAWL_REDIS_RUN_TTL_HOURS") * 3600)
        self.tick_seconds = min(2.0, max(0.2, self.lease_seconds / 10))
        self.token = secrets.token_hex(8)
        self.client = connect(self.url)
        self.keys = SpiderKeys(settings.get("NEWSCRAWL_REDIS_PREFIX"), crawler.spidercls.name)
        self.guard = RedisGuard(settings.getfloat("NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS"))
        self.queue = LeaseQueue(self.client, self.keys, self.worker, self.token)
        self.runs = RunCoordinator(
            self.client,
            self.keys,
            self.worker,
            self.token,
            self.lease_seconds,
            SummaryStats(list_items=keys.STAT_LIST_ITEMS, articles=keys.SCRAPY_ITEMS_SCRAPED),
        )
        self.store = RedisStateStore(self.client, self.keys, self.worker, self.token, self.guard)
        self.limiter = DomainLimiter(
            self.client,
            self.keys.prefix,
            self.worker,
            settings.getint("NEWSCRAWL_SHARED_CONCURRENCY"),
            settings.getfloat("NEWSCRAWL_SHARED_DOWNLOAD_DELAY"),
            self.lease_seconds,
        )
        self.scheduler: SharedScheduler | None = None
        self.membership: Membership | None = None
        self.stop_reason: str | None = None
        self.finish_reason: str | None = None
        self.commits_refused = 0
        self.engine_started = False
        self.settled = False
        self._idle_since: float | None = None
        self._ticks = 0
        self._loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedWorker:
        if not crawler.settings.get("NEWSCRAWL_REDIS_URL"):
            raise NotConfigured
        worker = cls(crawler)
        worker.join()
        crawler.signals.connect(worker.engine_started_, signal=signals.engine_started)
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(worker.engine_stopped, signal=signals.engine_stopped)
        return worker

    # membership ---------------------------------------------------------------

    @property
    def run_id(self) -> str:
        return self.join().run_id

    @property
    def seeder(self) -> bool:
        """True when this worker created the run, so it schedules the start pages."""
        return self.join().created

    def join(self) -> Membership:
        """Join the open run of the spider, or create it; once per process.

        Raises :class:`WorkerIdInUse` when a live process holds this worker id
        and :class:`SharedCrawlUnreachable` when Redis stays unreachable for
        ``NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS``.
        """
        if self.membership is not None:
            return self.membership
        try:
            self.guard.call(self.reap_dead)
            membership = self.guard.call(self.runs.join, new_run_id(), utc_iso())
            self.guard.call(self.runs.refresh_ttl, membership.run_id, self.run_ttl)
        except WorkerIdInUse:
            raise WorkerIdInUse(self.worker, self.keys.spider, describe(self.url)) from None
        except RedisUnavailable as exc:
            raise SharedCrawlUnreachable(
                f"cannot join the shared crawl on {describe(self.url)}: {exc}"
            ) from None
        self.membership = membership
        if membership.created:
            logger.info("Worker %s started run %s and seeds it", self.worker, membership.run_id)
        else:
            logger.info(
                "Worker %s joined run %s (seeded by %s; %d requests queued)",
                self.worker,
                membership.run_id,
                membership.seeder,
                len(self.queue),
            )
        return membership

    def reap_dead(self) -> dict[str, int]:
        """Requeue the leases of workers whose heartbeat expired (settling their commits)."""
        run_id = self.membership.run_id if self.membership else self.runs.current_run()
        reaped = self.runs.reap_dead(self.queue, self.store, run_id)
        for worker, count in reaped.items():
            logger.warning(
                "Worker %s stopped renewing its leases; %d of its requests are back in the queue",
                worker,
                count,
            )
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(keys.STAT_REDIS_REAPED, count)
        return reaped

    # ticks ------------------------------------------------------------------

    def engine_started_(self) -> None:
        self.engine_started = True

    def spider_opened(self, spider: Any) -> None:
        self._loop = LoopingCall(self.tick)
        self._loop.start(self.tick_seconds, now=False)

    def locally_busy(self) -> bool:
        """Requests of this worker are being downloaded, parsed or waiting to be sent (or
        a take's lost reply may hide one in its leases)."""
        if (self.scheduler is not None and self.scheduler.outbox) or self.queue.unsure:
            return True
        engine = self.crawler.engine
        if getattr(engine.downloader, "active", None):
            return True
        slot = getattr(engine.scraper, "slot", None)
        return slot is not None and not slot.is_idle()

    def tick(self) -> None:
        if self.stop_reason is not None:
            return
        try:
            self._tick()
        except RedisDown:
            if self.guard.exceeded():
                self.stop(
                    f"Redis unreachable for more than {self.guard.outage_limit:.0f} s "
                    "(NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS)"
                )
        except WorkerFenced:
            self.fenced()
        except Exception:
            logger.exception("Shared-crawl tick failed")

    def _tick(self) -> None:
        busy = self.locally_busy()
        if not self.guard.try_call(self.runs.heartbeat, busy):
            raise WorkerFenced(self.worker)
        if self.queue.unsure:
            lost = self.guard.try_call(self.queue.release_unreceived)
            if lost:
                logger.warning(
                    "%d requests taken while Redis went away never reached worker %s; "
                    "they are back in the queue",
                    lost,
                    self.worker,
                )
        if self.scheduler is not None:
            self.scheduler.flush_outbox()
        self.guard.try_call(self.limiter.renew)
        self._ticks += 1
        if self._ticks % _SWEEP_EVERY == 0:
            self.guard.try_call(self.reap_dead)
            self.guard.try_call(self.runs.refresh_ttl, self.run_id, self.run_ttl)
        if not busy:
            self.wake_engine()

    def wake_engine(self) -> None:
        """Have the engine ask the scheduler for requests now, not at its next 5 s heartbeat."""
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def fenced(self) -> None:
        self.stop(
            "this worker was presumed dead (no heartbeat for a lease) and its requests "
            "were handed to other workers"
        )

    def stop(self, why: str) -> None:
        """Close the spider because the shared state is lost; nothing gets committed."""
        if self.stop_reason is not None:
            return
        self.stop_reason = FINISH_SHARED_STATE_UNAVAILABLE
        logger.error("Worker %s stops: %s", self.worker, why)
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):
            deferred_from_coro(engine.close_spider_async(reason=FINISH_SHARED_STATE_UNAVAILABLE))
        else:  # Scrapy < 2.14
            engine.close_spider(self.crawler.spider, FINISH_SHARED_STATE_UNAVAILABLE)

    def spider_idle(self, spider: Any) -> None:
        """Keep the spider open until the whole shared crawl has been idle long enough."""
        if self.stop_reason is not None:
            return
        try:
            idle = self.guard.try_call(self.runs.shared_idle, max(2.0, 3 * self.tick_seconds))
        except RedisDown:
            raise DontCloseSpider from None
        if (self.scheduler is not None and self.scheduler.outbox) or self.queue.unsure:
            idle = False
        if not idle:
            self._idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.idle_exit_seconds:
            raise DontCloseSpider
        logger.info(
            "The shared queue has been empty for %.0f s (NEWSCRAWL_IDLE_EXIT_SECONDS): "
            "worker %s stops",
            now - self._idle_since,
            self.worker,
        )

    # exports ---------------------------------------------------------------

    def begin_commit(self, path: str, identity: str | None = None) -> bool:
        """A data file is about to be renamed into place; False forbids it.

        Records the commit mark in Redis with the temporary file's ``identity``
        (see :meth:`~newscrawl.distributed.store.RedisStateStore.mark_committing`).
        """
        if self.stop_reason is not None and self.guard.exceeded():
            logger.error("Redis is unreachable: %s is not committed", path)
            self.commits_refused += 1
            return False
        try:
            self.store.mark_committing(self.run_id, path, identity)
        except WorkerFenced:
            self.commits_refused += 1
            logger.error(
                "Worker %s was reaped: its data file %s is dropped, other workers export "
                "its articles",
                self.worker,
                path,
            )
            return False
        except RedisUnavailable as exc:
            self.commits_refused += 1
            logger.error("Cannot commit %s: %s", path, exc)
            return False
        return True

    def commits_failed(self) -> int:
        """Data files whose commit the shared state refused (dropped) or lost (not known)."""
        return self.commits_refused + self.store.failed_commits

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.finish_reason = reason
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value(keys.STAT_REDIS_OUTAGES, self.guard.outages)
        try:
            values = stats.get_stats() if stats is not None else {}
            self.guard.try_call(self.runs.add_stats, self.run_id, values, self.run_ttl)
        except (RedisDown, RedisUnavailable):
            logger.error("Run statistics of worker %s not added: Redis unreachable", self.worker)
        if not self.engine_started:  # the crawl failed to start: nothing to wait for
            self.settle()

    def engine_stopped(self) -> None:
        """Count failed commits for the verdict, settle the leases and leave the run."""
        failed = self.commits_failed()
        if failed and self.crawler.stats is not None:
            self.crawler.stats.set_value(keys.STAT_REDIS_COMMITS_FAILED, failed)
        self.settle()

    def settle(self) -> None:
        """Acknowledge this worker's leases (all committed) or give them back; leave the run.

        Leases are acknowledged only when the run finished and every exported
        record was committed; otherwise the requests go back to the queue, and the
        shared run will not count as complete (the next run reads every list page).
        """
        if self.settled:
            return
        self.settled = True
        committed = not self.commits_failed() and not self.store.has_pending()
        finished = self.finish_reason == "finished" and committed
        try:
            if self.scheduler is not None:
                self.scheduler.flush_outbox()
            if finished:
                count = self.guard.try_call(self.queue.acknowledge_all)
                logger.info("Worker %s acknowledged %d requests", self.worker, count)
            else:
                count = self.guard.try_call(self.queue.release_all)
                logger.warning(
                    "Worker %s stopped early (%s): %d requests back in the queue",
                    self.worker,
                    self.finish_reason,
                    count,
                )
            ended = self.guard.try_call(self.runs.leave, self.run_id, utc_iso(), finished)
        except WorkerFenced:
            logger.warning(
                "Worker %s had been reaped; its requests were already requeued", self.worker
            )
            return
        except (RedisDown, RedisUnavailable):
            logger.error(
                "Worker %s could not settle its leases (Redis unreachable); they return to "
                "the queue after the lease timeout",
                self.worker,
            )
            return
        if ended:
            logger.info("Run %s ended: worker %s was the last one", self.run_id, self.worker)


def worker_of(crawler: Crawler) -> DistributedWorker:
    """The crawler's :class:`DistributedWorker` (it must be enabled)."""
    worker = crawler.get_extension(DistributedWorker)
    if worker is None:
        raise RuntimeError("the DistributedWorker extension is not enabled")
    return worker
