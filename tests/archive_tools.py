"""Real archiving clients for the archive tests: pywb (its own venv), wget, warcio."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: Where `.ci/run` (and docs/archive.md) install pywb: a venv of its own, because
#: pywb pins redis<3 and older cryptography/pyOpenSSL than the crawler's.
PYWB_VENV = Path(os.environ.get("NEWSCRAWL_PYWB_VENV", ROOT / ".venv-pywb"))


def _missing(what: str, how: str) -> None:
    """Fail under CI (which must install every client the tests use), skip elsewhere."""
    message = f"{what} is not installed: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def warcio_exe() -> str:
    exe = Path(sys.executable).with_name("warcio")
    return str(exe) if exe.exists() else "warcio"


def pywb_exe(name: str) -> Path:
    """A pywb command (``wb-manager``, ``wayback``) from the pywb venv."""
    exe = PYWB_VENV / "bin" / name
    if not exe.exists():
        _missing(
            "pywb",
            f"python3 -m venv {PYWB_VENV} && {PYWB_VENV}/bin/pip install 'pywb>=2.10'",
        )
    return exe


def wget_exe() -> str:
    exe = shutil.which("wget")
    if exe is None:
        _missing("wget", "apt-get install -y wget")
    return str(exe)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def wayback(directory: Path):
    """pywb's ``wayback`` server on 127.0.0.1, run in ``directory``; yields its base URL."""
    port = free_port()
    log = (directory / "wayback.log").open("wb")
    proc = subprocess.Popen(
        [str(pywb_exe("wayback")), "-p", str(port), "-b", "127.0.0.1"],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "wayback did not start: "
                        + (directory / "wayback.log").read_text("utf-8", "replace")[-2000:]
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


RECHECK_EVERYTHING = {
    "NEWSCRAWL_RECHECK_WINDOW_HOURS": "1000000",
    "NEWSCRAWL_RECHECK_INTERVAL_HOURS": "0",
}


def crawl_twice(tmp: Path, server, between=None, **settings: str):
    """A crawl of the replica and a re-check run of every article into the same archive.

    ``between()`` runs after the first crawl (to change the site, say).
    """
    from newscrawl.replica import REPLICA_CHANNELS
    from tests.conftest import run_crawl

    start = "start_urls=" + ",".join(server.url + c for c in REPLICA_CHANNELS)
    runs = []
    for name in ("first", "recheck"):
        crawl = run_crawl(
            tmp, "-a", start, server=server, settings={**RECHECK_EVERYTHING, **settings}
        )
        assert crawl.returncode == 0, crawl.log[-3000:]
        runs.append(crawl)
        if between is not None and name == "first":
            between()
        out = tmp / "out.jsonl"
        crawl.feed = out.rename(tmp / f"{name}.jsonl") if out.exists() else None
    return runs[0], runs[1], tmp / "archive"
