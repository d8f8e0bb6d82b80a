"""Stats and request-meta keys of the shared-crawl components."""

#: Items dropped because another worker exports the same article in this run.
STATS_DROPPED_CLAIMED = "newscrawl/dropped/claimed"
#: Requests buffered in memory while Redis was unreachable, and sent later.
STATS_OUTBOX = "newscrawl/redis/outbox"
#: Outages of Redis this worker waited through.
STATS_OUTAGES = "newscrawl/redis/outages"
#: Queue entries of dead workers this worker put back in the queue.
STATS_REAPED = "newscrawl/redis/reaped_requests"
#: A data file that was not renamed into place (counted as a failed run by the monitor).
STATS_FEED_STORE_FAILED = "newscrawl/feed_store_failed"
#: Requests taken from / sent to the shared queue.
STATS_DEQUEUED = "scheduler/dequeued/redis"
STATS_ENQUEUED = "scheduler/enqueued/redis"

#: ``request.meta`` key of the politeness token held while a request is out.
META_POLITENESS_TOKEN = "newscrawl_polite_token"
