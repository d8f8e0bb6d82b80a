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
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["DEFAULT_ROOT", "INDEX_NAMES", "SIDECAR_SUFFIX", "ReplicaServer"]

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


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "ReplicaHTTP/1.0"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: requests are recorded by the ReplicaServer instead."""

    # -- internals -------------------------------------------------------------

    def _serve(self, send_body: bool) -> None:
        replica = self.server.replica
        replica._record(self.path)
        target = replica.resolve(self.path)
        if isinstance(target, str):  # a redirect location
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", {"Location": target}, send_body)
            return
        if target is None:
            self._not_found(send_body)
            return
        try:
            body = target.read_bytes()
        except OSError:
            self._not_found(send_body)
            return
        headers = {"Content-Type": _content_type(target)}
        headers.update(replica.sidecar_headers(target))
        self._send(HTTPStatus.OK, body, headers, send_body)

    def _not_found(self, send_body: bool) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        self._send(HTTPStatus.NOT_FOUND, _NOT_FOUND_BODY, headers, send_body)

    def _send(
        self, status: HTTPStatus, body: bytes, headers: dict[str, str], send_body: bool
    ) -> None:
        self.send_response(status)
        lowered = {name.lower() for name in headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if "content-length" not in lowered:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], replica: ReplicaServer) -> None:
        self.replica = replica
        super().__init__(address, _Handler)


class ReplicaServer:
    """Serve a replica site over HTTP from a daemon thread.

    >>> with ReplicaServer() as srv:          # doctest: +SKIP
    ...     urllib.request.urlopen(srv.url + "robots.txt")

    ``requests`` lists the raw request paths (as sent, query included) in the
    order they arrived; ``clear_requests()`` empties it.
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_log: str | os.PathLike[str] | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else DEFAULT_ROOT
        self.host = host
        self.port = port
        self.request_log = Path(request_log) if request_log is not None else None
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> ReplicaServer:
        """Bind and serve in a daemon thread; returns ``self``."""
        if self._httpd is not None:
            return self
        if not self.root.is_dir():
            raise FileNotFoundError(f"replica root is not a directory: {self.root}")
        self._httpd = _Server((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"replica-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (safe to call twice)."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> ReplicaServer:
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
        with self._lock:
            self.requests.clear()

    def _record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)
            if self.request_log is not None:
                with self.request_log.open("a", encoding="utf-8") as fh:
                    fh.write(path + "\n")

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
