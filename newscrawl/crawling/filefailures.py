"""A file the run must write or read could not be: named with its OS error, and the crawl stops.

Feeds, the WARC archive, the state store and the run manifest report their
failures here. Each failure goes into the stats (:data:`keys.STAT_FILE_FAILURES`,
read by the manifest and the verdict: exit 1 naming the file and the error) and
is logged once; the crawl is then closed with the reason :data:`FILE_ERROR`, since
every page fetched after it would only be fetched again by the next run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from newscrawl.crawling import keys
from newscrawl.runs.lock import describe_os_error
from newscrawl.runs.monitor import FILE_ERROR_FINISH, file_failure_reason

logger = logging.getLogger(__name__)

#: The finish reason of a crawl stopped by a file it could not write or read.
FILE_ERROR = FILE_ERROR_FINISH


def record_file_failure(
    crawler: Crawler, kind: str, path: Path | str, error: BaseException, *, stop: bool = True
) -> None:
    """Count a failed write (or read) of ``path`` (``kind``: feed, archive, state, manifest).

    The same file failing the same way is recorded once. ``stop`` closes the
    crawl (when it is still running).
    """
    failure = {"kind": kind, "file": str(path), "error": describe_os_error(error)}
    stats = crawler.stats
    known: list[dict[str, str]] = list(
        (stats.get_value(keys.STAT_FILE_FAILURES) if stats else None) or []
    )
    if failure not in known:
        logger.error("%s", file_failure_reason(failure))
        if stats is not None:
            stats.set_value(keys.STAT_FILE_FAILURES, [*known, failure])
    if stop:
        stop_crawl(crawler)


def stop_crawl(crawler: Crawler) -> None:
    """Close the running crawl with the reason :data:`FILE_ERROR` (no-op once it is closing).

    A failure met while the spider is being opened closes it once the engine has
    started, so the engine still starts and stops in order (and the run is judged).
    """
    engine = crawler.engine
    if engine is None or not crawler.crawling:
        return
    if engine.running:
        _close_soon(crawler)
        return

    def started() -> None:
        _close_soon(crawler)

    crawler.signals.connect(started, signal=signals.engine_started, weak=False)


def _close_soon(crawler: Crawler) -> None:
    from twisted.internet import reactor

    reactor.callLater(0, _close, crawler)


def _close(crawler: Crawler) -> None:
    engine = crawler.engine
    if engine is None or engine.spider is None:
        return
    slot = getattr(engine, "_slot", None)
    if slot is None or slot.closing is not None:
        return
    closing = deferred_from_coro(engine.close_spider_async(reason=FILE_ERROR))
    closing.addErrback(_ignore_closed)


def _ignore_closed(failure: Any) -> None:
    failure.trap(RuntimeError)  # the engine closed in the meantime
