"""Shared fixtures: the replica portal server and a crawl runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newscrawl.replica import ReplicaServer
from testing.addresses import replica_addresses

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CrawlResult:
    returncode: int
    records: list[dict]
    stats: dict
    log: str
    feed: Path | None
    requested: list[str] = field(default_factory=list)


def run_crawl(
    tmp_path: Path,
    *args: str,
    spider: str = "dzwww",
    server: ReplicaServer | None = None,
    settings: dict[str, str] | None = None,
    feed: bool = True,
    cwd: Path = ROOT,
    timeout: float = 180,
    env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
) -> CrawlResult:
    """Run ``scrapy crawl`` in a subprocess, as a user would, and collect what it wrote.

    The address check allows the local servers the crawl starts from (``server`` and
    the loopback URLs in ``args``), on their ports only. ``prefix`` goes before the
    command (e.g. a ``setpriv`` that drops a capability).
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "out.jsonl"
    stats_file = tmp_path / "stats.json"
    log_file = tmp_path / "crawl.log"
    base = {
        "AUTOTHROTTLE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
        "NEWSCRAWL_STATS_FILE": str(stats_file),
        "LOG_FILE": str(log_file),
        "LOG_LEVEL": "DEBUG",
        "NEWSCRAWL_STATE_DIR": str(tmp_path / "state"),
        "NEWSCRAWL_ARCHIVE_DIR": str(tmp_path / "archive"),
        "NEWSCRAWL_ALLOWED_ADDRESSES": replica_addresses(
            *args, *(settings or {}).values(), server=server
        ),
    }
    base.update(settings or {})
    cmd = [*(prefix or []), sys.executable, "-m", "scrapy", "crawl", spider, *args]
    if feed:
        cmd += ["-O", str(out)]
    for key, value in base.items():
        cmd += ["-s", f"{key}={value}"]
    if server is not None:
        server.clear_requests()
    environment = dict(
        os.environ, SCRAPY_SETTINGS_MODULE="newscrawl.settings", PYTHONPATH=str(ROOT), **(env or {})
    )
    proc = subprocess.run(
        cmd, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout
    )
    records = []
    if feed and out.exists():
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    log = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    return CrawlResult(
        returncode=proc.returncode,
        records=records,
        stats=stats,
        log=log + proc.stderr,
        feed=out if feed else None,
        requested=list(server.requests) if server is not None else [],
    )


@pytest.fixture(scope="session")
def replica():
    with ReplicaServer() as server:
        yield server
