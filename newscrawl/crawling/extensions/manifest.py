"""Judge the run's health and write a run manifest next to the data file."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.atomic import remove_stale_temp_files, write_atomic
from newscrawl.clock import file_stamp, utc_iso, utc_now
from newscrawl.crawling import keys
from newscrawl.crawling.extensions.runstate import RunState
from newscrawl.crawling.feeds import AtomicFileFeedStorage, local_feed_directories
from newscrawl.crawling.filefailures import record_file_failure
from newscrawl.runs.monitor import (
    COVERED_FIELDS,
    EXIT_FAILED,
    RunCounts,
    Thresholds,
    Verdict,
    assess,
    file_failure_reason,
)

logger = logging.getLogger(__name__)
_MAX_ERRORS = 20


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < _MAX_ERRORS:
            self.messages.append(f"{record.name}: {record.getMessage()}"[:500])


def run_counts(stats: dict[str, Any], finish_reason: str) -> RunCounts:
    """The counters the health verdict reads, from the crawl stats."""
    feed_failures = sum(
        value
        for key, value in stats.items()
        if key.startswith(keys.SCRAPY_FEED_FAILED_PREFIX) and isinstance(value, int)
    )
    return RunCounts(
        finish_reason=finish_reason,
        list_pages=stats.get(keys.STAT_LIST_PAGES, 0),
        list_items=stats.get(keys.STAT_LIST_ITEMS, 0),
        article_pages=stats.get(keys.STAT_ARTICLE_PAGES, 0),
        articles_failed=stats.get(keys.STAT_ARTICLES_FAILED, 0),
        article_pages_failed=stats.get(keys.STAT_ARTICLE_PAGES_FAILED, 0),
        spider_exceptions=stats.get(keys.SCRAPY_SPIDER_EXCEPTIONS, 0),
        feed_store_failures=feed_failures,
        critical_errors=stats.get(keys.SCRAPY_CRITICAL_LOGS, 0),
        list_pages_failed=stats.get(keys.STAT_LIST_PAGES_FAILED, 0),
        list_pages_ignored=stats.get(keys.STAT_LIST_PAGES_IGNORED, 0),
        channels_failed=stats.get(keys.STAT_CHANNELS_FAILED, 0),
        list_page_reasons=Counter(
            entry["reason"]
            for listed in (keys.STAT_FAILED_URLS, keys.STAT_IGNORED_URLS)
            for entry in stats.get(listed) or ()
            if entry.get("kind") == "list_page"
        ),
        shared_commits_failed=stats.get(keys.STAT_REDIS_COMMITS_FAILED, 0),
        file_failures=tuple(stats.get(keys.STAT_FILE_FAILURES) or ()),
    )


def failure_report(stats: dict[str, Any], which: str) -> dict[str, Any]:
    """The manifest's ``failures`` (``which="failed"``) or ``ignored`` block: count, counts
    by reason, the URLs listed with kind and reason, and how many were not listed."""
    listed, overflow = {
        "failed": (keys.STAT_FAILED_URLS, keys.STAT_FAILED_NOT_LISTED),
        "ignored": (keys.STAT_IGNORED_URLS, keys.STAT_IGNORED_NOT_LISTED),
    }[which]
    by_reason = keys.stats_by_prefix(stats, which)
    return {
        "count": sum(by_reason.values()),
        "by_reason": dict(sorted(by_reason.items())),
        "urls": list(stats.get(listed) or []),
        "not_listed": stats.get(overflow, 0),
    }


class RunManifest:
    """At the end of a run: judge its health, write ``<data file>.manifest.json``.

    The manifest holds the run id, spider, start/end, exit status and reasons,
    counts, field coverage, errors and data files; in a shared crawl also the
    worker (each worker writes its own, ``newscrawl manifest merge`` joins them).
    The verdict also goes into
    the stats (``newscrawl/exit_code``, ``newscrawl/health_reasons``), from which
    the crawl command takes the process exit code. Settings: the health limits
    ``NEWSCRAWL_MAX_ERROR_RATE``, ``NEWSCRAWL_MIN_FIELD_COVERAGE``,
    ``NEWSCRAWL_MIN_RECORDS_FOR_COVERAGE``; ``NEWSCRAWL_MANIFEST_DIR`` when no
    feed writes a local file.
    """

    def __init__(self, crawler: Crawler, thresholds: Thresholds, fallback_dir: str) -> None:
        self.crawler = crawler
        self.thresholds = thresholds
        self.fallback_dir = fallback_dir
        self.started_at = utc_now()
        self.records = 0
        self.filled: Counter[str] = Counter()
        self.data_files: list[str] = []
        self.errors = _ErrorCollector()
        self.verdict: Verdict | None = None
        self.manifest_path: Path | None = None
        self.finish_reason = "unknown"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        settings = crawler.settings
        thresholds = Thresholds(
            max_error_rate=settings.getfloat("NEWSCRAWL_MAX_ERROR_RATE"),
            min_coverage=settings.getfloat("NEWSCRAWL_MIN_FIELD_COVERAGE"),
            min_records_for_coverage=settings.getint("NEWSCRAWL_MIN_RECORDS_FOR_COVERAGE"),
        )
        ext = cls(crawler, thresholds, settings["NEWSCRAWL_MANIFEST_DIR"])
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Any) -> None:
        logging.getLogger().addHandler(self.errors)
        for temp in remove_stale_temp_files(self._fallback_directory(spider.name)):
            logger.warning("Removed the unfinished manifest of a killed run: %s", temp)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, dict):
            self.records += 1
            self.filled.update(name for name in COVERED_FIELDS if item.get(name))

    def feed_slot_closed(self, slot: Any) -> None:
        storage = slot.storage
        if isinstance(storage, AtomicFileFeedStorage) and storage.committed:
            self.data_files.append(str(storage.final_path))
        elif not isinstance(storage, AtomicFileFeedStorage):
            self.data_files.append(str(slot.uri))

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.finish_reason = reason

    def coverage(self) -> dict[str, float]:
        return {n: (self.filled[n] / self.records if self.records else 0.0) for n in COVERED_FIELDS}

    def _run_state(self) -> RunState | None:
        return self.crawler.get_extension(RunState)

    def _earlier_runs_found_articles(self, spider_name: str) -> bool:
        run_state = self._run_state()
        if run_state is None or run_state.store is None:
            return True
        try:
            return run_state.store.previous_runs_found_articles(spider_name, run_state.run_id)
        except Exception:  # recorded as a state store failure; the run already fails
            return True

    def _fallback_directory(self, spider_name: str) -> Path:
        """``NEWSCRAWL_MANIFEST_DIR``: when no feed writes a local file, or that place fails."""
        return Path(self.fallback_dir.replace("%(name)s", spider_name))

    def _manifest_path(self, spider_name: str, worker_id: str | None) -> Path:
        if self.data_files and "://" not in self.data_files[0]:
            data = Path(self.data_files[0])
            return data.with_name(data.name.rsplit(".", 1)[0] + ".manifest.json")
        directories = local_feed_directories(self.crawler.settings, spider_name) or [
            self._fallback_directory(spider_name)
        ]
        name = file_stamp(self.started_at) + (f"-{worker_id}" if worker_id else "")
        return directories[0] / f"{name}.manifest.json"

    def _write(
        self, manifest: dict[str, Any], spider_name: str, worker_id: str | None
    ) -> Path | None:
        """Write the manifest beside the data; if that fails, in ``NEWSCRAWL_MANIFEST_DIR``.

        A manifest that cannot be written fails the run (exit 1, the file and the
        OS error named), and the manifest written in the fallback place says so.
        """
        assert self.verdict is not None
        path = self._manifest_path(spider_name, worker_id).resolve()
        fallback = (self._fallback_directory(spider_name) / path.name).resolve()
        for place in dict.fromkeys([path, fallback]):
            try:
                write_atomic(place, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
            except OSError as exc:
                record_file_failure(self.crawler, "manifest", place, exc, stop=False)
                failures = self.crawler.stats.get_value(keys.STAT_FILE_FAILURES) or []
                self.verdict.fail(EXIT_FAILED, file_failure_reason(failures[-1]))
                manifest.update(
                    exit_code=self.verdict.exit_code,
                    healthy=self.verdict.healthy,
                    reasons=self.verdict.reasons,
                    file_failures=failures,
                )
                continue
            return place
        return None

    def engine_stopped(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        spider_name = self.crawler.spidercls.name
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        coverage = self.coverage()
        self.verdict = assess(
            run_counts(stats, self.finish_reason),
            coverage,
            self.records,
            self._earlier_runs_found_articles(spider_name),
            self.thresholds,
            stats.get(keys.STAT_DRIFT_ALARMS) or (),
        )
        run_state = self._run_state()
        worker_id = run_state.worker_id if run_state else None
        manifest = {
            "run_id": run_state.run_id if run_state else None,
            "spider": spider_name,
            "worker": worker_id,
            "started_at": utc_iso(self.started_at),
            "finished_at": utc_iso(),
            "finish_reason": self.finish_reason,
            "exit_code": self.verdict.exit_code,
            "healthy": self.verdict.healthy,
            "reasons": self.verdict.reasons,
            "counts": {
                "list_pages": stats.get(keys.STAT_LIST_PAGES, 0),
                "list_items": stats.get(keys.STAT_LIST_ITEMS, 0),
                "requests": stats.get(keys.SCRAPY_REQUEST_COUNT, 0),
                "articles_exported": self.records,
                "articles_new": stats.get(keys.STAT_ARTICLES_NEW, self.records),
                "articles_updated": stats.get(keys.STAT_ARTICLES_UPDATED, 0),
                "articles_unchanged": stats.get(keys.STAT_DROPPED_UNCHANGED, 0),
                "articles_skipped_known": stats.get(keys.STAT_ARTICLES_SKIPPED_KNOWN, 0),
                "articles_failed": stats.get(keys.STAT_ARTICLES_FAILED, 0),
                "article_pages_failed": stats.get(keys.STAT_ARTICLE_PAGES_FAILED, 0),
                "duplicates_dropped": stats.get(keys.STAT_DROPPED_DUPLICATE, 0),
                # faults (docs/reliability.md)
                "list_pages_failed": stats.get(keys.STAT_LIST_PAGES_FAILED, 0),
                "channels_failed": stats.get(keys.STAT_CHANNELS_FAILED, 0),
                "list_pages_ignored": stats.get(keys.STAT_LIST_PAGES_IGNORED, 0),
                "articles_ignored": stats.get(keys.STAT_ARTICLES_IGNORED, 0),
                "list_items_capped": stats.get(keys.STAT_LIST_ITEMS_CAPPED, 0),
                "articles_incomplete_retried": stats.get(keys.STAT_ARTICLES_INCOMPLETE_RETRIED, 0),
            },
            # every page asked for and not used, with its reason (docs/reliability.md)
            "failures": failure_report(stats, "failed"),
            "ignored": failure_report(stats, "ignored"),
            "field_coverage": {name: round(share, 4) for name, share in coverage.items()},
            "drift": {
                "status": stats.get(keys.STAT_DRIFT_STATUS, "off"),
                "baseline_runs": stats.get(keys.STAT_DRIFT_BASELINE_RUNS, 0),
                "alarms": stats.get(keys.STAT_DRIFT_ALARMS, []),
            },
            "errors": self.errors.messages,
            "data_files": self.data_files,
            "file_failures": list(stats.get(keys.STAT_FILE_FAILURES) or []),
        }
        self.manifest_path = self._write(manifest, spider_name, worker_id)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(keys.STAT_EXIT_CODE, self.verdict.exit_code)
            self.crawler.stats.set_value(keys.STAT_HEALTH_REASONS, list(self.verdict.reasons))
        if self.verdict.healthy:
            logger.info("Run healthy; manifest: %s", self.manifest_path)
            return
        for reason in self.verdict.reasons:
            logger.error("Run unhealthy: %s", reason)
