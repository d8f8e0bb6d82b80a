"""The run lock: one run (or state repair) per spider and state directory at a time.

An exclusive ``flock`` on ``<state dir>/<spider>.lock``. The kernel drops it when
the holder dies, even on ``kill -9``, so a lock left behind never blocks the next
run, whatever the file holds; the file's content (the holder's pid) is only shown
in messages. Used by the crawl's ``RunLock`` extension and by ``newscrawl state``.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

#: The holder's pid is read from at most this many bytes of the lock file.
_HOLDER_BYTES = 64


class RunLockBusy(Exception):
    """Another run of the same spider on the same state directory holds the lock.

    Raised before any file is opened; the commands turn it into exit code 75
    (EX_TEMPFAIL).
    """

    def __init__(self, spider: str, path: Path, holder: str) -> None:
        super().__init__(f"another {spider} run holds {path} (pid {holder})")
        self.spider = spider
        self.path = path
        self.holder = holder


class RunLockError(Exception):
    """The lock file cannot be opened or locked (a directory, no permission, no flock)."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"cannot use the run lock {path}: {describe_os_error(error)}")
        self.path = path
        self.error = error


def describe_os_error(error: BaseException) -> str:
    """``[Errno 28] No space left on device`` (without the file name), or the error's text."""
    if isinstance(error, OSError) and error.errno is not None:
        return f"[Errno {error.errno}] {error.strerror or os.strerror(error.errno)}"
    return str(error) or type(error).__name__


def lock_holder(handle: IO[bytes]) -> str:
    """The pid written in a lock file, or ``unknown`` when it holds anything else."""
    handle.seek(0)
    text = handle.read(_HOLDER_BYTES).decode("ascii", "replace").strip()
    return text if text.isdigit() else "unknown"


def acquire_run_lock(path: Path, spider: str) -> IO[bytes]:
    """Lock ``path`` for this process (creating it) and write our pid into it.

    Returns the open handle; the lock lasts until it is closed or the process
    ends. Raises :class:`RunLockBusy` when another process holds it and
    :class:`RunLockError` when the file cannot be used as a lock.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+b")
    except OSError as exc:
        raise RunLockError(path, exc) from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = lock_holder(handle)
        handle.close()
        raise RunLockBusy(spider, path, holder) from None
    except OSError as exc:
        handle.close()
        raise RunLockError(path, exc) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode("ascii"))
        handle.flush()
    except OSError:
        pass  # the pid is only informative; the lock itself is held
    return handle


def last_holder(path: Path) -> str | None:
    """The pid the lock file names (``unknown`` for other content); None without a file."""
    try:
        with path.open("rb") as handle:
            return lock_holder(handle)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable ({describe_os_error(exc)})"
