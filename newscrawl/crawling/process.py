"""Run a spider in-process with the project settings (used by the CLI)."""

from __future__ import annotations

import os
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.conf import closest_scrapy_cfg
from scrapy.utils.project import get_project_settings


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


def run_spider(name: str, settings: Settings, **spider_args: Any) -> dict[str, Any]:
    """Crawl with the spider called ``name`` until it finishes; returns its final stats."""
    spider_cls = SpiderLoader.from_settings(settings).load(name)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **spider_args)
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats else {}
