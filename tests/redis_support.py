"""Real redis-server processes for the shared-crawl tests (see testing/redis_server.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.redis_server import RedisServer, RedisServerMissing


def redis_server(directory: Path) -> RedisServer:
    """A redis-server (not started) with its data in ``directory``.

    Fails under CI (``.ci/run`` installs redis-server), skips elsewhere when it is missing.
    """
    try:
        return RedisServer(directory)
    except RedisServerMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
