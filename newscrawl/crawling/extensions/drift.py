"""Fold a run's exported records into drift statistics; judge and store the run at its end.

A thin hook around :mod:`newscrawl.runs.drift` and :mod:`newscrawl.runs.history`:
every ``item_scraped`` record is folded into :class:`RunStats`; when the spider
closes the run is checked against the site's recent healthy runs and the alarms
go into the stats (:data:`DRIFT_ALARMS`, read by the manifest and the exit code);
when the engine stops, after the run's verdict is known, the run is stored in the
history, as healthy (feeding later baselines) only when its exit code is 0.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from newscrawl.clock import utc_iso, utc_now
from newscrawl.crawling import keys
from newscrawl.crawling.extensions.runstate import RunState
from newscrawl.health.location import HistoryLocation
from newscrawl.runs.drift import DriftOptions, DriftVerdict, check
from newscrawl.runs.history import RunSummary
from newscrawl.runs.stats import RunStats

logger = logging.getLogger(__name__)

_SETTING_PREFIX = "NEWSCRAWL_DRIFT_"


def drift_options(settings: BaseSettings) -> DriftOptions:
    """:class:`DriftOptions` from the ``NEWSCRAWL_DRIFT_<NAME>`` settings."""
    values: dict[str, Any] = {}
    for option in dataclasses.fields(DriftOptions):
        name = _SETTING_PREFIX + option.name.upper()
        if settings.get(name) is None:
            continue
        default = option.default
        if isinstance(default, tuple):
            values[option.name] = tuple(settings.getlist(name))
        elif isinstance(default, int):
            values[option.name] = settings.getint(name)
        else:
            values[option.name] = settings.getfloat(name)
    return DriftOptions(**values)


def _failures(stats: dict[str, Any]) -> int:
    return (
        stats.get(keys.STAT_ARTICLES_FAILED, 0)
        + stats.get(keys.STAT_ARTICLE_PAGES_FAILED, 0)
        + stats.get(keys.SCRAPY_SPIDER_EXCEPTIONS, 0)
    )


class DriftMonitor:
    """Drift statistics, checks and run history for one crawl (``NEWSCRAWL_DRIFT``)."""

    def __init__(self, crawler: Crawler, options: DriftOptions, history: HistoryLocation) -> None:
        self.crawler = crawler
        self.options = options
        self.history = history
        self.stats = RunStats()
        self.verdict: DriftVerdict | None = None
        self.started_at = utc_now()
        self.finish_reason = ""
        self.data_files: list[str] = []
        self.store = not crawler.settings.getlist("NEWSCRAWL_REPLAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DriftMonitor:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_DRIFT"):
            raise NotConfigured
        ext = cls(crawler, drift_options(settings), HistoryLocation.from_settings(settings))
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    @property
    def site(self) -> str:
        return self.crawler.spidercls.name

    def item_scraped(self, item: Any) -> None:
        if ItemAdapter.is_item(item):
            record = item if isinstance(item, dict) else ItemAdapter(item).asdict()
            self.stats.add(record, line=self.stats.records + 1)

    def feed_slot_closed(self, slot: Any) -> None:
        storage = slot.storage
        final = getattr(storage, "final_path", None)
        if final is not None and getattr(storage, "committed", True):
            self.data_files.append(str(Path(final).resolve()))
        elif final is None:
            self.data_files.append(str(slot.uri))

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Judge the run; alarms go into the stats before the manifest reads them."""
        self.finish_reason = reason
        stats = self.crawler.stats
        try:
            with closing(self.history.open()) as history:
                baseline = history.healthy(self.site, self.options.history_max_runs)
        except (sqlite3.Error, OSError) as exc:
            where = self.history.describe()
            logger.error("Drift checks skipped: run history %s unusable: %s", where, exc)
            stats.set_value(keys.STAT_DRIFT_STATUS, f"history unusable: {exc}")
            self.store = False
            return
        self.verdict = check(self.stats, [run.stats for run in baseline], self.options)
        stats.set_value(keys.STAT_DRIFT_STATUS, self.verdict.status)
        stats.set_value(keys.STAT_DRIFT_ALARMS, [alarm.to_dict() for alarm in self.verdict.alarms])
        stats.set_value(keys.STAT_DRIFT_BASELINE_RUNS, self.verdict.baseline_runs)
        stats.set_value(keys.STAT_DRIFT_BASELINE_RECORDS, self.verdict.baseline_records)
        for alarm in self.verdict.alarms:
            logger.warning("Template drift: %s", alarm.summary())
        logger.info("Drift checks of %s: %s", self.site, self.verdict.describe())

    def engine_stopped(self) -> None:
        """Store the run once its exit code is known (the manifest sets it before this)."""
        if not self.store or self.verdict is None:
            return
        stats = self.crawler.stats.get_stats()
        exit_code = stats.get(keys.STAT_EXIT_CODE)
        if exit_code is None:
            healthy = self.finish_reason == "finished" and not self.verdict.alarms
        else:
            healthy = exit_code == 0
        run_state = self.crawler.get_extension(RunState)
        run_id = run_state.run_id if run_state is not None else utc_iso(self.started_at)
        if run_state is not None and run_state.worker_id:  # one worker's share of a shared run
            run_id = f"{run_id}-{run_state.worker_id}"
        summary = RunSummary(
            site=self.site,
            run_id=run_id,
            started_at=utc_iso(self.started_at),
            finished_at=utc_iso(),
            stats=self.stats,
            exit_code=exit_code,
            healthy=healthy,
            drift_status=self.verdict.status,
            alarms=list(self.verdict.alarms),
            errors=_failures(stats),
            requests=stats.get(keys.SCRAPY_REQUEST_COUNT, 0),
            data_file=self.data_files[0] if self.data_files else None,
        )
        try:
            with closing(self.history.open()) as history:
                history.add(summary)
        except (sqlite3.Error, OSError) as exc:
            where = self.history.describe()
            logger.error("Run not stored in the run history %s: %s", where, exc)


__all__ = ["DriftMonitor", "drift_options"]
