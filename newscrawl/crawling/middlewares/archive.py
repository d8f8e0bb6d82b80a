"""Downloader middlewares: archive every response as WARC, or answer requests from archives."""

from __future__ import annotations

import glob
import logging
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from newscrawl.archive.captures import CaptureIndex
from newscrawl.archive.lookup import ArchiveLookup, UnresolvedRevisit
from newscrawl.archive.warc import (
    ArchiveReadLog,
    Exchange,
    WarcArchiveWriter,
    archive_info,
    checked_compression_level,
    http_headers,
    iter_archive,
)
from newscrawl.atomic import remove_stale_temp_files
from newscrawl.clock import compact_stamp
from newscrawl.crawling import keys
from newscrawl.crawling.workers import WorkerThread, asyncio_loop_available

logger = logging.getLogger(__name__)


def replayed_start_urls(settings: Any) -> list[str]:
    """In replay mode, the start URLs of the crawl that wrote the first archive."""
    for path in archive_files(replay_patterns(settings)):
        urls = (archive_info(path) or {}).get("start_urls", "")
        if urls:
            return [u for u in urls.split(",") if u]
    return []


class NotArchived(IgnoreRequest):
    """Replay mode: the archives hold no response for this URL."""


def replay_patterns(settings: Any) -> list[str]:
    """Paths or globs given in ``NEWSCRAWL_REPLAY`` (comma-separated or a list)."""
    return [p for p in settings.getlist("NEWSCRAWL_REPLAY") if p.strip()]


def archive_files(patterns: list[str]) -> list[Path]:
    """The files the patterns name, sorted, each once."""
    files: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) or ([pattern] if Path(pattern).is_file() else [])
        files += [Path(m) for m in matches if Path(m) not in files]
    return files


class WarcCaptureMiddleware:
    """Write each response, exactly as received, and its request to the run's WARC archive.

    Settings: ``NEWSCRAWL_ARCHIVE`` (on by default), ``NEWSCRAWL_ARCHIVE_DIR``
    (``output/archive/%(name)s``), ``NEWSCRAWL_ARCHIVE_MAX_BYTES`` (rotation size),
    ``NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL`` (zlib level 1-9, default 6),
    ``NEWSCRAWL_ARCHIVE_REVISITS`` (revisit records for unchanged payloads, on by default),
    ``NEWSCRAWL_ARCHIVE_THREAD`` (write on a thread of its own, off by default).
    Off in replay mode.

    On its own thread the archive is written in the order responses arrive, as
    inline; digests and gzip compression (which release the GIL) then run beside
    the event loop, which meanwhile goes on with other responses. The responses
    waiting for it are those the downloader holds anyway (``CONCURRENT_REQUESTS``).
    """

    def __init__(
        self,
        crawler: Crawler,
        directory: str,
        max_bytes: int,
        compression_level: int,
        revisits: bool,
        threaded: bool = False,
    ) -> None:
        self.crawler = crawler
        self.directory_template = directory
        self.max_bytes = max_bytes
        self.compression_level = checked_compression_level(
            compression_level, "NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL"
        )
        self.revisits = revisits
        self.threaded = threaded
        self.writer: WarcArchiveWriter | None = None
        self.captures: CaptureIndex | None = None
        self.worker: WorkerThread | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_ARCHIVE") or replay_patterns(settings):
            raise NotConfigured
        mw = cls(
            crawler,
            settings.get("NEWSCRAWL_ARCHIVE_DIR"),
            settings.getint("NEWSCRAWL_ARCHIVE_MAX_BYTES"),
            settings.getint("NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL"),
            settings.getbool("NEWSCRAWL_ARCHIVE_REVISITS"),
            settings.getbool("NEWSCRAWL_ARCHIVE_THREAD"),
        )
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Any) -> None:
        directory = Path(self.directory_template.replace("%(name)s", spider.name))
        remove_stale_temp_files(directory)
        stamp = compact_stamp()
        info = {
            "software": "newscrawl",
            "format": "WARC File Format 1.1",
            "spider": spider.name,
            "start_urls": ",".join(getattr(spider, "start_urls", [])),
        }
        if self.threaded and asyncio_loop_available():
            self.worker = WorkerThread("newscrawl-warc")
        # The capture index's SQLite connection belongs to the thread that opens it.
        self.captures = self._call(CaptureIndex, directory) if self.revisits else None
        self.writer = WarcArchiveWriter(
            directory,
            f"{spider.name}-{stamp}",
            self.max_bytes,
            info,
            self.compression_level,
            self.captures,
        )

    def _call(self, function: Any, *args: Any) -> Any:
        return self.worker.call(function, *args) if self.worker else function(*args)

    def _close_archive(self) -> list[Path]:
        files = self.writer.close() if self.writer is not None else []
        if self.captures is not None:
            self.captures.close()
        return files

    def spider_closed(self, spider: Any) -> None:
        try:
            files = self._call(self._close_archive)
        finally:
            if self.worker is not None:
                self.worker.close()
        if self.writer is not None and self.crawler.stats is not None:
            self.crawler.stats.set_value(keys.STAT_ARCHIVE_FILES, [str(f) for f in files])

    async def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None or keys.FLAG_REPLAYED in response.flags:
            return response
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=http_headers(request.headers),
            request_body=request.body,
            status=response.status,
            response_headers=http_headers(response.headers),
            body=response.body,
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        if self.worker is not None:
            location = await self.worker.run(self.writer.write, exchange)
        else:
            location = self.writer.write(exchange)
        request.meta[keys.META_ARCHIVE] = location.as_dict()
        request.meta[keys.META_FETCHED_AT] = location.date
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(keys.STAT_ARCHIVE_RESPONSES)
            if location.revisit:
                self.crawler.stats.inc_value(keys.STAT_ARCHIVE_REVISITS)
                self.crawler.stats.inc_value(
                    keys.STAT_ARCHIVE_REVISIT_PAYLOAD_BYTES, len(response.body)
                )
        return response


class WarcReplayMiddleware:
    """Answer every request from WARC archives (``NEWSCRAWL_REPLAY``); never the network.

    The newest archived response of a URL wins; a revisit record is answered
    with the payload of the record it refers to. A request with no archived
    response fails with :class:`NotArchived` (logged, counted as
    ``newscrawl/replay/missing``).
    """

    def __init__(self, crawler: Crawler, files: list[Path]) -> None:
        self.crawler = crawler
        self.index = ArchiveLookup()
        log = ArchiveReadLog()
        for path in files:
            for entry in iter_archive(path, log):
                self.index.add(entry)
        for problem in log.problems:
            logger.error(
                "Archive %s damaged at byte %d: %s", problem.path, problem.offset, problem.message
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcReplayMiddleware:
        patterns = replay_patterns(crawler.settings)
        if not patterns:
            raise NotConfigured
        files = archive_files(patterns)
        if not files:
            raise ValueError(f"NEWSCRAWL_REPLAY: no archive matches {', '.join(patterns)}")
        mw = cls(crawler, files)
        logger.info("Replaying %d responses from %d archives", len(mw.index.newest), len(files))
        return mw

    def process_request(self, request: Request) -> Response:
        stats = self.crawler.stats
        try:
            stored = self.index.read(request.url)
        except UnresolvedRevisit as exc:
            logger.error("%s", exc)
            stored = None
        if stored is None:
            if stats is not None:
                stats.inc_value(keys.STAT_REPLAY_MISSING)
            logger.warning("Not in the archives, not fetched: %s", request.url)
            raise NotArchived(f"no archived response for {request.url}")
        headers = Headers(stored.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.raw_body)
        if stats is not None:
            stats.inc_value(keys.STAT_REPLAY_RESPONSES)
        request.meta[keys.META_ARCHIVE] = {"file": stored.file, "record_id": stored.record_id}
        request.meta[keys.META_FETCHED_AT] = stored.date
        return cls(
            url=request.url,
            status=stored.status,
            headers=headers,
            body=stored.raw_body,
            request=request,
            flags=[keys.FLAG_REPLAYED],
        )
