"""A tiny static HTTP server for the dzwww replica site (stdlib only).

The replica stands in for the real portal in tests and local runs. It serves the
files under a root directory (by default the packaged ``newscrawl/replica/site``)
the way a TRS-published static site would:

* ``GET`` and ``HEAD``; other methods get 501.
* A directory URL (``/www/xinwen/shehuixinwen/``) serves the first of
  :data:`INDEX_NAMES` present in it; a directory URL without its trailing slash
  is redirected (301) to the slashed form, so relative links resolve as on the
  real site.
* ``.htm``/``.html`` go out as ``text/html`` with *no* charset, so the page's
  ``<meta>`` decides; a sidecar ``<file>.headers.json`` (a JSON object of header
  names to values) overrides or adds response headers for ``<file>``. Sidecars
  themselves are never served.
* Paths that would leave the root (``..``, encoded or not) get 404, as does
  anything missing.
* Files are read on every request, so a test can edit the site between crawls.
* Every request path is recorded, in order, in :attr:`ReplicaServer.requests`
  (and optionally appended to a log file); nothing is logged to stderr.
"""

from __future__ import annotations

import json
import mimetypes
import os
import posixpath
import signal
import sys
import threading
from collections import Counter
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Self
from urllib.parse import unquote, urlsplit

__all__ = [
    "DEFAULT_ROOT",
    "INDEX_NAMES",
    "SIDECAR_SUFFIX",
    "LocalHTTPServer",
    "ReplicaServer",
    "serve_until_signalled",
]

#: The packaged fixture site.
DEFAULT_ROOT = Path(__file__).parent / "site"

#: Directory index files, in the order they are tried.
INDEX_NAMES = ("index.htm", "index.html", "index.shtml", "default.htm", "default.html")

#: Suffix of the per-file response-header sidecars.
SIDECAR_SUFFIX = ".headers.json"

_CONTENT_TYPES = {
    ".htm": "text/html",
    ".html": "text/html",
    ".shtml": "text/html",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "application/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}

_NOT_FOUND_BODY = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
    b"<body><h1>404 Not Found</h1><p>The requested URL was not found on this server.</p>"
    b"</body></html>\n"
)


_NOT_FOUND_HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


Response = tuple[int, dict[str, str], bytes]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: requests are recorded by the server object instead."""

    def _serve(self, send_body: bool) -> None:
        self.server.owner.answer(self, send_body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: LocalHTTPServer) -> None:
        self.owner = owner
        self.server_version = owner.server_version
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client that went away (a crawler killed mid-request): nothing to report
        super().handle_error(request, client_address)


class LocalHTTPServer:
    """An HTTP server on this machine, served from a daemon thread.

    Subclasses say how a request path is answered (:meth:`respond`). Every
    request is recorded: ``requests`` lists the raw paths (query included) in
    arrival order, ``statuses`` counts responses by status code, and a
    ``request_log`` file, when given, gets one path per line.
    """

    server_version = "LocalHTTP/1.0"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_log: str | os.PathLike[str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.request_log = Path(request_log) if request_log is not None else None
        self.requests: list[str] = []
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._log: IO[str] | None = None
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def respond(self, raw_path: str) -> Response:
        """(status, headers, body) for a GET of ``raw_path``."""
        raise NotImplementedError

    def check_ready(self) -> None:
        """Raise when the server cannot serve (called by :meth:`start`)."""

    def answer(self, handler: BaseHTTPRequestHandler, send_body: bool) -> None:
        """Answer one request on ``handler``: :meth:`respond`, record, send.

        Subclasses that need the connection itself (to stall, cut or reset it)
        override this and write to ``handler.wfile`` / ``handler.connection``.
        """
        status, headers, body = self.respond(handler.path)
        self.record(handler.path, status)
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if "content-length" not in {name.lower() for name in headers}:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if send_body and body:
            handler.wfile.write(body)

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns ``self``."""
        if self._httpd is not None:
            return self
        self.check_ready()
        self._httpd = _Server((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        if self.request_log is not None:
            self._log = self.request_log.open("a", encoding="utf-8")
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"{type(self).__name__}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (safe to call twice)."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. ``http://127.0.0.1:8123/``."""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    # -- request log -----------------------------------------------------------

    def clear_requests(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self.requests.clear()
            self.statuses.clear()

    def record(self, path: str, status: int) -> None:
        with self._lock:
            self.requests.append(path)
            self.statuses[status] += 1
            if self._log is not None:
                self._log.write(path + "\n")
                self._log.flush()


def serve_until_signalled(server: LocalHTTPServer, banner: list[str], name: str) -> int:
    """Start ``server``, print ``banner`` lines, serve until SIGTERM/SIGINT; exit code."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        server.start()
    except OSError as exc:
        print(f"{name}: cannot start: {exc}", file=sys.stderr)
        return 1
    for line in banner:
        print(line.format(url=server.url), flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
    return 0


class ReplicaServer(LocalHTTPServer):
    """Serve a replica site (a directory of fixture pages) over HTTP.

    >>> with ReplicaServer() as srv:          # doctest: +SKIP
    ...     urllib.request.urlopen(srv.url + "robots.txt")
    """

    server_version = "ReplicaHTTP/1.0"

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_log: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(host, port, request_log=request_log)
        self.root = Path(root) if root is not None else DEFAULT_ROOT

    def check_ready(self) -> None:
        if not self.root.is_dir():
            raise FileNotFoundError(f"replica root is not a directory: {self.root}")

    def respond(self, raw_path: str) -> Response:
        target = self.resolve(raw_path)
        if isinstance(target, str):  # a redirect location
            return HTTPStatus.MOVED_PERMANENTLY, {"Location": target}, b""
        try:
            body = target.read_bytes() if target is not None else None
        except OSError:
            body = None
        if target is None or body is None:
            return (
                HTTPStatus.NOT_FOUND,
                {"Content-Type": "text/html; charset=utf-8"},
                _NOT_FOUND_BODY,
            )
        headers = {"Content-Type": _content_type(target)}
        headers.update(self.sidecar_headers(target))
        return HTTPStatus.OK, headers, body

    # -- file mapping ----------------------------------------------------------

    def resolve(self, raw_path: str) -> Path | str | None:
        """Map a request path to a file under the root.

        Returns the file, a redirect location (str) for a directory requested
        without its trailing slash, or None (404).
        """
        url_path = urlsplit(raw_path).path
        decoded = unquote(url_path)
        if "\x00" in decoded or "\\" in decoded:
            return None
        parts = [p for p in decoded.split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            return None
        root = self.root.resolve()
        candidate = root.joinpath(*parts) if parts else root
        try:
            real = candidate.resolve()
        except OSError:
            return None
        if real != root and root not in real.parents:
            return None
        if candidate.is_dir():
            if not url_path.endswith("/"):
                query = urlsplit(raw_path).query
                return url_path + "/" + (f"?{query}" if query else "")
            for name in INDEX_NAMES:
                index = candidate / name
                if index.is_file():
                    return index
            return None
        if not candidate.is_file() or candidate.name.endswith(SIDECAR_SUFFIX):
            return None
        return candidate

    def sidecar_headers(self, path: Path) -> dict[str, str]:
        """Headers from ``<file>.headers.json``, or {} (bad sidecars are ignored)."""
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        headers: dict[str, str] = {}
        for name, value in data.items():
            # Replace a default header whatever the capitalisation used.
            canonical = "-".join(w.capitalize() for w in str(name).split("-"))
            headers[canonical] = str(value)
        return headers

    def __repr__(self) -> str:
        state = self.url if self._httpd is not None else "stopped"
        return f"<ReplicaServer {posixpath.basename(str(self.root))} {state}>"
