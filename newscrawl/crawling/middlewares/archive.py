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
from newscrawl.crawling.extensions.runstate import RunState
from newscrawl.crawling.filefailures import record_file_failure
from newscrawl.crawling.workers import WorkerThread, asyncio_loop_available
from newscrawl.runs.lock import describe_os_error

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


class ArchiveWriteFailed(IgnoreRequest):
    """The response could not be archived (a full disk …): it is not processed either.

    Its article is not exported and so not marked known: the next run fetches,
    archives and exports it. The run itself stops and exits 1 naming the file.
    """


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

    Only whole responses are archived. Scrapy hands on no response cut short (a lost
    connection, a body shorter than its Content-Length, a download stopped at
    ``DOWNLOAD_MAXSIZE``: the request fails instead), except with
    ``DOWNLOAD_FAIL_ON_DATALOSS`` off, when the response is flagged ``dataloss``; such a
    response is not archived either (logged, counted as ``newscrawl/archive/partial_skipped``),
    so no record ever holds part of a body as if it were all of it. A compressed body is
    archived as it came (a gzip bomb as its few compressed megabytes); the crawl then
    refuses it when decompression passes ``DOWNLOAD_MAXSIZE``.
    Off in replay mode. Files are named ``<spider>-<start>-<NNNNN>.warc.gz``; a shared
    crawl's worker puts its id after the start time (``<spider>-<start>-<worker>-…``), so
    the workers of a run can share a directory and the names still sort by time.

    An archive that cannot be written is a disk error, not a failed fetch: the
    response is dropped (:class:`ArchiveWriteFailed`, counted as
    ``newscrawl/archive/write_failed``), the file and the OS error are recorded
    and the crawl stops (:mod:`newscrawl.crawling.filefailures`); the archive
    keeps every record written before and is renamed into place as usual.

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
        run_state = self.crawler.get_extension(RunState)
        worker_id = run_state.worker_id if run_state is not None else None
        remove_stale_temp_files(directory, worker_id)
        stamp = compact_stamp()
        info = {
            "software": "newscrawl",
            "format": "WARC File Format 1.1",
            "spider": spider.name,
            "start_urls": ",".join(getattr(spider, "start_urls", [])),
        }
        if worker_id:
            info["worker"] = worker_id
        prefix = f"{spider.name}-{stamp}" + (f"-{worker_id}" if worker_id else "")
        if self.threaded and asyncio_loop_available():
            self.worker = WorkerThread("newscrawl-warc")
        try:
            # The capture index's SQLite connection belongs to the thread that opens it.
            self.captures = self._call(CaptureIndex, directory) if self.revisits else None
        except Exception as exc:  # the archive directory cannot be written at all
            record_file_failure(self.crawler, "archive", directory, exc)
            self.captures = None
        self.writer = WarcArchiveWriter(
            directory,
            prefix,
            self.max_bytes,
            info,
            self.compression_level,
            self.captures,
        )

    def _call(self, function: Any, *args: Any) -> Any:
        return self.worker.call(function, *args) if self.worker else function(*args)

    def _close_archive(self) -> OSError | None:
        """Rename the open archive into place and close the capture index (on the thread
        that opened them); the error when the rename failed."""
        try:
            if self.writer is not None:
                self.writer.close()
        except OSError as exc:
            return exc
        finally:
            if self.captures is not None:
                self.captures.close()
        return None

    def spider_closed(self, spider: Any) -> None:
        try:
            error = self._call(self._close_archive)
        finally:
            if self.worker is not None:
                self.worker.close()
        if self.writer is None:
            return
        if error is not None:
            record_file_failure(self.crawler, "archive", self.writer.final_path, error)
        if self.crawler.stats is not None:
            files = [str(f) for f in self.writer.finished]
            self.crawler.stats.set_value(keys.STAT_ARCHIVE_FILES, files)

    async def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None or keys.FLAG_REPLAYED in response.flags:
            return response
        if "dataloss" in response.flags:
            logger.warning("Not archived, the body is incomplete: %s", response.url)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(keys.STAT_ARCHIVE_PARTIAL_SKIPPED)
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
        try:
            if self.worker is not None:
                location = await self.worker.run(self.writer.write, exchange)
            else:
                location = self.writer.write(exchange)
        except OSError as exc:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(keys.STAT_ARCHIVE_WRITE_FAILED)
            record_file_failure(self.crawler, "archive", self.writer.final_path, exc)
            raise ArchiveWriteFailed(
                f"not archived, so not processed: {response.url} ({describe_os_error(exc)})"
            ) from None
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
