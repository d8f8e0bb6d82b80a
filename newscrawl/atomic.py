"""Files that are either whole or absent: a temporary name beside the target, fsync, rename.

A writer puts its bytes in ``dir/.name.<pid>.part``, syncs them and renames the
file over ``dir/name`` (then syncs the directory), so a reader never sees half a
file. A process killed before the rename leaves only the hidden temporary file;
:func:`remove_stale_temp_files` deletes those whose process is gone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

TEMP_PREFIX = "."
TEMP_SUFFIX = ".part"


def temp_path_for(path: Path) -> Path:
    """``dir/.name.<pid>.part`` beside ``dir/name``."""
    return path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}{TEMP_SUFFIX}")


def fsync_directory(directory: Path) -> None:
    """Make a rename inside ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_and_close(handle: IO[bytes] | IO[str]) -> None:
    """Flush a file's buffers to the disk and close it."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def move_into_place(temp: Path, final: Path) -> None:
    """Rename a finished temporary file over its final name, durably."""
    os.replace(temp, final)
    fsync_directory(final.parent)


@contextmanager
def open_atomic(path: Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """A file written under its temporary name that appears at ``path`` only on success.

    When the ``with`` block ends normally the file is synced and renamed over
    ``path``; on any exception (Ctrl-C included) the temporary file is removed
    and ``path`` is left as it was. Creates the directory.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(path)
    handle = temp.open(mode, encoding=encoding)
    try:
        yield handle
        sync_and_close(handle)
        move_into_place(temp, path)
    except BaseException:
        try:
            handle.close()
        except OSError:
            pass  # the write error is the one to report
        raise
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str, encoding: str = "utf-8") -> None:
    """Write a whole file atomically (creating its directory)."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with open_atomic(path, "wb") as handle:
        handle.write(payload)


def stale_temp_files(directory: Path) -> list[Path]:
    """Temporary files in a directory (of this process or of killed ones)."""
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.name.startswith(TEMP_PREFIX) and p.name.endswith(TEMP_SUFFIX)
    )


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (whether or not we may signal it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temp_file_pid(temp: Path) -> int | None:
    """The pid in a temporary file's name (``.name.<pid>.part``), or None."""
    pid = temp.name.removesuffix(TEMP_SUFFIX).rsplit(".", 1)[-1]
    return int(pid) if pid.isdigit() else None


def remove_stale_temp_files(directory: Path, owner: str | None = None) -> list[Path]:
    """Delete temporary files of killed processes (their pid is gone); returns them.

    Files of live processes (this one included) are kept, and so is anything
    the directory holds that is not a regular file. ``owner``: only files whose
    name carries ``-<owner>.`` or ``-<owner>-`` (a shared crawl's worker id: other
    workers, maybe on other machines where a pid means nothing here, write into
    the same directory).
    """
    removed = []
    for temp in stale_temp_files(directory):
        if owner is not None and not any(f"-{owner}{c}" in temp.name for c in ".-"):
            continue
        pid = temp_file_pid(temp)
        if pid is None or pid == os.getpid() or pid_alive(pid) or not temp.is_file():
            continue
        try:
            temp.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue  # a read-only directory: the write that follows will say so
        removed.append(temp)
    return removed
