"""One run per spider and state directory at a time (no external ``flock`` needed)."""

from __future__ import annotations

import fcntl
import logging
import os
import sys
from pathlib import Path
from typing import IO

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.state import state_path

logger = logging.getLogger(__name__)

#: sysexits.h EX_TEMPFAIL: try again later.
EXIT_LOCKED = 75


class RunLock:
    """Hold an exclusive lock on ``<state dir>/<spider>.lock`` for the whole run.

    A second run of the same spider on the same state exits at once with code 75,
    before it opens any file. The kernel drops the lock when the process dies,
    so a killed run never leaves a stale lock behind.
    """

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self.handle = handle

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLock:
        if not crawler.settings.getbool("NEWSCRAWL_RUN_LOCK"):
            raise NotConfigured
        path = state_path(crawler.settings, crawler.spidercls.name).with_suffix(".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            message = (
                f"newscrawl: another {crawler.spidercls.name} run holds {path} "
                f"(pid {holder}); exiting with {EXIT_LOCKED}"
            )
            logger.error(message)
            print(message, file=sys.stderr, flush=True)
            logging.shutdown()
            os._exit(EXIT_LOCKED)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return cls(path, handle)
