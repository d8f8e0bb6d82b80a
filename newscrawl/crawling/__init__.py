"""The Scrapy side of newscrawl: the only package that imports Scrapy.

Spiders (one per profile), middlewares (incremental runs, WARC capture and replay),
item pipelines, extensions (run lock, run state, manifest, stats file), the atomic
feed storage, request-meta and stats keys, the ``crawl`` command and in-process runs, and
the shared crawl on Redis (``distributed/``, active only with ``NEWSCRAWL_REDIS_URL``).
Everything else in newscrawl is plain Python these parts call.
"""
