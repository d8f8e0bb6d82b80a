"""Scrapy settings of the newscrawl project (the only defaults file).

Grouped by concern; every value can be overridden with ``-s NAME=VALUE`` or a
spider's ``custom_settings``. Project settings are prefixed ``NEWSCRAWL_``.
"""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.crawling.spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` exits with the run's health (NEWSCRAWL_EXIT_CODE), like `newscrawl run`.
COMMANDS_MODULE = "newscrawl.crawling.commands"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

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
# Outputs of one callback processed at a time. Scrapy's default (100) starts 100 asyncio
# tasks for every response, whatever it yields; a callback here yields one item (or
# one request), a list page a few dozen requests, and the item pipelines do not wait on
# anything, so one at a time loses nothing and saves ~1.5 ms of CPU per response.
CONCURRENT_ITEMS = 1
COOKIES_ENABLED = False
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3

# Export: one UTF-8 JSON line per article, non-ASCII written as is; files are
# written under a temporary name and renamed into place when the run ends.
# Used when no feed is configured (-o/-O or FEEDS replace it, not add to it).
NEWSCRAWL_DEFAULT_FEED = "output/%(name)s/%(time)s.jsonl"
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORAGES = {
    "": "newscrawl.crawling.feeds.AtomicFileFeedStorage",
    "file": "newscrawl.crawling.feeds.AtomicFileFeedStorage",
}
FEED_STORE_EMPTY = False

DOWNLOADER_MIDDLEWARES = {
    # crawl scope by host and, where a start URL names one, port (replaces Scrapy's offsite
    # filter); the address check before robots.txt; Retry-After before the retry middleware
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newscrawl.crawling.middlewares.scope.ScopeMiddleware": 50,
    "newscrawl.crawling.middlewares.addresses.AddressCheckMiddleware": 60,
    "newscrawl.crawling.middlewares.retryafter.RetryAfterMiddleware": 560,
    "newscrawl.crawling.middlewares.archive.WarcCaptureMiddleware": 950,
    "newscrawl.crawling.middlewares.archive.WarcReplayMiddleware": 960,
}
SPIDER_MIDDLEWARES = {
    "newscrawl.crawling.middlewares.incremental.IncrementalMiddleware": 950,
}
ITEM_PIPELINES = {
    "newscrawl.crawling.pipelines.ArticleRecordPipeline": 300,
    "newscrawl.crawling.pipelines.VersioningPipeline": 350,
    "newscrawl.crawling.pipelines.DuplicateRecordPipeline": 400,
}
EXTENSIONS = {
    "newscrawl.crawling.extensions.runlock.RunLock": 10,
    "newscrawl.crawling.extensions.runstate.RunState": 500,
    "newscrawl.crawling.extensions.manifest.RunManifest": 510,
    "newscrawl.crawling.extensions.drift.DriftMonitor": 515,
    "newscrawl.crawling.extensions.statsfile.StatsFile": 520,
    "newscrawl.crawling.extensions.garbage.GarbageCollection": 600,
}

# Shared crawl on Redis (docs/distributed.md): off unless NEWSCRAWL_REDIS_URL is set;
# the add-on does nothing (and imports no redis) without it.
ADDONS = {"newscrawl.crawling.distributed.addon.RedisWorkersAddon": 0}
NEWSCRAWL_REDIS_URL = None
NEWSCRAWL_REDIS_PREFIX = "newscrawl"
NEWSCRAWL_WORKER_ID = None
NEWSCRAWL_IDLE_EXIT_SECONDS = 30.0
NEWSCRAWL_REDIS_LEASE_SECONDS = 60.0
NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS = 45.0
NEWSCRAWL_REDIS_RUN_TTL_HOURS = 48.0

# Run safety: one run per spider at a time, incremental state, health checks.
NEWSCRAWL_RUN_LOCK = True
NEWSCRAWL_STATE_DIR = "state"
NEWSCRAWL_INCREMENTAL = True
NEWSCRAWL_FULL_RUN = False
NEWSCRAWL_KNOWN_PAGES_BEFORE_STOP = 1
NEWSCRAWL_RECHECK_INTERVAL_HOURS = 6.0
NEWSCRAWL_RECHECK_WINDOW_HOURS = 48.0
# `scrapy crawl` exits with the run's health code (README: exit codes); off = Scrapy's rule.
NEWSCRAWL_EXIT_CODE = True
NEWSCRAWL_MAX_ERROR_RATE = 0.2
NEWSCRAWL_MIN_FIELD_COVERAGE = 0.8
NEWSCRAWL_MIN_RECORDS_FOR_COVERAGE = 5
# Where the run manifest goes when no feed writes a local file (else: beside the data file).
NEWSCRAWL_MANIFEST_DIR = "output/%(name)s"

# Template drift: each run's records against the site's recent healthy runs
# (docs/health.md). The history is <NEWSCRAWL_STATE_DIR>/health.sqlite3 unless
# NEWSCRAWL_DRIFT_HISTORY_FILE names another file. A drifted run exits 6.
NEWSCRAWL_DRIFT = True
NEWSCRAWL_DRIFT_HISTORY_FILE = None
NEWSCRAWL_DRIFT_MIN_HISTORY_RUNS = 3
NEWSCRAWL_DRIFT_HISTORY_RUNS = 10
NEWSCRAWL_DRIFT_BASELINE_RECORDS = 100
NEWSCRAWL_DRIFT_MIN_RECORDS = 5
NEWSCRAWL_DRIFT_CONFIDENCE_Z = 3.0
NEWSCRAWL_DRIFT_MEDIAN_RATIO = 2.0
NEWSCRAWL_DRIFT_COVERAGE_CHANGE = 0.3
NEWSCRAWL_DRIFT_DOMINANT_SHARE = 0.5
NEWSCRAWL_DRIFT_SHARE_RISE = 0.3
NEWSCRAWL_DRIFT_CRAWL_DAY_SHARE = 0.5
NEWSCRAWL_DRIFT_REPEATED_PARAGRAPH_SHARE = 0.4
NEWSCRAWL_DRIFT_WARNING_RARE = 0.1
NEWSCRAWL_DRIFT_WARNING_COMMON = 0.3
NEWSCRAWL_DRIFT_VOCABULARY_FIELDS = ["source"]

# Archive: every response as WARC 1.1 (rotated by size); replay answers
# requests from archives instead of the network.
NEWSCRAWL_ARCHIVE = True
NEWSCRAWL_ARCHIVE_DIR = "output/archive/%(name)s"
NEWSCRAWL_ARCHIVE_MAX_BYTES = 100 * 1024 * 1024
# zlib level of the WARC gzip members, 1-9 (warcio alone always uses 9, which costs about
# twice the CPU for files about 2 % smaller on news pages).
NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL = 6
# A payload identical to the one archived last for its URL is written as a revisit record.
NEWSCRAWL_ARCHIVE_REVISITS = True
# Write the archive (digests, gzip) on a thread of its own, beside the event loop. Off:
# measured, it gained no wall time on 2 shared cores and cost ~0.5-1 ms more CPU per page.
NEWSCRAWL_ARCHIVE_THREAD = False
NEWSCRAWL_REPLAY: list[str] = []

# Speed. Article pages are extracted on worker threads (lxml parses and runs XPath
# without the GIL, so another core does that part while the event loop goes on);
# 0 = in the event loop's thread. NEWSCRAWL_EXTRACT_PROCESSES > 0 uses worker processes
# instead (opt-in; docs/benchmarks.md has the measurements behind these defaults).
NEWSCRAWL_EXTRACT_THREADS = 1
NEWSCRAWL_EXTRACT_PROCESSES = 0
# Young-generation threshold of Python's garbage collector while the engine runs (Python's
# is 700, which made it scan ~0.45 ms per page for almost nothing); 0 = Python's own.
NEWSCRAWL_GC_THRESHOLD = 10000

# Crawl scope and content.
NEWSCRAWL_MAX_LIST_PAGES = 5
NEWSCRAWL_START_URLS: list[str] = []
NEWSCRAWL_STATS_FILE = None
NEWSCRAWL_TO_SIMPLIFIED = False

# -- Faults and hostile pages (docs/reliability.md) ---------------------------------------
# Scrapy's remote-control extension (an HTTP endpoint that runs Python inside the crawl,
# announced in a job file) stays off, like the telnet console; -s REMOTE_CONTROL_ENABLED=1
# turns it on for a run you want to inspect.
REMOTE_CONTROL_ENABLED = False
# News pages are tens or hundreds of KB. A response (or a compressed body once
# decompressed) above DOWNLOAD_MAXSIZE is dropped and counted as failed (too_large).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Requests only to public addresses, unless allowed here (addresses, networks, host names,
# each optionally with :PORT; the replica in tests and the demo: 127.0.0.1:<its port>).
NEWSCRAWL_ADDRESS_CHECK = True
NEWSCRAWL_ALLOWED_ADDRESSES: list[str] = []
# 429/503 with Retry-After: wait what the server asks, at most this many seconds, then retry
# (within RETRY_TIMES).
NEWSCRAWL_RETRY_AFTER_MAX = 60.0
# Article links taken from one list page, in page order (the rest are counted and logged;
# 0: no cap).
NEWSCRAWL_MAX_LINKS_PER_LIST_PAGE = 500
# Query parameters that only track where a reader came from: dropped from article URLs
# before they are requested, identified (record ids) or remembered (state). fnmatch
# patterns, case-insensitive. A profile's urls.keep_query keeps only the parameters named.
NEWSCRAWL_TRACKING_PARAMS = [
    "utm_*",
    "spm",
    "scm",
    "from",
    "source_from",
    "share_*",
    "sharefrom",
    "scene",
    "isappinstalled",
    "wxshare_count",
    "tt_from",
    "fbclid",
    "gclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
]
# An article exported with missing pages is fetched again on every run, for this long
# after its first export, until its pages are all there (then exported as a new version).
NEWSCRAWL_INCOMPLETE_RETRY_HOURS = 168.0
# Failed (and robots.txt-ignored) URLs named in the run manifest; the rest are counted.
NEWSCRAWL_MANIFEST_MAX_FAILED_URLS = 100
