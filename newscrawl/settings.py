"""Scrapy settings of the newscrawl project (the only defaults file).

Grouped by concern; every value can be overridden with ``-s NAME=VALUE`` or a
spider's ``custom_settings``. Project settings are prefixed ``NEWSCRAWL_``.
"""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Politeness: a cron job hitting a news portal every few minutes must stay a
# light, identifiable visitor.
ROBOTSTXT_OBEY = True
USER_AGENT = f"newscrawl/{__version__} (news archiver; Scrapy; respects robots.txt)"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Export: one UTF-8 JSON line per article, non-ASCII written as is.
FEEDS = {
    "output/%(name)s/%(time)s.jsonl": {"format": "jsonlines", "encoding": "utf-8"},
}
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORE_EMPTY = False

ITEM_PIPELINES = {
    "pipelines.record.ArticleRecordPipeline": 300,
    "pipelines.dedupe.DuplicateRecordPipeline": 400,
}

EXTENSIONS = {
    "newscrawl.extensions.statsfile.StatsFile": 500,
}

# newscrawl
NEWSCRAWL_MAX_LIST_PAGES = 5
NEWSCRAWL_STATS_FILE = None
NEWSCRAWL_TO_SIMPLIFIED = False

LOG_LEVEL = "INFO"
