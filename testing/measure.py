"""Run a command and measure it: exit code, wall time, peak RSS (``wait4``), output."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measured", "run_measured"]


@dataclass(frozen=True)
class Measured:
    """What a measured command did."""

    returncode: int
    wall: float
    max_rss_mb: float
    """Peak RSS of the process itself (not its children), from ``wait4``'s ``ru_maxrss``."""
    stdout: str
    stderr: str
    timed_out: bool


def run_measured(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run ``cmd`` to its end (killed after ``timeout`` seconds); measure it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer is not None:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer is not None:
                timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Measured(
            returncode=proc.returncode,
            wall=wall,
            max_rss_mb=usage.ru_maxrss / 1024,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=killed.is_set(),
        )
