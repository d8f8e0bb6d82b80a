"""Real filesystems that fail writes: a small tmpfs that fills up, a read-only directory.

Nothing here imitates a failure: the crawler meets the kernel's own ``ENOSPC``
and ``EACCES``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_filesystem(mountpoint: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``24k``) mounted at ``mountpoint`` for the ``with`` block.

    Needs the right to mount (root outside a restricted container). Where
    ``mount`` is refused the test is skipped, saying so: nothing else makes a
    real full filesystem.
    """
    mountpoint.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        pytest.skip("a full filesystem needs a small tmpfs: mount needs root here")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(
            "a full filesystem needs a small tmpfs, and mounting one was refused here "
            f"({done.stderr.strip() or done.returncode})"
        )
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def resize(mountpoint: Path, size: str) -> None:
    """Give a tmpfs from :func:`small_filesystem` a new size (room again for the next run)."""
    subprocess.run(
        ["mount", "-o", f"remount,size={size}", str(mountpoint)], check=True, capture_output=True
    )


def without_dac_override() -> list[str]:
    """A command prefix under which file permissions hold for this user, root included.

    Root ignores a directory's missing write bit (``CAP_DAC_OVERRIDE``); the
    crawl is then run with that capability dropped, as an unprivileged cron
    user would run it. For other users permissions hold anyway.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to run as root without CAP_DAC_OVERRIDE"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]
