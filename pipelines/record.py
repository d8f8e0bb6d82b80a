"""Turn crawled article pages into normalised article records."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from newscrawl.items import ArticlePages
from newscrawl.record import RecordOptions, build_record


class ArticleRecordPipeline:
    """Normalise an :class:`ArticlePages` item into the exported record.

    Settings: ``NEWSCRAWL_TO_SIMPLIFIED`` (convert Traditional text to
    Simplified, default off).
    """

    def __init__(self, crawler: Crawler, to_simplified: bool = False) -> None:
        self.crawler = crawler
        self.to_simplified = to_simplified

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleRecordPipeline:
        return cls(crawler, crawler.settings.getbool("NEWSCRAWL_TO_SIMPLIFIED"))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePages):
            return item
        profile = getattr(self.crawler.spider, "profile", None)
        options = RecordOptions(
            to_simplified=self.to_simplified,
            title_suffixes=profile.title_suffixes if profile else (),
        )
        record = build_record(
            item.pages,
            site=item.site,
            crawled_at=item.crawled_at,
            options=options,
            archive=item.archive,
            expected_pages=item.expected_pages,
        )
        record["warnings"] = list(dict.fromkeys(record["warnings"] + item.warnings))
        stats = self.crawler.stats
        if stats is not None:
            for warning in record["warnings"]:
                stats.inc_value(f"newscrawl/warnings/{warning}")
        return record
