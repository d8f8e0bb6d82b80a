"""A local replica of the dzwww.com portal (HTTP server + fixture site) for tests and the demo."""

from newscrawl.replica.server import ReplicaServer

#: The spider (profile) whose portal the replica copies; ``newscrawl demo`` runs it.
REPLICA_SPIDER = "dzwww"

#: Channel list pages of the replica (paths under the server URL), one per
#: sub-site channel; ``newscrawl demo`` and the tests start from these.
REPLICA_CHANNELS = (
    "www/xinwen/shehuixinwen/",
    "www/news/yw/",
    "www/finance/jrtt/",
    "sd/sdnews/",
    "edu/xxdt/zyyx/",
)

__all__ = ["REPLICA_CHANNELS", "REPLICA_SPIDER", "ReplicaServer"]
