"""A real redis-server on a free 127.0.0.1 port (restartable, persistent: AOF), and workers.

Used by the shared-crawl tests and ``bench/distributed.py``. :class:`RedisServer`
raises :class:`RedisServerMissing` when Debian's ``redis-server`` is not
installed; the tests turn that into a failure under CI and a skip elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from testing.addresses import replica_addresses


class RedisServerMissing(RuntimeError):
    """redis-server is not installed."""


def redis_server_binary() -> str:
    """Path of redis-server; :class:`RedisServerMissing` when it is not installed."""
    path = shutil.which("redis-server")
    if path is None:
        raise RedisServerMissing("redis-server is not installed (apt-get install -y redis-server)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One redis-server process on 127.0.0.1 with its data in ``directory``.

    Appendonly with fsync on every write, like the production set-up the docs
    describe, so a restart keeps everything that was acknowledged.
    """

    def __init__(self, directory: Path) -> None:
        self.binary = redis_server_binary()
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--loglevel", "warning",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.ping():
                return self
            if self.process.poll() is not None:
                log = (self.directory / "redis.log").read_text(errors="replace")
                raise RuntimeError(f"redis-server exited: {log[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 20 s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM: Redis flushes and exits)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


ROOT = Path(__file__).resolve().parents[1]


class Worker:
    """One ``newscrawl run dzwww`` worker process of a shared crawl."""

    def __init__(self, name: str, process: subprocess.Popen, log: Path, stderr: Path) -> None:
        self.name = name
        self.process = process
        self.log_path = log
        self.stderr_path = stderr

    @property
    def log(self) -> str:
        """The Scrapy log and stderr of the worker."""
        text = ""
        for path in (self.log_path, self.stderr_path):
            if path.exists():
                text += path.read_text(encoding="utf-8", errors="replace")
        return text

    def wait(self, timeout: float = 240) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def start_worker(
    name: str,
    redis_url: str,
    start_urls: list[str],
    workdir: Path,
    **settings: str,
) -> Worker:
    """Start the documented command with ``-s NEWSCRAWL_REDIS_URL=…`` as a subprocess.

    An empty ``redis_url`` starts an embedded run (SQLite state, no Redis) instead.
    Feeds go to ``workdir/output`` (one file per worker: the worker id is added
    to the name), WARC files to ``workdir/archive``, the log to
    ``workdir/<name>.log``. The address check allows the local portals of
    ``start_urls`` (their ports only), as for the single-machine test crawls.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / f"{name}.log"
    merged = {
        "NEWSCRAWL_REDIS_URL": redis_url,
        "NEWSCRAWL_WORKER_ID": name,
        "NEWSCRAWL_IDLE_EXIT_SECONDS": "2",
        "NEWSCRAWL_REDIS_LEASE_SECONDS": "3",
        "NEWSCRAWL_REDIS_OUTAGE_EXIT_SECONDS": "20",
        "NEWSCRAWL_ARCHIVE": "0",
        "NEWSCRAWL_ARCHIVE_DIR": str(workdir / "archive"),
        "NEWSCRAWL_STATE_DIR": str(workdir / "state"),
        "NEWSCRAWL_ALLOWED_ADDRESSES": replica_addresses(*start_urls),
        "FEEDS": json.dumps({str(workdir / "output" / "%(time)s.jsonl"): {"format": "jsonlines"}}),
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "DOWNLOAD_DELAY": "0",
        "LOG_FILE": str(log),
        "LOG_LEVEL": "INFO",
        **settings,
    }
    command = [
        sys.executable, "-m", "newscrawl.cli", "run", "dzwww",
        "-a", "start_urls=" + ",".join(start_urls), "-a", "max_pages=100",
    ]  # fmt: skip
    for key, value in merged.items():
        command += ["-s", f"{key}={value}"]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings", PYTHONPATH=str(ROOT))
    stderr = workdir / f"{name}.stderr"
    with stderr.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stderr=handle
        )
    return Worker(name, process, log, stderr)
