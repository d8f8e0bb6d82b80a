"""Item pipelines: article pages to record, versions from the state store, one record per id."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.assemble import ArticleAssembly
from newscrawl.clock import utc_iso
from newscrawl.crawling import keys
from newscrawl.crawling.extensions.runstate import RunState
from newscrawl.record import RecordOptions
from newscrawl.runs.state import StateStore


class ArticleRecordPipeline:
    """Build the exported record of a finished :class:`ArticleAssembly`.

    Settings: ``NEWSCRAWL_TO_SIMPLIFIED`` (convert Traditional text to
    Simplified, default off). The record options come from the spider's profile.
    """

    def __init__(self, crawler: Crawler, to_simplified: bool) -> None:
        self.crawler = crawler
        self.to_simplified = to_simplified
        self._options: RecordOptions | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleRecordPipeline:
        return cls(crawler, crawler.settings.getbool("NEWSCRAWL_TO_SIMPLIFIED"))

    @property
    def options(self) -> RecordOptions:
        if self._options is None:
            profile = getattr(self.crawler.spider, "profile", None)
            self._options = RecordOptions.for_profile(profile, to_simplified=self.to_simplified)
        return self._options

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleAssembly):
            return item
        record = item.record(self.options)
        for warning in record["warnings"]:
            self.crawler.stats.inc_value(keys.warning_stat(warning))
        return record


class VersioningPipeline:
    """Compare a record with the last exported version of the same URL.

    Unchanged content is dropped (and the check time remembered); changed
    content is exported with the same ``id``, ``version`` + 1 and ``updated_at``.
    """

    def __init__(self, crawler: Crawler, run_state: RunState) -> None:
        self.crawler = crawler
        self.run_state = run_state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> VersioningPipeline:
        run_state = crawler.get_extension(RunState)
        if run_state is None or not run_state.incremental:
            raise NotConfigured
        return cls(crawler, run_state)

    @property
    def store(self) -> StateStore:
        store = self.run_state.store
        assert store is not None
        return store

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        store = self.store
        known = store.get(item["url"])
        if known is None:
            self._count(keys.STAT_ARTICLES_NEW)
            return item
        if known.content_hash == item["content_hash"]:
            store.touch(item["url"])
            if not self.run_state.full_run:
                self._count(keys.STAT_DROPPED_UNCHANGED)
                raise DropItem(f"unchanged since version {known.version}: {item['url']}")
            item["version"] = known.version
            return item
        item["version"] = known.version + 1
        item["updated_at"] = utc_iso()
        self._count(keys.STAT_ARTICLES_UPDATED)
        return item


class DuplicateRecordPipeline:
    """Export each article id once per run (the same article can be linked from many lists)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicateRecordPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record_id = item.get("id") if isinstance(item, dict) else None
        if record_id is None:
            return item
        if record_id in self.seen:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(keys.STAT_DROPPED_DUPLICATE)
            raise DropItem(f"duplicate record {record_id}")
        self.seen.add(record_id)
        return item
