"""The run's identity and its state store, kept in step with what the run exports."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.atomic import remove_stale_temp_files
from newscrawl.crawling import keys
from newscrawl.crawling.feeds import AtomicFileFeedStorage, local_feed_directories
from newscrawl.crawling.filefailures import record_file_failure
from newscrawl.crawling.signals import feed_committing
from newscrawl.runs.state import (
    RunStatus,
    SQLiteStateStore,
    StateStore,
    file_identity,
    new_run_id,
    state_file,
)

if TYPE_CHECKING:
    from newscrawl.crawling.distributed.worker import DistributedWorker

logger = logging.getLogger(__name__)


def _link_urls(response: Any) -> list[str]:
    """The URLs the article of ``response`` (a Response, or the Failure of an errback) was
    asked for before the URL it was read from (:data:`keys.META_LINK_URLS`)."""
    request = getattr(response, "request", None)
    meta = getattr(request, "meta", None) or {}
    return list(meta.get(keys.META_LINK_URLS, ()))


class _RecordedStore:
    """A state store whose failures are recorded (exit 1 naming the file) and stop the crawl.

    Whatever the store raises is raised again to its caller, so nothing that
    depends on the failed call goes on (an item is not exported, a feed is not
    renamed into place).
    """

    def __init__(self, store: StateStore, crawler: Crawler, path: Path) -> None:
        self._store = store
        self._crawler = crawler
        self._path = path

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except Exception as exc:
                record_file_failure(self._crawler, "state", self._path, exc)
                raise

        return call


class RunState:
    """Owns the run id and, on incremental runs, the state store the other components share.

    Components reach it with ``crawler.get_extension(RunState)``. On incremental
    runs (``NEWSCRAWL_INCREMENTAL`` on and no ``NEWSCRAWL_REPLAY``) the store is
    opened and checked when the crawler is built, before anything is fetched: a
    damaged store stops the run there (:class:`~newscrawl.runs.state.StateStoreDamaged`,
    exit 1, naming the file and the ``newscrawl state`` commands). The run then
    records exported articles as pending and makes them known when their data
    file is in place; on start, runs that never finished are settled. On every
    run, temporary feed files left by killed runs are removed.
    ``NEWSCRAWL_FULL_RUN`` (or ``-a full=1``) makes the run ignore what the store
    knows, but it still records what it exports.

    In a shared crawl (``NEWSCRAWL_REDIS_URL``) the run id is the shared run's
    and the store is the Redis one, both from the crawl's
    :class:`~newscrawl.crawling.distributed.worker.DistributedWorker` (taken on
    first use: the worker joined the run when it was built, and is reachable once
    every extension is).
    """

    def __init__(self, crawler: Crawler, state_dir: Path, incremental: bool, full: bool) -> None:
        self.crawler = crawler
        self.state_dir = state_dir
        self.incremental = incremental
        self.full_run = full
        self.shared = bool(crawler.settings.get("NEWSCRAWL_REDIS_URL"))
        self._own_run_id = new_run_id()
        self.data_files: list[str] = []
        self._store: StateStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunState:
        settings = crawler.settings
        incremental = settings.getbool("NEWSCRAWL_INCREMENTAL") and not settings.getlist(
            "NEWSCRAWL_REPLAY"
        )
        ext = cls(
            crawler,
            Path(settings["NEWSCRAWL_STATE_DIR"]),
            incremental,
            settings.getbool("NEWSCRAWL_FULL_RUN"),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        if incremental:
            if not ext.shared:  # a shared crawl's store comes with its worker, built later
                ext._store = ext.open_store()
            crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
            crawler.signals.connect(ext.feed_committing, signal=feed_committing)
            crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
            crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def worker(self) -> DistributedWorker | None:
        """The worker of the shared crawl this crawl belongs to; None for an embedded run."""
        if not self.shared:
            return None
        from newscrawl.crawling.distributed.worker import DistributedWorker  # imports redis

        return self.crawler.get_extension(DistributedWorker)

    @property
    def worker_id(self) -> str | None:
        """``NEWSCRAWL_WORKER_ID`` of a shared crawl's worker (in its file names); else None."""
        worker = self.worker
        return worker.worker if worker is not None else None

    @property
    def run_id(self) -> str:
        """The run's id; in a shared crawl the id of the run the worker joined."""
        worker = self.worker
        return worker.run_id if worker is not None else self._own_run_id

    @property
    def store(self) -> StateStore | None:
        """The run's state store, or None when the run is not incremental."""
        if self._store is None and self.incremental:
            self._store = self.open_store()
        return self._store

    @property
    def store_path(self) -> Path:
        """``<NEWSCRAWL_STATE_DIR>/<spider>.sqlite3``."""
        return state_file(self.state_dir, self.crawler.spidercls.name)

    def open_store(self) -> StateStore:
        """The state store of this spider (a damaged one raises), or the shared crawl's
        store in Redis."""
        worker = self.worker
        if worker is not None:
            return worker.store
        store = SQLiteStateStore(self.store_path)
        return cast(StateStore, _RecordedStore(store, self.crawler, self.store_path))

    @property
    def incremental_store(self) -> StateStore:
        """The run's state store, for the components that exist only on incremental runs."""
        store = self.store
        assert store is not None, "the state store is only used on incremental runs"
        return store

    def spider_opened(self, spider: Any) -> None:
        if self.incremental:
            dead = self.incremental_store.recover()
            if dead:
                logger.warning(
                    "Earlier runs did not finish: %s; their articles will be fetched again", dead
                )
        worker_id = self.worker_id
        for directory in local_feed_directories(self.crawler.settings, spider.name):
            for temp in remove_stale_temp_files(directory, worker_id):
                logger.warning("Removed the unfinished data file of a killed run: %s", temp)
        if self.incremental:
            self.incremental_store.start_run(self.run_id, spider.name)

    def item_scraped(self, item: Any, response: Any = None) -> None:
        if isinstance(item, dict) and "url" in item and "content_hash" in item:
            self.incremental_store.add_pending(self.run_id, item, _link_urls(response))

    def feed_committing(self, path: Path, temp: Path | None = None) -> None:
        identity = file_identity(temp) if temp is not None else None
        self.incremental_store.mark_committing(self.run_id, str(path), identity)

    def feed_slot_closed(self, slot: Any) -> None:
        storage = slot.storage
        if isinstance(storage, AtomicFileFeedStorage):
            if not storage.committed:
                return
            self.data_files.append(str(storage.final_path))
        committed = self.incremental_store.commit_run(self.run_id, self.data_files)
        logger.info("%d exported articles are now known to the state store", committed)

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.incremental_store.finish_run(
            self.run_id,
            RunStatus.FINISHED if reason == "finished" else RunStatus.FAILED,
            stats.get(keys.STAT_LIST_ITEMS, 0),
            stats.get(keys.SCRAPY_ITEMS_SCRAPED, 0),
        )
