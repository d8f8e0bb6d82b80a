"""Why a worker of a shared crawl refuses to start (importable without redis).

Raised while the crawler is being built, before any file is opened; the crawl
command and ``newscrawl run`` turn them into exit codes, as they do for the
run lock (:mod:`newscrawl.crawling.process`).
"""

from __future__ import annotations


class WorkerIdInUse(RuntimeError):
    """Another live process holds this worker id in the shared crawl (exit 75, EX_TEMPFAIL)."""

    def __init__(self, worker: str, spider: str, server: str = "") -> None:
        where = f" on {server}" if server else ""
        super().__init__(f"worker id {worker!r} is held by a live {spider} worker{where}")
        self.worker = worker
        self.spider = spider


class SharedCrawlUnreachable(RuntimeError):
    """Redis could not be reached to join the shared crawl (exit 69, EX_UNAVAILABLE)."""
