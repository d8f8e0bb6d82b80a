"""Write a run manifest next to the data file and turn the run's health into an exit code."""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.extensions.runstate import feed_directories
from newscrawl.feeds import AtomicFileFeedStorage
from newscrawl.monitor import COVERED_FIELDS, Thresholds, Verdict, assess
from newscrawl.state import incremental_enabled, run_id_for, store_for, utc_now

logger = logging.getLogger(__name__)
_MAX_ERRORS = 20


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < _MAX_ERRORS:
            self.messages.append(f"{record.name}: {record.getMessage()}"[:500])


def _exit_with(code: int) -> None:
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class RunManifest:
    """At the end of a run: judge its health, write ``<data file>.manifest.json``.

    The manifest holds the run id, spider, start/end, exit status and reasons,
    counts, field coverage, errors and data files. With
    ``NEWSCRAWL_EXIT_CODE`` on (the default) an unhealthy run makes the
    process exit non-zero, also under plain ``scrapy crawl``.
    """

    def __init__(self, crawler: Crawler, thresholds: Thresholds) -> None:
        self.crawler = crawler
        self.thresholds = thresholds
        self.started_at = utc_now()
        self.records = 0
        self.filled: Counter[str] = Counter()
        self.data_files: list[str] = []
        self.errors = _ErrorCollector()
        self.verdict: Verdict | None = None
        self.manifest_path: Path | None = None
        self.final_stats: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        settings = crawler.settings
        thresholds = Thresholds(
            max_error_rate=settings.getfloat("NEWSCRAWL_MAX_ERROR_RATE"),
            min_coverage=settings.getfloat("NEWSCRAWL_MIN_FIELD_COVERAGE"),
            min_records_for_coverage=settings.getint("NEWSCRAWL_MIN_RECORDS_FOR_COVERAGE"),
        )
        ext = cls(crawler, thresholds)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Any) -> None:
        logging.getLogger().addHandler(self.errors)

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
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats else {}
        stats["finish_reason"] = reason
        self.final_stats = stats

    def coverage(self) -> dict[str, float]:
        return {n: (self.filled[n] / self.records if self.records else 0.0) for n in COVERED_FIELDS}

    def _earlier_runs_found_articles(self, spider_name: str) -> bool:
        if not incremental_enabled(self.crawler.settings):
            return True
        return store_for(self.crawler).previous_runs_found_articles(
            spider_name, run_id_for(self.crawler)
        )

    def _manifest_path(self, spider_name: str) -> Path:
        if self.data_files and "://" not in self.data_files[0]:
            data = Path(self.data_files[0])
            return data.with_name(data.name.rsplit(".", 1)[0] + ".manifest.json")
        directories = feed_directories(self.crawler, spider_name) or [Path("output") / spider_name]
        stamp = self.started_at.strftime("%Y-%m-%dT%H-%M-%S+00-00")
        worker = self.crawler.settings.get("NEWSCRAWL_WORKER_ID")
        if worker:
            stamp += f"-{worker}"
        return directories[0] / f"{stamp}.manifest.json"

    def engine_stopped(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        spider_name = self.crawler.spidercls.name
        stats = self.final_stats
        coverage = self.coverage()
        self.verdict = assess(
            stats,
            coverage,
            self.records,
            self._earlier_runs_found_articles(spider_name),
            self.thresholds,
        )
        manifest = {
            "run_id": run_id_for(self.crawler),
            "spider": spider_name,
            "worker": self.crawler.settings.get("NEWSCRAWL_WORKER_ID"),
            "started_at": self.started_at.isoformat(),
            "finished_at": utc_now().isoformat(),
            "finish_reason": stats.get("finish_reason"),
            "exit_code": self.verdict.exit_code,
            "healthy": self.verdict.healthy,
            "reasons": self.verdict.reasons,
            "counts": {
                "list_pages": stats.get("newscrawl/list_pages", 0),
                "list_items": stats.get("newscrawl/list_items", 0),
                "requests": stats.get("downloader/request_count", 0),
                "articles_exported": self.records,
                "articles_new": stats.get("newscrawl/articles_new", self.records),
                "articles_updated": stats.get("newscrawl/articles_updated", 0),
                "articles_unchanged": stats.get("newscrawl/dropped/unchanged", 0),
                "articles_skipped_known": stats.get("newscrawl/articles_skipped_known", 0),
                "articles_failed": stats.get("newscrawl/articles_failed", 0),
                "article_pages_failed": stats.get("newscrawl/article_pages_failed", 0),
                "duplicates_dropped": stats.get("newscrawl/dropped/duplicate", 0),
            },
            "field_coverage": {name: round(share, 4) for name, share in coverage.items()},
            "errors": self.errors.messages,
            "data_files": self.data_files,
        }
        self.manifest_path = self._manifest_path(spider_name)
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_name("." + self.manifest_path.name + ".part")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
        os.replace(tmp, self.manifest_path)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newscrawl/exit_code", self.verdict.exit_code)
        if self.verdict.healthy:
            logger.info("Run healthy; manifest: %s", self.manifest_path)
            return
        for reason in self.verdict.reasons:
            logger.error("Run unhealthy: %s", reason)
            print(f"newscrawl: run unhealthy: {reason}", file=sys.stderr, flush=True)
        if self.crawler.settings.getbool("NEWSCRAWL_EXIT_CODE"):
            atexit.register(_exit_with, self.verdict.exit_code)
