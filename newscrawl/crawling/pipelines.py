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
from newscrawl.runs.state import StateStore, record_is_incomplete


class ArticleRecordPipeline:
    """Build the exported record of a finished :class:`ArticleAssembly`.

    Settings: ``NEWSCRAWL_TO_SIMPLIFIED`` (convert Traditional text to
    Simplified, default off), ``NEWSCRAWL_TRACKING_PARAMS`` (query parameters left
    out of record URLs and ids). The other record options come from the spider's profile.
    """

    def __init__(
        self, crawler: Crawler, to_simplified: bool, tracking_params: tuple[str, ...]
    ) -> None:
        self.crawler = crawler
        self.to_simplified = to_simplified
        self.tracking_params = tracking_params
        self._options: RecordOptions | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleRecordPipeline:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getbool("NEWSCRAWL_TO_SIMPLIFIED"),
            tuple(settings.getlist("NEWSCRAWL_TRACKING_PARAMS")),
        )

    @property
    def options(self) -> RecordOptions:
        if self._options is None:
            profile = getattr(self.crawler.spider, "profile", None)
            self._options = RecordOptions.for_profile(
                profile, to_simplified=self.to_simplified, tracking_params=self.tracking_params
            )
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
    An article last exported without some of its pages is exported again once its
    pages are all there, even when they add no text; a re-check of a complete
    article that now lacks pages exports nothing (the missing page is counted as a
    failed fetch).
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
        return self.run_state.incremental_store

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(key)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        store = self.store
        known = store.get(item["url"])
        if known is None:
            self._count(keys.STAT_ARTICLES_NEW)
            return item
        incomplete = record_is_incomplete(item)
        if incomplete and not known.incomplete:
            self._count(keys.STAT_DROPPED_LOST_PAGES)
            raise DropItem(f"a re-check lost pages of version {known.version}: {item['url']}")
        if known.content_hash == item["content_hash"] and incomplete == known.incomplete:
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
