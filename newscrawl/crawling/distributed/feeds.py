"""Feed storage of a worker: the data file is renamed only while its leases are valid."""

from __future__ import annotations

import logging

from newscrawl.crawling.distributed.worker import worker_of
from newscrawl.crawling.feeds import AtomicFileFeedStorage
from newscrawl.runs.state import file_identity

logger = logging.getLogger(__name__)


class WorkerFeedStorage(AtomicFileFeedStorage):
    """:class:`AtomicFileFeedStorage` that asks the shared state before the rename.

    When the worker was reaped meanwhile (its articles were handed to others)
    or Redis stays unreachable, the temporary file is deleted instead of
    renamed: its articles were never marked known and are exported by other
    workers or the next run, so nothing is lost and nothing is doubled. The
    worker counts the refusal (``newscrawl/redis/commits_failed``: exit 69).
    """

    def may_commit(self) -> bool:
        identity = file_identity(self.temp_path)
        if worker_of(self.crawler).begin_commit(str(self.final_path), identity):
            return True
        logger.error("Data file dropped, not renamed into place: %s", self.final_path)
        return False
