"""One crawl shared by many worker processes through a Redis server.

Switched on by ``NEWSCRAWL_REDIS_URL``. Without it nothing here is imported
and runs keep their embedded SQLite state and file lock.

This package holds the Scrapy-free parts: connection handling through outages
(:mod:`.connection`), key names (:mod:`.keys`), the leased request queue
(:mod:`.leases`), run membership, seeding and idle detection (:mod:`.runs`),
the shared incremental state (:mod:`.store`), the shared drift history
(:mod:`.history`), the per-domain politeness
limiter (:mod:`.limiter`), manifest merging (:mod:`.manifests`) and the
start-up refusals of a worker (:mod:`.errors`, importable without redis). The
Scrapy components that use them live in :mod:`newscrawl.crawling.distributed`.
See ``docs/distributed.md`` for the design.
"""
