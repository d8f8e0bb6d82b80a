"""Run a spider in-process, and turn how the run went into the process exit code.

``scrapy crawl`` (through :mod:`newscrawl.crawling.commands.crawl`), ``newscrawl run``
and ``newscrawl demo`` all go through :func:`crawl_and_judge`, so they exit alike.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess, Crawler, CrawlerProcess, CrawlerProcessBase
from scrapy.settings import Settings
from scrapy.utils.conf import closest_scrapy_cfg
from scrapy.utils.project import get_project_settings
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from newscrawl.crawling import keys
from newscrawl.crawling.spider import SpiderArgumentError
from newscrawl.distributed.errors import SharedCrawlUnreachable, WorkerIdInUse
from newscrawl.runs.lock import RunLockBusy, RunLockError
from newscrawl.runs.monitor import (
    EXIT_FAILED,
    EXIT_HEALTHY,
    EXIT_LOCKED,
    EXIT_SHARED_STATE_UNAVAILABLE,
)
from newscrawl.runs.state import StateStoreError

logger = logging.getLogger(__name__)

_ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
#: Start-up refusals and the exit code of each: try again later (75), the shared state
#: cannot be reached (69). Their message says it all (no traceback).
_REFUSALS: dict[type[Exception], int] = {
    RunLockBusy: EXIT_LOCKED,
    WorkerIdInUse: EXIT_LOCKED,
    SharedCrawlUnreachable: EXIT_SHARED_STATE_UNAVAILABLE,
}
#: Start-up errors whose message says it all (no traceback needed).
_EXPLAINED_ERRORS = (*_REFUSALS, RunLockError, SpiderArgumentError, StateStoreError)


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The settings ``scrapy crawl`` would use here, with ``overrides`` on top.

    Inside a Scrapy project (a ``scrapy.cfg`` above the working directory, or
    ``SCRAPY_SETTINGS_MODULE``) that project's settings module; elsewhere
    ``newscrawl.settings``.
    """
    if os.environ.get("SCRAPY_SETTINGS_MODULE") or closest_scrapy_cfg():
        settings = get_project_settings()
    else:
        settings = Settings()
        settings.setmodule("newscrawl.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def crawler_process(settings: Settings) -> CrawlerProcessBase:
    """The crawler process ``scrapy crawl`` would use for these settings."""
    if (
        settings["TWISTED_REACTOR"] == _ASYNCIO_REACTOR
        and not settings.getbool("FORCE_CRAWLER_PROCESS")
    ) or not settings.getbool("TWISTED_REACTOR_ENABLED"):
        return AsyncCrawlerProcess(settings)
    return CrawlerProcess(settings)


@dataclass
class CrawlOutcome:
    """How a run went: its exit code, what to tell the user, and its final stats."""

    exit_code: int
    messages: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def judge(crawler: Crawler, startup_error: BaseException | None) -> CrawlOutcome:
    """The outcome of a finished crawl, from its start-up error or its stats.

    75 when another run held the lock (or, in a shared crawl, another live
    process has this worker id), 69 when a shared crawl's Redis could not be
    reached at start, 1 when the crawl could not start or was never judged,
    else the health code the run manifest put in the stats.
    """
    collector = crawler._stats  # unset when the crawl failed before its stats existed
    stats = dict(collector.get_stats()) if collector is not None else {}
    for refusal, code in _REFUSALS.items():
        if isinstance(startup_error, refusal):
            return CrawlOutcome(code, [f"{startup_error}; exiting with {code}"], stats)
    if startup_error is not None:
        return CrawlOutcome(EXIT_FAILED, [f"the crawl could not start: {startup_error}"], stats)
    code = stats.get(keys.STAT_EXIT_CODE)
    if code is None:
        return CrawlOutcome(EXIT_FAILED, ["the run was not judged (RunManifest is off)"], stats)
    reasons = [f"run unhealthy: {r}" for r in stats.get(keys.STAT_HEALTH_REASONS, [])]
    return CrawlOutcome(int(code), reasons, stats)


class _StartupWatch:
    """Catches the error that stopped a crawl from starting, so it is reported once, cleanly."""

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def follow(self, started: Deferred[Any] | asyncio.Future[Any]) -> None:
        if isinstance(started, Deferred):
            started.addErrback(self._failed)
        else:
            started.add_done_callback(self._done)

    def _note(self, error: BaseException) -> None:
        self.error = error
        if not isinstance(error, _EXPLAINED_ERRORS):
            logger.error("The crawl could not start", exc_info=error)

    def _failed(self, failure: Failure) -> None:
        self._note(failure.value)

    def _done(self, task: asyncio.Future[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._note(task.exception())  # type: ignore[arg-type]


def crawl_and_judge(
    process: CrawlerProcessBase, crawler: Crawler, spider_args: dict[str, Any]
) -> CrawlOutcome:
    """Run ``crawler`` with ``spider_args`` until it finishes; its outcome."""
    watch = _StartupWatch()
    watch.follow(process.crawl(crawler, **spider_args))
    process.start()
    return judge(crawler, watch.error)


def run_spider(name: str, settings: Settings, **spider_args: Any) -> CrawlOutcome:
    """Crawl with the spider called ``name`` in this process; its outcome."""
    process = crawler_process(settings)
    return crawl_and_judge(process, process.create_crawler(name), spider_args)


def report(outcome: CrawlOutcome, stream: Any) -> None:
    """Print the outcome's messages (reasons of an unhealthy run, start-up errors)."""
    if outcome.exit_code == EXIT_HEALTHY:
        return
    for message in outcome.messages:
        print(f"newscrawl: {message}", file=stream, flush=True)
