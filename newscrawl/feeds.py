"""Feed storage for local files that never shows a half-written file.

Replaces Scrapy's ``file`` storage: lines go to a hidden temporary file in the
destination directory, which is flushed, fsync'ed and renamed over the final
name when the feed is stored. A run killed before that leaves only the hidden
temporary file, which the next run of the spider removes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import FileFeedStorage

from newscrawl.signals import feed_committing

TEMP_PREFIX = "."
TEMP_SUFFIX = ".part"


def temp_path_for(path: Path) -> Path:
    """``dir/.name.<pid>.part`` beside ``dir/name``."""
    return path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}{TEMP_SUFFIX}")


def stale_temp_files(directory: Path) -> list[Path]:
    """Temporary feed files left in a directory by runs that were killed."""
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.name.startswith(TEMP_PREFIX) and p.name.endswith(TEMP_SUFFIX)
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete temporary files of killed runs (their process is gone); returns them."""
    removed = []
    for temp in stale_temp_files(directory):
        pid = temp.name.removesuffix(TEMP_SUFFIX).rsplit(".", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            temp.unlink(missing_ok=True)
            removed.append(temp)
    return removed


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFileFeedStorage(FileFeedStorage):
    """Local file feed written to a temporary name and renamed into place when stored."""

    def __init__(
        self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Any = None
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.final_path = Path(self.path).resolve()
        self.temp_path = temp_path_for(self.final_path)
        self.crawler = crawler
        self.committed = False

    @classmethod
    def from_crawler(
        cls, crawler: Any, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AtomicFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Any) -> IO[bytes]:
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        if self.write_mode == "ab" and self.final_path.exists():
            shutil.copyfile(self.final_path, self.temp_path)
        return self.temp_path.open(self.write_mode)

    def may_commit(self) -> bool:
        """Whether the finished temporary file may be renamed into place (else it is dropped)."""
        return True

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        if not self.may_commit():
            self.temp_path.unlink(missing_ok=True)
            return
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(feed_committing, path=self.final_path)
        os.replace(self.temp_path, self.final_path)
        fsync_directory(self.final_path.parent)
        self.committed = True
