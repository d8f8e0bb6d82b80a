"""Scrapy components of the shared crawl (active only with ``NEWSCRAWL_REDIS_URL``).

:mod:`.addon` switches them on and is the only module imported when the
setting is empty; it imports neither redis nor scrapy-redis. The others:
:mod:`.worker` (the worker: run membership, heartbeats, reaping, idle exit,
commits), :mod:`.scheduler` (scrapy-redis scheduler, queue and dupefilter on
leases), :mod:`.seeding` (list pages scheduled by one worker per run),
:mod:`.politeness` (per-domain limits across workers), :mod:`.pipelines`
(one export per article across workers) and :mod:`.feeds` (a data file is
renamed only while the worker still holds its leases). The Scrapy-free parts
are in :mod:`newscrawl.distributed`.
"""
