"""One crawl shared by many worker processes through a Redis server.

Switched on by ``NEWSCRAWL_REDIS_URL``. Without it nothing here is imported
and runs keep their embedded SQLite state and file lock.

This package holds the Scrapy-free parts: connection handling through outages
(:mod:`.connection`), key names (:mod:`.keys`), the leased request queue
(:mod:`.leases`), run membership, seeding and idle detection (:mod:`.runs`),
the shared incremental state (:mod:`.store`), the per-domain politeness
limiter (:mod:`.limiter`) and manifest merging (:mod:`.manifests`). The Scrapy
components that use them live in :mod:`newscrawl.distributed.crawling`.
See ``docs/distributed.md`` for the design.
"""

#: Exit code of a worker that lost the shared state: Redis unreachable for longer
#: than ``NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS``, or the worker was presumed dead
#: and its leases handed to others (sysexits.h EX_UNAVAILABLE).
EXIT_SHARED_STATE_UNAVAILABLE = 69

#: Scrapy finish reason of a worker that stops because of a lost shared state.
FINISH_REASON_UNAVAILABLE = "shared_state_unavailable"
