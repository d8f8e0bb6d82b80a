"""Downloader middlewares: archive every response as WARC, or answer requests from archives."""

from __future__ import annotations

import datetime as dt
import glob
import logging
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from newscrawl.archive.warc import (
    DEFAULT_COMPRESSION_LEVEL,
    WARC_SUFFIX,
    ArchiveReadLog,
    Exchange,
    WarcArchiveWriter,
    archive_info,
    checked_compression_level,
    http_headers,
    iter_archive,
    read_response_at,
    warcinfo_fields,
)
from newscrawl.feeds import remove_stale_temp_files

logger = logging.getLogger(__name__)

#: ``request.meta`` key holding ``{"file", "record_id"}`` of the archived response.
ARCHIVE_META = "newscrawl_warc"
#: ``request.meta`` key holding the ISO 8601 UTC time the response was fetched.
FETCHED_AT_META = "newscrawl_fetched_at"
REPLAYED_FLAG = "replayed"


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
    ``NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL`` (zlib level 1-9, default 6).
    Off in replay mode.
    """

    def __init__(
        self,
        crawler: Crawler,
        directory: str,
        max_bytes: int,
        compression_level: int = DEFAULT_COMPRESSION_LEVEL,
    ) -> None:
        self.crawler = crawler
        self.directory_template = directory
        self.max_bytes = max_bytes
        self.compression_level = checked_compression_level(
            compression_level, "NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL"
        )
        self.writer: WarcArchiveWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_ARCHIVE") or replay_patterns(settings):
            raise NotConfigured
        mw = cls(
            crawler,
            settings.get("NEWSCRAWL_ARCHIVE_DIR"),
            settings.getint("NEWSCRAWL_ARCHIVE_MAX_BYTES"),
            settings.getint("NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL", DEFAULT_COMPRESSION_LEVEL),
        )
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Any) -> None:
        directory = Path(self.directory_template.replace("%(name)s", spider.name))
        remove_stale_temp_files(directory)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        info = {
            "software": "newscrawl",
            "format": "WARC File Format 1.1",
            "spider": spider.name,
            "start_urls": ",".join(getattr(spider, "start_urls", [])),
        }
        name = f"{spider.name}-{stamp}"
        worker = self.crawler.settings.get("NEWSCRAWL_WORKER_ID")
        if worker:
            name += f"-{worker}"
        self.writer = WarcArchiveWriter(
            directory, name, self.max_bytes, info, self.compression_level
        )

    def spider_closed(self, spider: Any) -> None:
        if self.writer is not None:
            files = self.writer.close()
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("newscrawl/archive/files", [str(f) for f in files])

    def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None or REPLAYED_FLAG in response.flags:
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
        location = self.writer.write(exchange)
        request.meta[ARCHIVE_META] = location.as_dict()
        request.meta[FETCHED_AT_META] = location.date
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newscrawl/archive/responses")
        return response


class WarcReplayMiddleware:
    """Answer every request from WARC archives (``NEWSCRAWL_REPLAY``); never the network.

    The newest archived response of a URL wins. A request with no archived
    response fails with :class:`NotArchived` (logged, counted as
    ``newscrawl/replay/missing``).
    """

    def __init__(self, crawler: Crawler, files: list[Path]) -> None:
        self.crawler = crawler
        self.index: dict[str, tuple[Path, int]] = {}
        self.start_urls: list[str] = []
        log = ArchiveReadLog()
        for path in files:
            for entry in iter_archive(path, log):
                headers = entry.record.rec_headers
                kind = headers.get_header("WARC-Type")
                if kind == "response":
                    self.index[headers.get_header("WARC-Target-URI")] = (path, entry.offset)
                elif kind == "warcinfo" and not self.start_urls:
                    urls = warcinfo_fields(entry.record).get("start_urls", "")
                    self.start_urls = [u for u in urls.split(",") if u]
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
        logger.info("Replaying %d responses from %d archives", len(mw.index), len(files))
        return mw

    def process_request(self, request: Request) -> Response:
        found = self.index.get(request.url)
        stats = self.crawler.stats
        if found is None:
            if stats is not None:
                stats.inc_value("newscrawl/replay/missing")
            logger.warning("Not in the archives, not fetched: %s", request.url)
            raise NotArchived(f"no archived response for {request.url}")
        stored = read_response_at(*found)
        headers = Headers(stored.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.raw_body)
        if stats is not None:
            stats.inc_value("newscrawl/replay/responses")
        request.meta[ARCHIVE_META] = {"file": stored.file, "record_id": stored.record_id}
        request.meta[FETCHED_AT_META] = stored.date
        return cls(
            url=request.url,
            status=stored.status,
            headers=headers,
            body=stored.raw_body,
            request=request,
            flags=[REPLAYED_FLAG],
        )


__all__ = [
    "ARCHIVE_META",
    "WARC_SUFFIX",
    "NotArchived",
    "WarcCaptureMiddleware",
    "WarcReplayMiddleware",
]
