"""Every header of every record type we write, checked against the WARC 1.1 grammar.

ISO 28500:2017 (WARC 1.1), clauses 4-6, with the community annotations of the IIPC
(no folded header lines; readers strip ``<>`` around WARC-Target-URI, so writers must
not put them there). ``warcio check`` only recomputes digests; this reads the raw
bytes of each gzip member.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newscrawl.archive.warc import REVISIT_PROFILE
from tests.archive_tools import crawl_twice

TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
QUOTED = r'"(?:[^"\\\x00-\x1f\x7f]|\\.)*"'
MEDIA_TYPE = re.compile(rf"{TOKEN}/{TOKEN}(?:;{TOKEN}=(?:{TOKEN}|{QUOTED}))*")
W3CDTF_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")
URI_CHAR = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2}"
URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:(?:{URI_CHAR})+")
LABELLED_DIGEST = re.compile(rf"({TOKEN}):({TOKEN})")
RECORD_TYPES = {
    "warcinfo",
    "response",
    "resource",
    "request",
    "metadata",
    "revisit",
    "conversion",
    "continuation",
}
TRUNCATION_REASONS = {"length", "time", "disconnect", "unspecified"}
REPEATABLE = {"warc-concurrent-to"}
ID_FIELDS = {"warc-record-id", "warc-concurrent-to", "warc-refers-to", "warc-warcinfo-id"}
URI_FIELDS = {"warc-target-uri", "warc-refers-to-target-uri", "warc-profile"}
CONTENT_TYPES = {
    "warcinfo": "application/warc-fields",
    "metadata": "application/warc-fields",
    "request": "application/http;msgtype=request",
    "response": "application/http;msgtype=response",
    "revisit": "application/http;msgtype=response",
}
#: field → record types it shall not appear in (clause 5).
FORBIDDEN_IN = {
    "warc-target-uri": {"warcinfo"},
    "warc-ip-address": {"warcinfo", "conversion", "continuation"},
    "warc-concurrent-to": {"warcinfo", "conversion", "continuation"},
    "warc-refers-to": {"warcinfo", "response", "resource", "request", "continuation"},
    "warc-refers-to-target-uri": {
        "warcinfo",
        "response",
        "metadata",
        "conversion",
        "resource",
        "request",
        "continuation",
    },
    "warc-refers-to-date": {
        "warcinfo",
        "response",
        "metadata",
        "conversion",
        "resource",
        "request",
        "continuation",
    },
    "warc-filename": RECORD_TYPES - {"warcinfo"},
    "warc-profile": RECORD_TYPES - {"revisit"},
    "warc-payload-digest": {"warcinfo", "metadata"},
    "warc-warcinfo-id": {"warcinfo"},
}
TARGET_REQUIRED = {"response", "resource", "request", "revisit", "conversion", "continuation"}


@dataclass
class Record:
    file: str
    member: int
    version: bytes
    fields: list[tuple[str, str]]
    block: bytes
    errors: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k.lower() == name), None)


def sha1_base32(data: bytes) -> str:
    return base64.b32encode(hashlib.sha1(data).digest()).decode()


def gzip_members(data: bytes) -> list[bytes]:
    """The decompressed members of a gzip file (WARC: one record per member)."""
    members, position = [], 0
    while position < len(data):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        members.append(inflater.decompress(data[position:]))
        assert inflater.eof, f"gzip member at byte {position} is cut short"
        position = len(data) - len(inflater.unused_data)
    return members


def parse_member(file: str, number: int, member: bytes) -> Record:
    """One gzip member as one WARC record; grammar errors are collected, not raised."""
    errors = []
    head, sep, rest = member.partition(b"\r\n\r\n")
    if not sep:
        return Record(file, number, b"", [], b"", ["no blank line ends the header"])
    version, _, field_bytes = head.partition(b"\r\n")
    fields = []
    for line in field_bytes.split(b"\r\n") if field_bytes else []:
        if b"\n" in line or b"\r" in line:
            errors.append(f"bare CR or LF in header line {line!r}")
        if line[:1] in (b" ", b"\t"):
            errors.append(f"folded header line {line!r}")
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(f"header line is not UTF-8: {line!r}")
            continue
        match = re.fullmatch(rf"({TOKEN}):[ \t]*(.*)", text)
        if match is None:
            errors.append(f"not a named field: {text!r}")
            continue
        if re.search(r"[\x00-\x08\x0a-\x1f\x7f]", match.group(2)):
            errors.append(f"control character in {text!r}")
        fields.append((match.group(1), match.group(2).rstrip(" \t")))
    if not rest.endswith(b"\r\n\r\n"):
        errors.append("block is not followed by CRLF CRLF")
    return Record(file, number, version, fields, rest[:-4], errors)


def check_field(record: Record, name: str, value: str) -> None:
    err = record.errors.append
    if name in ID_FIELDS:
        if not (value.startswith("<") and value.endswith(">") and URI.fullmatch(value[1:-1])):
            err(f"{name} is not '<' uri '>': {value!r}")
        elif value.startswith("<urn:uuid:"):
            uuid.UUID(value[10:-1])
    elif name in URI_FIELDS:
        if not URI.fullmatch(value):
            err(f"{name} is not an RFC 3986 URI (without <>): {value!r}")
    elif name in ("warc-date", "warc-refers-to-date"):
        if not W3CDTF_UTC.fullmatch(value):
            err(f"{name} is not a W3CDTF UTC time ending in Z: {value!r}")
    elif name == "content-length":
        if not value.isdigit():
            err(f"Content-Length is not 1*DIGIT: {value!r}")
    elif name in ("content-type", "warc-identified-payload-type"):
        if not MEDIA_TYPE.fullmatch(value):
            err(f"{name} is not a media-type: {value!r}")
    elif name in ("warc-block-digest", "warc-payload-digest"):
        match = LABELLED_DIGEST.fullmatch(value)
        if match is None:
            err(f"{name} is not a labelled-digest: {value!r}")
        elif match.group(1) == "sha1" and not re.fullmatch(r"[A-Z2-7]{32}", match.group(2)):
            err(f"{name} is not an upper-case Base32 SHA-1: {value!r}")
    elif name == "warc-ip-address":
        address = ipaddress.ip_address(value)
        if address.version == 4 and str(address) != value:
            err(f"WARC-IP-Address is not a dotted quad: {value!r}")
    elif name == "warc-type":
        if value not in RECORD_TYPES:
            err(f"unknown WARC-Type {value!r}")
    elif name == "warc-truncated":
        if value not in TRUNCATION_REASONS:
            err(f"unknown WARC-Truncated reason {value!r}")
    elif name == "warc-filename":
        if re.search(r"[\x00-\x1f\x7f]", value):
            err("WARC-Filename is not TEXT")


def check_record(record: Record) -> None:
    err = record.errors.append
    if record.version != b"WARC/1.1":
        err(f"version line {record.version!r}")
    names = Counter(k.lower() for k, _ in record.fields)
    for name, count in names.items():
        if count > 1 and name not in REPEATABLE:
            err(f"{name} repeated")
    for mandatory in ("warc-record-id", "content-length", "warc-date", "warc-type"):
        if mandatory not in names:
            err(f"{mandatory} missing")
    for name, value in record.fields:
        check_field(record, name.lower(), value)
    kind = record.get("warc-type") or ""
    for name in names:
        if kind in FORBIDDEN_IN.get(name, ()):
            err(f"{name} shall not be used in a {kind} record")
    if kind in TARGET_REQUIRED and "warc-target-uri" not in names:
        err(f"a {kind} record has no WARC-Target-URI")
    if record.get("content-length") != str(len(record.block)):
        err(f"Content-Length {record.get('content-length')} != block of {len(record.block)}")
    if record.block and record.get("content-type") != CONTENT_TYPES.get(kind):
        err(f"Content-Type of a {kind} record is {record.get('content-type')!r}")
    block_digest = record.get("warc-block-digest")
    if block_digest and block_digest != "sha1:" + sha1_base32(record.block):
        err("WARC-Block-Digest does not match the block")
    if kind == "warcinfo":
        for line in record.block.decode("utf-8").split("\r\n"):
            if line and not re.fullmatch(rf"{TOKEN}:.*", line):
                err(f"warcinfo block line is not a warc-field: {line!r}")
    if kind in ("response", "request"):
        _, sep, payload = record.block.partition(b"\r\n\r\n")
        if not sep:
            err("HTTP message has no end of headers")
        digest = record.get("warc-payload-digest")
        if digest and digest != "sha1:" + sha1_base32(payload):
            err("WARC-Payload-Digest does not match the entity-body")
    if kind == "response" and not re.match(rb"HTTP/1\.[01] \d{3} ", record.block):
        err("response block does not start with an HTTP status line")
    if kind == "revisit":
        if record.get("warc-profile") != REVISIT_PROFILE:
            err(f"revisit profile {record.get('warc-profile')!r}")
        if not record.get("warc-payload-digest"):
            err("identical-payload-digest revisit without WARC-Payload-Digest")
        if record.get("warc-truncated") != "length":
            err("identical-digest truncation without WARC-Truncated: length")
        if not record.block.endswith(b"\r\n\r\n") or b"\r\n\r\n" in record.block[:-4]:
            err("revisit block is not the HTTP response headers alone")


def read_records(path: Path) -> list[Record]:
    records = []
    for number, member in enumerate(gzip_members(path.read_bytes())):
        record = parse_member(path.name, number, member)
        if not record.errors:
            check_record(record)
        records.append(record)
    return records


@pytest.fixture(scope="module")
def written(tmp_path_factory, replica):
    """Every record of a crawl and of a re-check run (warcinfo, request, response, revisit)."""
    _, _, archive = crawl_twice(tmp_path_factory.mktemp("conformance"), replica)
    files = sorted(archive.glob("*.warc.gz"))
    assert len(files) == 2
    return [record for path in files for record in read_records(path)]


def test_every_record_type_we_write_is_present(written) -> None:
    kinds = Counter(r.get("warc-type") for r in written)
    assert set(kinds) == {"warcinfo", "request", "response", "revisit"}
    assert kinds["warcinfo"] == 2
    assert kinds["request"] == kinds["response"] + kinds["revisit"]


def test_every_header_follows_the_warc_1_1_grammar(written) -> None:
    problems = [f"{r.file} member {r.member}: {e}" for r in written for e in r.errors]
    assert problems == []


def test_record_ids_are_unique_and_references_resolve(written) -> None:
    ids = [r.get("warc-record-id") for r in written]
    assert len(set(ids)) == len(ids)
    by_id = {r.get("warc-record-id"): r for r in written}
    for record in written:
        for name, value in record.fields:
            if name.lower() == "warc-concurrent-to":
                partner = by_id[value]
                assert partner.get("warc-date") == record.get("warc-date")  # one capture event
                assert partner.get("warc-target-uri") == record.get("warc-target-uri")
        if record.get("warc-type") == "revisit":
            original = by_id[record.get("warc-refers-to")]
            assert original.get("warc-type") == "response"
            assert original.get("warc-target-uri") == record.get("warc-refers-to-target-uri")
            assert original.get("warc-date") == record.get("warc-refers-to-date")
            assert original.get("warc-payload-digest") == record.get("warc-payload-digest")


def test_warcinfo_names_its_file(written) -> None:
    for record in written:
        if record.get("warc-type") == "warcinfo":
            assert record.get("warc-filename") == record.file


def test_the_checker_rejects_what_pywb_rejected(written) -> None:
    """The old writer's '+00:00' dates, warcio's default Content-Type spacing, <target>."""
    response = next(r for r in written if r.get("warc-type") == "response")
    for name, bad, complaint in [
        ("WARC-Date", "2026-12-06T12:19:32+00:00", "not a W3CDTF UTC time"),
        ("Content-Type", "application/http; msgtype=response", "is not a media-type"),
        ("WARC-Target-URI", "<http://127.0.0.1/a.htm>", "is not an RFC 3986 URI"),
        ("WARC-Record-ID", "urn:uuid:9c3189d6-1114-42dc-80cf-c6640ad1e25b", "is not '<' uri '>'"),
    ]:
        fields = [(k, bad if k == name else v) for k, v in response.fields]
        broken = Record(response.file, 0, response.version, fields, response.block)
        check_record(broken)
        assert any(complaint in e for e in broken.errors), (name, broken.errors)
