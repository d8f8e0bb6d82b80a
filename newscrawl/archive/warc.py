"""WARC 1.1 files: an atomic, rotating writer and a reader that survives damage."""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.atomic import move_into_place, sync_and_close, temp_path_for
from newscrawl.clock import utc_iso

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HOP_BY_HOP = {b"transfer-encoding"}
#: warcio reports damaged input with many exception types (even AttributeError
#: on a record cut inside its headers), so every error while reading is damage.
_READ_ERRORS = (Exception,)


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response as the crawler received it."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    ip_address: str | None = None


@dataclass(frozen=True)
class ArchiveLocation:
    """Where a response is archived: file name and WARC-Record-ID, and when it was fetched."""

    file: str
    record_id: str
    date: str

    def as_dict(self) -> dict[str, str]:
        """The record's ``archive`` field."""
        return {"file": self.file, "record_id": self.record_id}


def http_headers(raw: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` → (name, value) pairs, hop-by-hop transfer coding left out.

    Scrapy has already removed chunked transfer coding from the body, so the
    header would misdescribe the archived bytes.
    """
    pairs = []
    for name, values in raw.items():
        if name.lower() in _HOP_BY_HOP:
            continue
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


def checked_compression_level(level: int, name: str = "WARC compression level") -> int:
    """The zlib level if it is 1-9; otherwise a ValueError naming ``name``."""
    if not 1 <= level <= 9:
        raise ValueError(f"{name} must be 1-9, not {level}")
    return level


class _GzipMember:
    """Compresses what one WARC record writes into its own gzip member."""

    def __init__(self, out: IO[bytes], level: int) -> None:
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _GzipWARCWriter(WARCWriter):
    """warcio's writer, one gzip member per record, at a chosen compression level."""

    def __init__(self, filebuf: IO[bytes], level: int, **kwargs: Any) -> None:
        super().__init__(filebuf, gzip=False, **kwargs)
        self.level = level

    def _write_warc_record(self, out: IO[bytes], record: ArcWarcRecord) -> None:
        super()._write_warc_record(_GzipMember(out, self.level), record)


class WarcArchiveWriter:
    """Append exchanges to ``<prefix>-<NNNNN>.warc.gz`` files in ``directory``.

    Each file is written under a hidden temporary name and renamed into place
    when it reaches ``max_bytes`` or the run ends, so no reader ever sees a
    truncated record. Every file starts with a warcinfo record naming the
    spider and its start URLs.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        max_bytes: int,
        info: dict[str, str],
        compression_level: int,
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = info
        self.compression_level = checked_compression_level(compression_level)
        self.sequence = 0
        self.handle: IO[bytes] | None = None
        self.writer: WARCWriter | None = None
        self.name = ""
        self.finished: list[Path] = []

    @property
    def final_path(self) -> Path:
        return self.directory / self.name

    def _open(self) -> None:
        self.sequence += 1
        self.name = f"{self.prefix}-{self.sequence:05d}{WARC_SUFFIX}"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.handle = temp_path_for(self.final_path).open("wb")
        self.writer = _GzipWARCWriter(self.handle, self.compression_level, warc_version="1.1")
        self.writer.write_record(self.writer.create_warcinfo_record(self.name, self.info))

    def _commit(self) -> None:
        if self.handle is None:
            return
        sync_and_close(self.handle)
        move_into_place(temp_path_for(self.final_path), self.final_path)
        self.finished.append(self.final_path)
        self.handle = self.writer = None

    def write(self, exchange: Exchange) -> ArchiveLocation:
        """Write the response and request records; returns the response record's location."""
        if self.handle is None:
            self._open()
        assert self.writer is not None and self.handle is not None
        date = utc_iso()
        try:
            reason = HTTPStatus(exchange.status).phrase
        except ValueError:
            reason = "Unknown"
        response_headers = StatusAndHeaders(
            f"{exchange.status} {reason}", exchange.response_headers, protocol="HTTP/1.1"
        )
        warc_headers = {"WARC-Date": date}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        response = self.writer.create_warc_record(
            exchange.url,
            "response",
            payload=BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=response_headers,
            warc_headers_dict=warc_headers,
        )
        target = exchange.url.split("://", 1)[-1]
        path = "/" + target.split("/", 1)[1] if "/" in target else "/"
        request = self.writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(
                f"{exchange.method} {path} HTTP/1.1", exchange.request_headers, protocol=""
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_request_response_pair(request, response)
        location = ArchiveLocation(
            self.name, response.rec_headers.get_header("WARC-Record-ID"), date
        )
        if self.handle.tell() >= self.max_bytes:
            self._commit()
        return location

    def close(self) -> list[Path]:
        """Rename the open file into place; returns every file this writer finished."""
        self._commit()
        return self.finished


@dataclass
class ReadProblem:
    """Damage met while reading an archive."""

    path: Path
    offset: int
    message: str


@dataclass
class ArchiveEntry:
    """A record read from an archive, with where it starts."""

    path: Path
    offset: int
    record: ArcWarcRecord


@dataclass
class ArchiveReadLog:
    """What a read met: damage, and whether the file was a WARC at all."""

    problems: list[ReadProblem] = field(default_factory=list)
    not_warc: bool = False
    records: int = 0


def _next_member(fh: IO[bytes], start: int) -> int | None:
    """Offset of the next gzip member header at or after ``start``."""
    fh.seek(start)
    chunk_start = start
    tail = b""
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            return None
        data = tail + chunk
        found = data.find(_GZIP_MAGIC)
        if found >= 0:
            return chunk_start - len(tail) + found
        tail = data[-2:]
        chunk_start += len(chunk)


def iter_archive(path: Path, log: ArchiveReadLog | None = None) -> Iterator[ArchiveEntry]:
    """Every record of a WARC file, in order; damage is logged and skipped, not raised.

    After a damaged or truncated gzip member the reader resumes at the next
    member header, so the records after the damage are still read.
    """
    log = log if log is not None else ArchiveReadLog()
    try:
        fh = path.open("rb")
    except OSError as exc:
        log.problems.append(ReadProblem(path, 0, f"cannot read: {exc.strerror or exc}"))
        log.not_warc = True
        return
    with fh:
        position = 0
        while True:
            fh.seek(position)
            iterator = ArchiveIterator(fh, check_digests=False)
            last_start = position
            try:
                for record in iterator:
                    offset = iterator.get_record_offset()
                    last_start = offset
                    log.records += 1
                    yield ArchiveEntry(path, offset, record)
                return
            except _READ_ERRORS as exc:
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if log.records == 0 and "Unknown archive format" in message:
                    log.not_warc = True
                    log.problems.append(ReadProblem(path, 0, "not a WARC file"))
                    return
                log.problems.append(ReadProblem(path, last_start, message))
                resume = _next_member(fh, max(last_start, position) + 1)
                if resume is None or resume <= position:
                    return
                position = resume


@dataclass
class StoredResponse:
    """An archived response, read back."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    raw_body: bytes
    """The payload exactly as received (still content-encoded, if it was)."""
    record_id: str
    date: str
    file: str

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def body(self) -> bytes:
        """The payload with its Content-Encoding (gzip, deflate) undone."""
        encoding = (self.header("Content-Encoding") or "").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(self.raw_body)
        if encoding == "deflate":
            try:
                return zlib.decompress(self.raw_body)
            except zlib.error:
                return zlib.decompress(self.raw_body, -zlib.MAX_WBITS)
        return self.raw_body


def read_response_at(path: Path, offset: int) -> StoredResponse:
    """The response record starting at ``offset``."""
    with path.open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, check_digests=False)))
        http = record.http_headers
        return StoredResponse(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            status=int(http.get_statuscode()),
            headers=list(http.headers),
            raw_body=record.raw_stream.read(),
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            date=record.rec_headers.get_header("WARC-Date"),
            file=path.name,
        )


def warcinfo_fields(record: ArcWarcRecord) -> dict[str, str]:
    """The ``name: value`` lines of a warcinfo record."""
    fields = {}
    text = record.raw_stream.read().decode("utf-8", "replace")
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def archive_info(path: Path) -> dict[str, str] | None:
    """The fields of the warcinfo record opening an archive; {} without one, None if not a WARC."""
    try:
        with path.open("rb") as fh:
            record = next(iter(ArchiveIterator(fh, check_digests=False)), None)
            if record is None or record.rec_headers.get_header("WARC-Type") != "warcinfo":
                return {}
            return warcinfo_fields(record)
    except _READ_ERRORS:
        return None
