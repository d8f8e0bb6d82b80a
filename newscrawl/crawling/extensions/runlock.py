"""One run per spider and state directory at a time (no external ``flock`` needed)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.runs.state import lock_file


class RunLockBusy(Exception):
    """Another run of the same spider on the same state directory holds the lock.

    Raised while the crawler is being built, before any file is opened; the
    crawl command turns it into exit code 75 (EX_TEMPFAIL).
    """

    def __init__(self, spider: str, path: Path, holder: str) -> None:
        super().__init__(f"another {spider} run holds {path} (pid {holder})")
        self.spider = spider
        self.path = path
        self.holder = holder


class RunLock:
    """Hold an exclusive lock on ``<state dir>/<spider>.lock`` for the whole run.

    A second run of the same spider on the same state stops at once with
    :class:`RunLockBusy`, before it opens any file. The kernel drops the lock
    when the process dies, so a killed run never leaves a stale lock behind.
    """

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self.handle = handle

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLock:
        if not crawler.settings.getbool("NEWSCRAWL_RUN_LOCK"):
            raise NotConfigured
        spider = crawler.spidercls.name
        path = lock_file(Path(crawler.settings["NEWSCRAWL_STATE_DIR"]), spider)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise RunLockBusy(spider, path, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return cls(path, handle)
