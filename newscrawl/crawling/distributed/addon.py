"""The Scrapy add-on that turns a crawl into a worker of a shared Redis crawl.

Registered in the project's ``ADDONS``; does nothing unless
``NEWSCRAWL_REDIS_URL`` is set, and imports neither redis nor scrapy-redis.
With it set, the add-on:

* gives the worker an id (``NEWSCRAWL_WORKER_ID``, default ``<host>-<pid>``)
  and puts it in the names of local data files (``out.jsonl`` ->
  ``out-<worker>.jsonl``; a ``%(worker)s`` in a feed URI is replaced instead);
* swaps the scheduler for the scrapy-redis one on leases and the file lock
  for the Redis run coordinator (the worker, whose store and run id the run
  state then uses instead of the SQLite ones), and adds the seeding,
  politeness, claim and feed-storage components;
* moves ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` to the shared
  limiter (they then hold across all workers) and turns the per-process
  delay and AutoThrottle off, since neither can see the other workers.
"""

from __future__ import annotations

import os
import re
import socket
from typing import Any

from scrapy.settings import BaseSettings

#: Settings written by the add-on beat everything but a spider's own.
PRIORITY = 40

_PACKAGE = "newscrawl.crawling.distributed"
_WORKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

COMPONENTS: dict[str, dict[str, int | None]] = {
    "EXTENSIONS": {
        "newscrawl.crawling.extensions.runlock.RunLock": None,
        f"{_PACKAGE}.worker.DistributedWorker": 5,
    },
    "SPIDER_MIDDLEWARES": {f"{_PACKAGE}.seeding.SeedOnceMiddleware": 10},
    "DOWNLOADER_MIDDLEWARES": {f"{_PACKAGE}.politeness.SharedPolitenessMiddleware": 990},
    "ITEM_PIPELINES": {f"{_PACKAGE}.pipelines.ClaimPipeline": 900},
}


class WorkerIdError(ValueError):
    """``NEWSCRAWL_WORKER_ID`` cannot be used in Redis keys and file names."""


def default_worker_id() -> str:
    """``<host>-<pid>``, with characters unfit for file names replaced."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()) or "host"
    return f"{host[:40]}-{os.getpid()}"


def with_worker(uri: str, worker: str) -> str:
    """A local feed URI with the worker id in its file name; remote URIs unchanged."""
    if "%(worker)s" in uri:
        return uri.replace("%(worker)s", worker)
    if "://" in uri and not uri.startswith("file://"):
        return uri
    directory, slash, name = uri.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    named = f"{stem}-{worker}.{suffix}" if dot and stem else f"{name}-{worker}"
    return f"{directory}{slash}{named}"


def _set_entry(settings: BaseSettings, name: str, key: str, value: Any) -> None:
    """Set one entry of a dict setting (EXTENSIONS, FEED_STORAGES …)."""
    current = settings[name]
    if isinstance(current, BaseSettings):
        current.set(key, value, priority=PRIORITY)
    else:
        merged = dict(current or {})
        merged[key] = value
        settings.set(name, merged, priority=PRIORITY)


class RedisWorkersAddon:
    """Make this crawl one worker of the shared crawl named by ``NEWSCRAWL_REDIS_URL``."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("NEWSCRAWL_REDIS_URL"):
            return
        worker = settings.get("NEWSCRAWL_WORKER_ID") or default_worker_id()
        if not _WORKER_ID.match(worker):
            raise WorkerIdError(
                f"NEWSCRAWL_WORKER_ID {worker!r}: use 1-64 letters, digits, '.', '_' or '-'"
            )
        force: dict[str, Any] = {
            "NEWSCRAWL_WORKER_ID": worker,
            "SCHEDULER": f"{_PACKAGE}.scheduler.SharedScheduler",
            "DUPEFILTER_CLASS": f"{_PACKAGE}.scheduler.SharedDupeFilter",
            "SCHEDULER_PERSIST": True,
            "NEWSCRAWL_SHARED_DOWNLOAD_DELAY": settings.getfloat("DOWNLOAD_DELAY"),
            "NEWSCRAWL_SHARED_CONCURRENCY": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
        }
        for name, value in force.items():
            settings.set(name, value, priority=PRIORITY)
        for name, components in COMPONENTS.items():
            for path, order in components.items():
                _set_entry(settings, name, path, order)
        for scheme in ("", "file"):
            _set_entry(settings, "FEED_STORAGES", scheme, f"{_PACKAGE}.feeds.WorkerFeedStorage")
        feeds = settings.getdict("FEEDS")
        if feeds:
            renamed = {with_worker(str(uri), worker): options for uri, options in feeds.items()}
            settings.set("FEEDS", renamed, priority=PRIORITY)
