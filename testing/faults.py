"""A fault-injecting portal on 127.0.0.1: a base site with switchable faults per path.

:class:`FaultServer` serves a base site (the replica fixture site by default, or the
synthetic portal) and applies faults to the requests whose path matches a rule. A rule
is written ``PATTERN=KIND[:ARG][@RATE]``:

* ``PATTERN`` is a regular expression searched in the request path (query included,
  without the server's own ``__fault`` redirect token);
* ``KIND[:ARG]`` is one of :data:`KINDS` (``status:503``, ``retry-after:5``,
  ``stall:40``, ``reset``, ``truncate:0.3``, ``redirect-chain:4``, ``gzip-bomb:1G`` …);
* ``RATE`` is a share of the matching requests in 0..1 (``@0.25``; decided from a hash
  of the seed, the rule, the path and how often that path was asked for, so the same
  seed fails the same requests whatever order they arrive in), ``@firstN`` (the first N
  matching requests) or ``@eachN`` (the first N requests of each path: a fault that
  passes on the N+1-th retry). Without ``@`` every matching request is faulted.

Rules are tried in order; the first whose pattern matches and whose rate fires applies.
They can be changed while the server runs (:meth:`FaultServer.set_faults`, or over HTTP
at :data:`CONTROL_PATH` for a server in another process). Every request is recorded in
:attr:`FaultServer.records` as (path, fault applied, status sent; ``None`` when no status
line was sent). A redirect chain or loop carries a ``__fault`` query token so that its
hops keep to the rule that started it.

Run it from a shell (one line is printed once it serves; SIGTERM stops it)::

    python -m testing.faults --fault '_1\\.htm$=status:404' --fault 'sdnews/20=stall:40@0.5'
    FAULTS http://127.0.0.1:40123/
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newscrawl.replica.server import LocalHTTPServer, ReplicaServer, serve_until_signalled
from testing.hostile import HOSTILE, Body, gzip_bomb

__all__ = [
    "CONTROL_PATH",
    "KINDS",
    "Fault",
    "FaultServer",
    "RequestRecord",
    "main",
    "parse_size",
]

#: Path of the control endpoint (GET; not recorded): JSON of the rules and requests;
#: ``?set=SPEC`` (repeatable) replaces the rules, ``?add=SPEC`` appends one,
#: ``?clear=1`` removes them all, ``?forget=1`` clears the request records.
CONTROL_PATH = "/__faults__"
TOKEN = "__fault"

#: Fault kinds: name -> (argument, what the server does).
KINDS: dict[str, tuple[str, str]] = {
    "status": ("CODE", "answer CODE (500, 502, 503, 404 …) with a small HTML page"),
    "retry-after": ("[VALUE]", "answer 429 with Retry-After: VALUE (default 1)"),
    "stall": ("[SECONDS]", "wait SECONDS (default 60) before answering"),
    "stall-body": ("[SECONDS]", "send the headers and half the body, wait, send the rest"),
    "reset": (
        "[BYTES]",
        "send the headers and BYTES of body (none without BYTES: not even "
        "the status line), then reset the connection (RST, SO_LINGER 0)",
    ),
    "drop": ("", "close the connection without answering"),
    "truncate": (
        "[FRACTION]",
        "promise the whole body in Content-Length, send FRACTION (default 0.5) of it, close",
    ),
    "redirect": ("URL", "302 to URL; {host}, {port} and {path} are replaced"),
    "redirect-port": ("PORT", "302 to the same path on PORT of the same host"),
    "redirect-chain": ("[N]", "N 302 hops (default 3) through the same path, then the page"),
    "redirect-loop": ("[N]", "302s around a cycle of N URLs (default 2) forever"),
    "empty": ("", "200 text/html with an empty body"),
    "body": ("png|json|pdf", "200 with a PNG, JSON or PDF body and its content type"),
    "charset": (
        "VALUE|none",
        "the page with Content-Type text/html; charset=VALUE (none: no charset)",
    ),
    "gzip-bomb": ("[SIZE]", "Content-Encoding: gzip decompressing to SIZE (default 1G)"),
    "hostile": ("NAME[,N]", "a hostile page from testing.hostile: " + ", ".join(HOSTILE)),
}

_RATE = re.compile(r"^(?:(?P<rate>\d*\.?\d+)|first(?P<first>\d+)|each(?P<each>\d+))$")
_SIZE = re.compile(r"^(\d+)([kmg]?)i?b?$", re.I)
_PHRASES = {s.value: s.phrase for s in HTTPStatus}


def parse_size(text: str) -> int:
    """``"1G"`` → 2**30, ``"64M"`` → 64 * 2**20, ``"500k"`` → 500 * 1024, ``"123"`` → 123."""
    match = _SIZE.match(text.strip())
    if match is None:
        raise ValueError(f"not a size: {text!r} (use e.g. 1G, 64M, 500k, 1000)")
    return int(match.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[match.group(2).lower()]


@dataclass(frozen=True)
class Fault:
    """One rule: requests whose path matches ``pattern`` get fault ``kind`` (at ``rate``)."""

    pattern: str
    kind: str
    arg: str | None = None
    rate: float = 1.0
    first: int | None = None
    each: int | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {', '.join(KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate {self.rate} is not between 0 and 1")
        try:
            object.__setattr__(self, "regex", re.compile(self.pattern))
        except re.error as exc:
            raise ValueError(f"bad pattern {self.pattern!r}: {exc}") from None
        _check_arg(self.kind, self.arg)

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """A rule from ``PATTERN=KIND[:ARG][@RATE]``."""
        rate, first, each = 1.0, None, None
        head, at, tail = spec.rpartition("@")
        if at and (match := _RATE.match(tail)):
            spec = head
            if match["rate"] is not None:
                rate = float(match["rate"])
            elif match["first"] is not None:
                first = int(match["first"])
            else:
                each = int(match["each"])
        for position, char in enumerate(spec):
            if char != "=":
                continue
            kind, colon, arg = spec[position + 1 :].partition(":")
            if kind in KINDS:
                pattern = spec[:position]
                return cls(pattern, kind, arg if colon else None, rate, first, each)
        raise ValueError(f"not PATTERN=KIND[:ARG][@RATE] with a known KIND: {spec!r}")

    def __str__(self) -> str:
        text = f"{self.pattern}={self.kind}" + (f":{self.arg}" if self.arg is not None else "")
        if self.first is not None:
            return f"{text}@first{self.first}"
        if self.each is not None:
            return f"{text}@each{self.each}"
        return text if self.rate == 1.0 else f"{text}@{self.rate:g}"


def _check_arg(kind: str, arg: str | None) -> None:
    """Raise ValueError when ``arg`` does not suit ``kind``."""
    required = {"status", "redirect", "redirect-port", "body", "charset", "hostile"}
    if arg is None:
        if kind in required:
            raise ValueError(f"fault {kind} needs an argument: {kind}:{KINDS[kind][0]}")
        return
    try:
        if kind == "status" and not 100 <= int(arg) <= 599:
            raise ValueError
        if kind in ("stall", "stall-body", "truncate") and float(arg) < 0:
            raise ValueError
        if kind == "truncate" and float(arg) >= 1:
            raise ValueError
        if kind in ("reset", "redirect-port") and int(arg) < 0:
            raise ValueError
        if kind in ("redirect-chain", "redirect-loop") and int(arg) < 1:
            raise ValueError
        if kind == "gzip-bomb":
            parse_size(arg)
        if kind == "body" and arg not in _BODIES:
            raise ValueError
        if kind == "hostile":
            name, _, size = arg.partition(",")
            if name not in HOSTILE or (size and int(size) < 0):
                raise ValueError
    except ValueError:
        raise ValueError(f"bad argument {arg!r} for fault {kind}:{KINDS[kind][0]}") from None


@dataclass(frozen=True)
class RequestRecord:
    """A request as the server saw it: raw path, the fault applied, the status sent."""

    path: str
    fault: str | None
    status: int | None


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xcc\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


_BODIES: dict[str, tuple[str, bytes]] = {
    "png": ("image/png", _png()),
    "json": (
        "application/json; charset=utf-8",
        json.dumps({"code": 404, "msg": "文章不存在", "data": None}, ensure_ascii=False).encode(),
    ),
    "pdf": (
        "application/pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n",
    ),
}


class _Cut(Exception):
    """The connection was cut on purpose: no further writes, the handler closes."""


class FaultServer(LocalHTTPServer):
    """Serve ``site`` (any :class:`LocalHTTPServer`, not started) with faults applied.

    ``site`` defaults to the replica fixture site. ``faults`` are :class:`Fault` rules or
    their spec strings; ``seed`` fixes which requests a rate picks.
    """

    server_version = "FaultHTTP/1.0"

    def __init__(
        self,
        site: LocalHTTPServer | None = None,
        faults: Iterable[Fault | str] = (),
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        request_log: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(host, port, request_log=request_log)
        self.site = site if site is not None else ReplicaServer()
        self.seed = seed
        self.records: list[RequestRecord] = []
        self._rules_lock = threading.Lock()
        self._faults: tuple[Fault, ...] = ()
        self._matched: Counter[int] = Counter()
        self._per_path: Counter[tuple[int, str]] = Counter()
        self._stopping = threading.Event()
        self.set_faults(faults)

    # -- rules -----------------------------------------------------------------

    @property
    def faults(self) -> tuple[Fault, ...]:
        return self._faults

    def set_faults(self, faults: Iterable[Fault | str]) -> None:
        """Replace the rules (their counters start again)."""
        parsed = tuple(f if isinstance(f, Fault) else Fault.parse(f) for f in faults)
        with self._rules_lock:
            self._faults = parsed
            self._matched.clear()
            self._per_path.clear()

    def add_fault(self, fault: Fault | str) -> None:
        """Append one rule, keeping the others and their counters."""
        parsed = fault if isinstance(fault, Fault) else Fault.parse(fault)
        with self._rules_lock:
            self._faults = (*self._faults, parsed)

    def clear_faults(self) -> None:
        """Serve the base site as it is."""
        self.set_faults(())

    def _draw(self, index: int, path: str, occurrence: int) -> float:
        key = f"{self.seed}:{index}:{path}:{occurrence}".encode()
        return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest()) / 2**64

    def choose(self, path: str) -> tuple[int, Fault] | None:
        """The rule (with its index) that applies to this request of ``path``, if any."""
        with self._rules_lock:
            for index, fault in enumerate(self._faults):
                if not fault.regex.search(path):
                    continue
                self._matched[index] += 1
                self._per_path[index, path] += 1
                if fault.first is not None:
                    fires = self._matched[index] <= fault.first
                elif fault.each is not None:
                    fires = self._per_path[index, path] <= fault.each
                else:
                    fires = self._draw(index, path, self._per_path[index, path]) < fault.rate
                if fires:
                    return index, fault
        return None

    # -- records -----------------------------------------------------------------

    def clear_requests(self) -> None:
        super().clear_requests()
        with self._lock:
            self.records.clear()

    def record_fault(self, path: str, fault: Fault | None, status: int | None) -> None:
        """Record a request: its raw path, the rule applied, the status sent (None: none)."""
        with self._lock:
            status = int(status) if status is not None else None
            self.records.append(RequestRecord(path, str(fault) if fault else None, status))
        if status is not None:
            self.record(path, status)
        else:
            with self._lock:
                self.requests.append(path)

    def faulted(self, kind: str | None = None) -> list[RequestRecord]:
        """Records of requests that got a fault (of ``kind``, if given)."""
        with self._lock:
            records = list(self.records)
        return [
            r
            for r in records
            if r.fault is not None and (kind is None or Fault.parse(r.fault).kind == kind)
        ]

    # -- lifecycle ---------------------------------------------------------------

    def check_ready(self) -> None:
        self.site.check_ready()

    def start(self) -> FaultServer:
        self._stopping.clear()
        return super().start()

    def stop(self) -> None:
        self._stopping.set()  # ends stalls at once
        super().stop()

    def pause(self, seconds: float) -> None:
        """Sleep in a request thread; :meth:`stop` ends the pause at once."""
        self._stopping.wait(seconds)

    def respond(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """The base site's answer (no fault)."""
        return self.site.respond(raw_path)

    # -- answering ---------------------------------------------------------------

    def answer(self, handler: BaseHTTPRequestHandler, send_body: bool) -> None:
        raw = handler.path
        if urlsplit(raw).path == CONTROL_PATH:
            self._control(handler, raw)
            return
        path, token = _split_token(raw)
        chosen = self._continue_chain(token) or self.choose(path)
        index, fault = chosen if chosen is not None else (-1, None)
        exchange = _Exchange(self, handler, raw, path, token, index, fault, send_body)
        try:
            if fault is None:
                exchange.send(*self.respond(path))
            else:
                _APPLY[fault.kind](exchange, fault.arg)
        except _Cut:
            handler.close_connection = True
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            handler.close_connection = True  # the client gave up; nothing to answer

    def _continue_chain(self, token: tuple[int, int] | None) -> tuple[int, Fault] | None:
        """The redirect rule whose hop this request is (rules may have changed since)."""
        if token is None:
            return None
        index, _ = token
        faults = self._faults
        if index < len(faults) and faults[index].kind in ("redirect-chain", "redirect-loop"):
            return index, faults[index]
        return None

    def _control(self, handler: BaseHTTPRequestHandler, raw: str) -> None:
        query = parse_qsl(urlsplit(raw).query, keep_blank_values=True)
        status = 200
        try:
            sets = [v for k, v in query if k == "set"]
            if sets or ("clear", "1") in query:
                self.set_faults(sets)
            for key, value in query:
                if key == "add":
                    self.add_fault(value)
            if ("forget", "1") in query:
                self.clear_requests()
            payload: dict[str, Any] = self.state()
        except ValueError as exc:
            status, payload = 400, {"error": str(exc)}
        body = json.dumps(payload, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def state(self) -> dict[str, Any]:
        """The rules and the request records, as JSON-ready data."""
        with self._lock:
            records = [[r.path, r.fault, r.status] for r in self.records]
        return {"faults": [str(f) for f in self._faults], "requests": records}

    def __repr__(self) -> str:
        state = self.url if self._httpd is not None else "stopped"
        return f"<FaultServer {len(self._faults)} rules {state}>"


@dataclass
class _Exchange:
    """One request being answered: what was asked, the rule that applies, the connection."""

    server: FaultServer
    handler: BaseHTTPRequestHandler
    raw: str
    path: str
    token: tuple[int, int] | None
    index: int
    fault: Fault | None
    send_body: bool

    def send(
        self,
        status: int,
        headers: dict[str, str],
        body: bytes | Body,
        *,
        send_bytes: int | None = None,
        record: bool = True,
    ) -> None:
        """Status line, headers and (up to ``send_bytes`` of) the body; records the request."""
        length = body.length if isinstance(body, Body) else len(body)
        if record:
            self.record(status)
        handler = self.handler
        handler.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        if self.send_body:
            _write(handler, body.chunks() if isinstance(body, Body) else iter((body,)), send_bytes)

    def record(self, status: int | None) -> None:
        self.server.record_fault(self.raw, self.fault, status)

    def page(self) -> tuple[int, dict[str, str], bytes]:
        """The base site's answer for this path."""
        return self.server.respond(self.path)

    def redirect(self, location: str) -> None:
        self.send(302, {"Location": location, "Content-Type": "text/html; charset=utf-8"}, b"")

    def wait(self, seconds: float) -> None:
        self.server.pause(seconds)


_HTML = {"Content-Type": "text/html; charset=utf-8"}


def _error_page(code: int) -> bytes:
    return f"<html><body><h1>{code} {_PHRASES.get(code, 'Error')}</h1></body></html>\n".encode()


def _status(ex: _Exchange, arg: str | None) -> None:
    code = int(arg or 500)
    ex.send(code, _HTML, _error_page(code))


def _retry_after(ex: _Exchange, arg: str | None) -> None:
    ex.send(429, {**_HTML, "Retry-After": arg or "1"}, _error_page(429))


def _stall(ex: _Exchange, arg: str | None) -> None:
    status, headers, body = ex.page()
    ex.record(status)  # now: a client that gives up first was still answered with this
    ex.wait(float(arg or 60))
    ex.send(status, headers, body, record=False)


def _stall_body(ex: _Exchange, arg: str | None) -> None:
    status, headers, body = ex.page()
    half = len(body) // 2
    ex.send(status, headers, body, send_bytes=half)
    ex.wait(float(arg or 60))
    if ex.send_body:
        ex.handler.wfile.write(body[half:])


def _reset(ex: _Exchange, arg: str | None) -> None:
    if arg is None:
        ex.record(None)
    else:
        ex.send(*ex.page(), send_bytes=int(arg))
    _abort(ex.handler)


def _drop(ex: _Exchange, arg: str | None) -> None:
    ex.record(None)
    raise _Cut


def _truncate(ex: _Exchange, arg: str | None) -> None:
    status, headers, body = ex.page()
    ex.send(status, headers, body, send_bytes=int(len(body) * float(arg or 0.5)))
    raise _Cut


def _hostname(ex: _Exchange) -> str:
    host = ex.handler.headers.get("Host") or ex.server.host
    return host if host.endswith("]") or ":" not in host else host.rsplit(":", 1)[0]


def _redirect(ex: _Exchange, arg: str | None) -> None:
    ex.redirect((arg or "").format(host=_hostname(ex), port=ex.server.port, path=ex.path))


def _redirect_port(ex: _Exchange, arg: str | None) -> None:
    ex.redirect(f"http://{_hostname(ex)}:{arg}{ex.path}")


def _redirect_chain(ex: _Exchange, arg: str | None) -> None:
    hop = ex.token[1] if ex.token else 0
    if hop >= int(arg or 3):
        ex.send(*ex.page())
    else:
        ex.redirect(_with_token(ex.path, ex.index, hop + 1))


def _redirect_loop(ex: _Exchange, arg: str | None) -> None:
    hop = (ex.token[1] if ex.token else 0) + 1
    ex.redirect(ex.path if hop >= int(arg or 2) else _with_token(ex.path, ex.index, hop))


def _empty(ex: _Exchange, arg: str | None) -> None:
    ex.send(200, {"Content-Type": "text/html"}, b"")


def _body(ex: _Exchange, arg: str | None) -> None:
    content_type, data = _BODIES[arg or "png"]
    ex.send(200, {"Content-Type": content_type}, data)


def _charset(ex: _Exchange, arg: str | None) -> None:
    status, headers, body = ex.page()
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    headers["Content-Type"] = "text/html" if arg == "none" else f"text/html; charset={arg}"
    ex.send(status, headers, body)


def _generated(ex: _Exchange, body: Body) -> None:
    headers = {"Content-Type": body.content_type}
    if body.content_encoding:
        headers["Content-Encoding"] = body.content_encoding
    ex.send(200, headers, body)


def _gzip_bomb(ex: _Exchange, arg: str | None) -> None:
    _generated(ex, gzip_bomb(parse_size(arg or "1G")))


def _hostile(ex: _Exchange, arg: str | None) -> None:
    name, _, size = (arg or "").partition(",")
    _generated(ex, HOSTILE[name](int(size)) if size else HOSTILE[name]())


_APPLY: dict[str, Callable[[_Exchange, str | None], None]] = {
    "status": _status,
    "retry-after": _retry_after,
    "stall": _stall,
    "stall-body": _stall_body,
    "reset": _reset,
    "drop": _drop,
    "truncate": _truncate,
    "redirect": _redirect,
    "redirect-port": _redirect_port,
    "redirect-chain": _redirect_chain,
    "redirect-loop": _redirect_loop,
    "empty": _empty,
    "body": _body,
    "charset": _charset,
    "gzip-bomb": _gzip_bomb,
    "hostile": _hostile,
}
assert _APPLY.keys() == KINDS.keys()


def _write(handler: BaseHTTPRequestHandler, chunks: Iterator[bytes], limit: int | None) -> None:
    """Write ``chunks`` to the client, stopping after ``limit`` bytes if given."""
    left = limit
    for chunk in chunks:
        if left is not None:
            chunk = chunk[:left]
            left -= len(chunk)
        if chunk:
            handler.wfile.write(chunk)
        if left == 0:
            return


def _abort(handler: BaseHTTPRequestHandler) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0, then close)."""
    sock: socket.socket = handler.connection
    try:
        time.sleep(0.05)  # let what was written reach the client first
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(sock.detach())
    except OSError:
        pass
    raise _Cut


def _split_token(raw: str) -> tuple[str, tuple[int, int] | None]:
    """The path without the ``__fault=RULE.HOP`` token, and the token."""
    parts = urlsplit(raw)
    if TOKEN not in parts.query:
        return raw, None
    query = parse_qsl(parts.query, keep_blank_values=True)
    token = None
    kept = []
    for key, value in query:
        if key == TOKEN and re.fullmatch(r"\d+\.\d+", value):
            rule, hop = value.split(".")
            token = int(rule), int(hop)
        else:
            kept.append((key, value))
    return urlunsplit(("", "", parts.path, urlencode(kept), "")), token


def _with_token(path: str, index: int, hop: int) -> str:
    parts = urlsplit(path)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (TOKEN, f"{index}.{hop}")]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def _site(name: str, root: str | None, articles: int, seed: int) -> LocalHTTPServer:
    if name == "replica":
        return ReplicaServer(root)
    try:
        from testing.synthetic import SyntheticPortal, SyntheticServer  # type: ignore
    except ImportError:
        from testing.synthetic import SyntheticPortal, SyntheticServer
    return SyntheticServer(SyntheticPortal(articles, seed))


def _kinds_help() -> str:
    lines = ["fault kinds (KIND:ARG):"]
    lines += [f"  {name}{':' + arg if arg else ''}  {what}" for name, (arg, what) in KINDS.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a faulty portal until SIGTERM/SIGINT; print ``FAULTS <url>`` first."""
    parser = argparse.ArgumentParser(
        prog="python -m testing.faults",
        description="Serve the replica (or synthetic) portal on 127.0.0.1 with faults.",
        epilog=_kinds_help() + "\n\nRATE: 0..1 share, firstN or eachN; see testing/faults.py.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="PATTERN=KIND[:ARG][@RATE]",
        help="a fault rule (repeatable; tried in order)",
    )
    parser.add_argument("--site", choices=["replica", "synthetic"], default="replica")
    parser.add_argument("--root", default=None, help="replica site directory")
    parser.add_argument("--articles", type=int, default=2000, help="synthetic portal size")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault rates")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default=None, help="append each request path to this file")
    args = parser.parse_args(argv)
    try:
        faults = [Fault.parse(spec) for spec in args.fault]
    except ValueError as exc:
        parser.error(str(exc))
    site = _site(args.site, args.root, args.articles, args.seed)
    server = FaultServer(
        site, faults, seed=args.seed, host=args.host, port=args.port, request_log=args.log
    )
    return serve_until_signalled(server, ["FAULTS {url}"], "faults")


if __name__ == "__main__":
    sys.exit(main())
