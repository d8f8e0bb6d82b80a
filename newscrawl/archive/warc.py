"""WARC 1.1 files: an atomic, rotating writer and a reader that survives damage."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import logging
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.cdxj import cdxj_line, index_path_for, write_cdxj
from newscrawl.atomic import move_into_place, sync_and_close, temp_path_for
from newscrawl.clock import warc_date

try:  # zlib-ng: the same gzip members as zlib writes, in about 60 % of the CPU time
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # a platform without its wheel: the standard library's zlib
    _deflate = zlib  # type: ignore[assignment]

if TYPE_CHECKING:
    from newscrawl.archive.captures import CaptureIndex, PayloadCapture

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
#: Record Content-Types as WARC 1.1 spells them (section 6.3.2, 6.5.2), without the
#: space warcio puts after ``;`` (the standard's media-type grammar has no room for it).
HTTP_RESPONSE_TYPE = "application/http;msgtype=response"
HTTP_REQUEST_TYPE = "application/http;msgtype=request"
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = b"WARC/1."
_HOP_BY_HOP = {b"transfer-encoding"}
#: warcio reports damaged input with many exception types (even AttributeError
#: on a record cut inside its headers), so every error while reading is damage.
_READ_ERRORS = (Exception,)

#: W3CDTF at any granularity WARC writers use (``2026-12-06T12:19:32Z``,
#: ``…:32.123456Z``, ``2026-12-06``), plus the ``+00:00`` form of older archives.
_W3CDTF = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?"
    r"(Z|[+-]\d{2}:\d{2})?"
)


def parse_warc_date(value: str) -> dt.datetime:
    """The UTC time of a ``WARC-Date`` (any W3CDTF granularity); ValueError if it is none."""
    match = _W3CDTF.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not a W3C date: {value!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    moment = dt.datetime(
        int(year),
        int(month or 1),
        int(day or 1),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        int((fraction or "0")[:6].ljust(6, "0")),
        tzinfo=dt.UTC,
    )
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        moment -= sign * offset
    return moment


def record_time(value: str) -> str:
    """A ``WARC-Date`` as the records' ISO 8601 UTC time, to the second (``…+00:00``)."""
    return parse_warc_date(value).replace(microsecond=0).isoformat()


def _fetch_time(value: str) -> str:
    """:func:`record_time`, or the value as found when it is no date (a foreign writer's bug)."""
    try:
        return record_time(value)
    except ValueError:
        return value


def payload_digest(payload: bytes) -> str:
    """The ``WARC-Payload-Digest`` of a payload: ``sha1:`` and the Base32 SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def same_digest(one: str | None, other: str | None) -> bool:
    """True when two labelled digests name the same SHA-1 (label and case aside)."""
    if not one or not other:
        return False
    return one.rsplit(":", 1)[-1].upper() == other.rsplit(":", 1)[-1].upper()


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
    """ISO 8601 UTC time of the fetch, to the second (the records' ``crawled_at``)."""
    revisit: bool = False
    """True when a revisit record stands for the response (its payload was archived before)."""
    warc_date: str = ""
    """The record's ``WARC-Date`` as written."""

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
        self.compressor = _deflate.compressobj(level, _deflate.DEFLATED, _deflate.MAX_WBITS + 16)

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
    when it reaches ``max_bytes`` or the run ends, then its CDXJ index is
    written beside it, so no reader ever sees a truncated record or an index of
    a file that is not there. Every file starts with a warcinfo record naming
    the spider and its start URLs.

    With a capture index, a 200 response whose payload digest equals the one
    archived last for its URL (in this run or an earlier one) is written as a
    ``revisit`` record (profile identical-payload-digest) without the payload.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        max_bytes: int,
        info: dict[str, str],
        compression_level: int,
        captures: CaptureIndex | None = None,
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = info
        self.compression_level = checked_compression_level(compression_level)
        self.captures = captures
        self.sequence = 0
        self.handle: IO[bytes] | None = None
        self.writer: WARCWriter | None = None
        self.name = ""
        self.finished: list[Path] = []
        self.index_lines: list[str] = []
        self.failure: OSError | None = None
        """The write error that stopped this writer; every later write raises it again."""

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
        self.handle.flush()

    def _stop(self, start: int, error: OSError) -> None:
        """A write failed: cut the file back to its last whole record and write no more.

        Every record before ``start`` was flushed, so the file stays a valid WARC
        holding every response already handed out, and :meth:`close` still
        renames it into place. A file left with no record at all is removed.
        """
        self.failure = error
        handle, self.handle, self.writer = self.handle, None, None
        temp = temp_path_for(self.final_path)
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass  # its unflushed bytes are the ones cut off below
        try:
            if start <= 0:
                temp.unlink(missing_ok=True)
                return
            os.truncate(temp, start)
            self.handle = temp.open("ab")
        except OSError:
            self.handle = None  # left as a temporary file; the next run removes it

    def _commit(self) -> None:
        if self.handle is None:
            return
        handle, self.handle, self.writer = self.handle, None, None
        sync_and_close(handle)
        move_into_place(temp_path_for(self.final_path), self.final_path)
        self.finished.append(self.final_path)
        lines, self.index_lines = sorted(self.index_lines), []
        try:
            index = write_index_beside(self.final_path, lines)
        except OSError as exc:  # the archive is safe; only its index is missing
            logger.error("Cannot write the CDXJ index of %s: %s", self.final_path, exc)
            return
        if self.captures is not None:
            try:
                self.captures.add_index(index)
            except Exception as exc:  # a cache: the next run reads the index again
                logger.warning("Capture cache not updated with %s: %s", index, exc)

    def _previous_payload(self, exchange: Exchange, digest: str) -> PayloadCapture | None:
        """The earlier capture of this URL with the same payload, if revisits apply."""
        if self.captures is None or exchange.status != 200 or not exchange.body:
            return None
        previous = self.captures.previous(exchange.url)
        if previous is None or not same_digest(previous.digest, digest):
            return None
        return previous

    def write(self, exchange: Exchange) -> ArchiveLocation:
        """Write the response (or revisit) and request records; returns where the first went.

        Both records are flushed to the file before this returns. A write error
        (a full disk …) is raised after the file was cut back to its last whole
        record; the writer then refuses every later write with the same error.
        """
        if self.failure is not None:
            raise self.failure
        start = 0
        try:
            if self.handle is None:
                self._open()
            assert self.handle is not None
            start = self.handle.tell()
            location, index_line, digest = self._write_exchange(exchange)
            assert self.handle is not None
            self.handle.flush()
        except OSError as exc:
            self._stop(start, exc)
            raise
        self.index_lines.append(index_line)
        if not location.revisit and self.captures is not None and exchange.status == 200:
            self.captures.remember(
                exchange.url, digest, location.warc_date, location.record_id, self.name
            )
        if self.handle.tell() >= self.max_bytes:
            self._commit()
        return location

    def _write_exchange(self, exchange: Exchange) -> tuple[ArchiveLocation, str, str]:
        """Write the records of one exchange; its location, CDXJ line and payload digest."""
        assert self.writer is not None and self.handle is not None
        date = warc_date()
        try:
            reason = HTTPStatus(exchange.status).phrase
        except ValueError:
            reason = "Unknown"
        response_headers = StatusAndHeaders(
            f"{exchange.status} {reason}", exchange.response_headers, protocol="HTTP/1.1"
        )
        common = {"WARC-Date": date}
        if exchange.ip_address:
            common["WARC-IP-Address"] = exchange.ip_address
        warc_headers = {**common, "Content-Type": HTTP_RESPONSE_TYPE}
        digest = payload_digest(exchange.body)
        previous = self._previous_payload(exchange, digest)
        if previous is not None:
            if previous.record_id:
                warc_headers["WARC-Refers-To"] = previous.record_id
            warc_headers["WARC-Truncated"] = "length"
            response = self.writer.create_revisit_record(
                exchange.url,
                digest,
                previous.url,
                previous.date,
                http_headers=response_headers,
                warc_headers_dict=warc_headers,
            )
            response.rec_headers.replace_header("WARC-Profile", REVISIT_PROFILE)
        else:
            warc_headers["WARC-Payload-Digest"] = digest
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
            warc_headers_dict={**common, "Content-Type": HTTP_REQUEST_TYPE},
        )
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        request.rec_headers.add_header("WARC-Concurrent-To", record_id)
        offset = self.handle.tell()
        self.writer.write_record(response)
        index_line = cdxj_line(
            url=exchange.url,
            warc_date=date,
            kind="revisit" if previous is not None else "response",
            status=exchange.status,
            content_type=response_headers.get_header("Content-Type"),
            digest=digest,
            offset=offset,
            length=self.handle.tell() - offset,
            filename=self.name,
        )
        self.writer.write_record(request)
        location = ArchiveLocation(
            self.name, record_id, record_time(date), previous is not None, warc_date=date
        )
        return location, index_line, digest

    def close(self) -> list[Path]:
        """Rename the open file into place; returns every file this writer finished."""
        self._commit()
        return self.finished


def write_index_beside(archive: Path, lines: list[str] | None = None) -> Path:
    """Write the CDXJ index of a closed archive next to it (atomically); returns its path.

    ``lines`` are its sorted lines when the writer made them; otherwise the archive is read.
    """
    index = index_path_for(archive)
    temp = temp_path_for(index)
    try:
        out = temp.open("w", encoding="utf-8")
        with out:
            if lines is None:
                write_cdxj(archive, out)
            else:
                out.writelines(lines)
            sync_and_close(out)
        move_into_place(temp, index)
    finally:
        temp.unlink(missing_ok=True)
    return index


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


def _next_start(fh: IO[bytes], start: int, marker: bytes, line_start: bool) -> int | None:
    """Offset of the next ``marker`` at or after ``start`` (only at a line start if asked)."""
    fh.seek(start)
    chunk_start = start
    tail = b""
    keep = len(marker)
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            return None
        data = tail + chunk
        base = chunk_start - len(tail)
        found = data.find(marker)
        while found >= 0:
            starts_line = base + found == 0 or data[found - 1 : found] == b"\n"
            if (starts_line or not line_start) and base + found >= start:
                return base + found
            found = data.find(marker, found + 1)
        tail = data[-keep:]
        chunk_start += len(chunk)


def _is_gzip(fh: IO[bytes]) -> bool:
    fh.seek(0)
    return fh.read(3) == _GZIP_MAGIC


def _record_problem(entry: ArchiveEntry) -> ReadProblem | None:
    """Damage shown by a record once it was read to its end: cut short, or a digest mismatch."""
    record = entry.record
    headers = record.rec_headers
    if not headers.get_header("WARC-Type") or not headers.get_header("WARC-Record-ID"):
        return ReadProblem(entry.path, entry.offset, "record header cut short")
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        return ReadProblem(entry.path, entry.offset, f"record cut short ({missing} bytes missing)")
    checker = getattr(record, "digest_checker", None)
    if checker is None or checker.passed is not False or headers.get_header("WARC-Truncated"):
        return None  # a truncated block cannot match the digest of the whole payload
    return ReadProblem(entry.path, entry.offset, "; ".join(checker.problems) or "digest mismatch")


def _unread_tail(
    path: Path, fh: IO[bytes], iterator: ArchiveIterator, last: ArchiveEntry | None, start: int
) -> ReadProblem | None:
    """Bytes after the last whole record (a file cut inside a record's gzip member or its
    header): the reader ends there without an error, so they are checked here."""
    end = iterator.get_record_offset() + iterator.get_record_length() if last else start
    size = os.fstat(fh.fileno()).st_size
    if size <= end:
        return None
    fh.seek(end)
    if not fh.read(64 * 1024).strip(b"\r\n\x00 "):
        return None  # padding
    return ReadProblem(
        path, end, f"the file ends inside a record ({size - end} bytes not a whole record)"
    )


def iter_archive(path: Path, log: ArchiveReadLog | None = None) -> Iterator[ArchiveEntry]:
    """Every record of a WARC file, in order; damage is logged and skipped, not raised.

    After a damaged or truncated gzip member the reader resumes at the next
    member header; in an uncompressed file, at the next line starting with
    ``WARC/1.`` (so a record whose Content-Length lies does not hide the records
    after it). Records whose digests do not match are reported as damage.
    """
    log = log if log is not None else ArchiveReadLog()
    try:
        fh = path.open("rb")
    except OSError as exc:
        log.problems.append(ReadProblem(path, 0, f"cannot read: {exc.strerror or exc}"))
        log.not_warc = True
        return
    with fh:
        if not fh.read(1):
            log.problems.append(ReadProblem(path, 0, "empty file"))
            log.not_warc = True
            return
        compressed = _is_gzip(fh)
        marker = _GZIP_MAGIC if compressed else _WARC_LINE
        if not compressed and _next_start(fh, 0, _WARC_LINE, True) is None:
            # no line anywhere starts a WARC record: not damage, not a WARC at all
            log.not_warc = True
            log.problems.append(ReadProblem(path, 0, "not a WARC file"))
            return
        position = 0
        while True:
            fh.seek(position)
            iterator = ArchiveIterator(fh, check_digests=True)
            last_start = position
            previous: ArchiveEntry | None = None
            try:
                for record in iterator:
                    if previous is not None and (problem := _record_problem(previous)):
                        log.problems.append(problem)
                    offset = iterator.get_record_offset()
                    last_start = offset
                    log.records += 1
                    previous = ArchiveEntry(path, offset, record)
                    yield previous
                if previous is not None and (problem := _record_problem(previous)):
                    log.problems.append(problem)
                if problem := _unread_tail(path, fh, iterator, previous, position):
                    log.problems.append(problem)
                return
            except _READ_ERRORS as exc:
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if log.records == 0 and "Unknown archive format" in message:
                    log.not_warc = True
                    log.problems.append(ReadProblem(path, 0, "not a WARC file"))
                    return
                # the record after the last one read, once that one was read to its end
                damaged_at = max(last_start, iterator.offset if previous is not None else 0)
                problem = ReadProblem(path, damaged_at, message)
                last = log.problems[-1] if log.problems else None
                if last is None or (last.path, last.offset) != (path, damaged_at):
                    log.problems.append(problem)  # once, though read again on resuming
                # from the last record read: a Content-Length that lies may hide the next
                resume = _next_start(fh, max(last_start, position) + 1, marker, not compressed)
                if resume is None or resume <= position:
                    return
                position = resume


@dataclass
class StoredResponse:
    """An archived response (or revisit), read back."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    raw_body: bytes
    """The payload exactly as received (still content-encoded, if it was)."""
    record_id: str
    date: str
    """ISO 8601 UTC time of the fetch, to the second (the records' ``crawled_at``)."""
    file: str
    kind: str = "response"
    """The WARC-Type: ``response`` or ``revisit`` (whose payload is in an earlier record)."""
    payload_digest: str | None = None
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    truncated: str | None = None
    """The WARC-Truncated reason, when the archived payload is incomplete."""

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def body(self, max_size: int | None = None) -> bytes:
        """The payload with its Content-Encoding (gzip, deflate) undone.

        With ``max_size`` a payload that is (or inflates to) more bytes raises
        :class:`BodyTooLarge`, found without inflating more than ``max_size``
        bytes and without holding them, so a decompression bomb costs no memory.
        """
        encoding = (self.header("Content-Encoding") or "").strip().lower()
        if max_size is not None and len(self.raw_body) > max_size:
            raise BodyTooLarge(len(self.raw_body), max_size, inflated=False)
        if encoding in ("gzip", "x-gzip"):
            if max_size is not None:
                _check_inflated_size(self.raw_body, zlib.MAX_WBITS | 16, max_size)
            return gzip.decompress(self.raw_body)
        if encoding == "deflate":
            for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
                try:
                    if max_size is not None:
                        _check_inflated_size(self.raw_body, wbits, max_size)
                    return zlib.decompress(self.raw_body, wbits)
                except zlib.error:
                    if wbits < 0:
                        raise
        return self.raw_body


class BodyTooLarge(ValueError):
    """An archived payload larger than the size limit (after decompression, if encoded)."""

    def __init__(self, size: int, limit: int, *, inflated: bool = True) -> None:
        if inflated:
            message = f"body inflates to more than {limit} bytes (the size limit)"
        else:
            message = f"body is {size} bytes, more than the size limit of {limit}"
        super().__init__(message)
        self.size = size
        self.limit = limit


_INFLATE_CHUNK = 1 << 20


def _check_inflated_size(raw: bytes, wbits: int, limit: int) -> None:
    """Raise :class:`BodyTooLarge` when ``raw`` inflates to more than ``limit`` bytes.

    Inflates at most ``limit`` + 1 bytes, a chunk at a time, keeping none of them
    (every gzip member of a multi-member stream counted).
    """
    total = 0
    data = raw
    while data:
        inflater = zlib.decompressobj(wbits)
        pending = data
        while pending and not inflater.eof:
            total += len(inflater.decompress(pending, _INFLATE_CHUNK))
            if total > limit:
                raise BodyTooLarge(total, limit)
            pending = inflater.unconsumed_tail
        data = inflater.unused_data if wbits & 16 else b""


def read_response_at(path: Path, offset: int) -> StoredResponse:
    """The response or revisit record starting at ``offset`` (a revisit's body is empty)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, check_digests=False)))
        headers = record.rec_headers
        http = record.http_headers
        return StoredResponse(
            url=headers.get_header("WARC-Target-URI"),
            status=int(http.get_statuscode()) if http and http.get_statuscode() else 0,
            headers=list(http.headers) if http else [],
            raw_body=record.raw_stream.read(),
            record_id=headers.get_header("WARC-Record-ID"),
            date=_fetch_time(headers.get_header("WARC-Date") or ""),
            file=path.name,
            kind=headers.get_header("WARC-Type"),
            payload_digest=headers.get_header("WARC-Payload-Digest"),
            refers_to=headers.get_header("WARC-Refers-To"),
            refers_to_uri=headers.get_header("WARC-Refers-To-Target-URI"),
            refers_to_date=headers.get_header("WARC-Refers-To-Date"),
            truncated=headers.get_header("WARC-Truncated"),
        )


def read_record_headers(path: Path, offset: int) -> dict[str, str]:
    """The WARC header fields of the record starting at ``offset``."""
    with path.open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, check_digests=False, no_record_parse=True)))
        return dict(record.rec_headers.headers)


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
