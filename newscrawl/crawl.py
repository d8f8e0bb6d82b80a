"""Run a spider in-process with the project settings (used by the CLI)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The project's settings (``newscrawl.settings``) with ``overrides`` on top."""
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def run_spider(name: str, settings: Settings, **spider_args: Any) -> dict[str, Any]:
    """Crawl with the spider called ``name`` until it finishes; returns its final stats."""
    spider_cls = SpiderLoader.from_settings(settings).load(name)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **spider_args)
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats else {}
