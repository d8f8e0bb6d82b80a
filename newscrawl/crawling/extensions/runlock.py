"""One run per spider and state directory at a time (no external ``flock`` needed)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.runs.lock import RunLockBusy, RunLockError, acquire_run_lock
from newscrawl.runs.state import lock_file

__all__ = ["RunLock", "RunLockBusy", "RunLockError"]


class RunLock:
    """Hold an exclusive lock on ``<state dir>/<spider>.lock`` for the whole run.

    A second run of the same spider on the same state stops at once with
    :class:`RunLockBusy`, before it opens any file. The kernel drops the lock
    when the process dies, so a killed run never leaves a stale lock behind,
    and a lock file holding a dead pid or garbage does not block the next run.
    A lock file that cannot be used at all (a directory, no permission) stops
    the run with :class:`RunLockError`.
    """

    def __init__(self, path: Path, handle: IO[bytes]) -> None:
        self.path = path
        self.handle = handle

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLock:
        if not crawler.settings.getbool("NEWSCRAWL_RUN_LOCK"):
            raise NotConfigured
        spider = crawler.spidercls.name
        path = lock_file(Path(crawler.settings["NEWSCRAWL_STATE_DIR"]), spider)
        return cls(path, acquire_run_lock(path, spider))
