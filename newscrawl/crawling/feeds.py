"""Feed storage for local files that never shows a half-written file.

Replaces Scrapy's ``file`` storage: lines go to a hidden temporary file in the
destination directory (:mod:`newscrawl.atomic`), which is flushed, fsync'ed and
renamed over the final name when the feed is stored. A run killed before that
leaves only the hidden temporary file, which the next run of the spider removes.

A file that cannot be written (the destination is a directory, a read-only
directory, a full disk) is a failed run, never a quiet one: the failure is
recorded with the file and the OS error (:mod:`newscrawl.crawling.filefailures`),
the crawl stops, nothing is renamed into place, the temporary file is removed,
and the state store does not learn the run's articles, so the next run exports them.
"""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import FileFeedStorage
from twisted.python.failure import Failure

from newscrawl.atomic import move_into_place, sync_and_close, temp_path_for
from newscrawl.crawling.filefailures import record_file_failure
from newscrawl.crawling.signals import feed_committing

logger = logging.getLogger(__name__)


def local_feed_directories(settings: Any, spider_name: str) -> list[Path]:
    """Local directories the configured feeds (``FEEDS``) write into."""
    directories = []
    for uri in settings.getdict("FEEDS"):
        text = str(uri)
        if "://" in text and not text.startswith("file://"):
            continue
        text = text.removeprefix("file://")
        path = Path(text.replace("%(name)s", spider_name))
        directories.append(path.parent)
    return directories


class _WatchedFile(io.FileIO):
    """The raw file under a feed; remembers its first write error (a later flush may pass)."""

    def __init__(self, path: Path, mode: str, on_error: Callable[[OSError], None]) -> None:
        super().__init__(path, mode)
        self.on_error = on_error
        self.error: OSError | None = None

    def write(self, data: Any) -> int:  # type: ignore[override]
        try:
            return super().write(data)
        except OSError as exc:
            if self.error is None:
                self.error = exc
                self.on_error(exc)
            raise


class FeedCommitRefused(Exception):
    """A component asked (through :data:`feed_committing`) not to rename the feed into place."""


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
        self.failed = False
        self._raw: _WatchedFile | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Any, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AtomicFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Any) -> IO[bytes]:
        try:
            self.final_path.parent.mkdir(parents=True, exist_ok=True)
            if self.write_mode == "ab" and self.final_path.exists():
                shutil.copyfile(self.final_path, self.temp_path)
            mode = "a" if self.write_mode == "ab" else "w"
            self._raw = _WatchedFile(self.temp_path, mode, self._write_failed)
        except OSError as exc:
            self._fail(exc)
            raise
        return io.BufferedWriter(self._raw)

    def may_commit(self) -> bool:
        """Whether the finished temporary file may be renamed into place (else it is deleted)."""
        return True

    def store(self, file: IO[bytes]) -> None:
        try:
            sync_and_close(file)
            if self._raw is not None and self._raw.error is not None:
                raise self._raw.error
            if not self.may_commit():
                self._discard(None)
                return
            self._announce_commit()
            move_into_place(self.temp_path, self.final_path)
        except FeedCommitRefused:
            self._discard(file)
            raise
        except OSError as exc:
            self._fail(exc, file)
            raise
        self.committed = True

    def _announce_commit(self) -> None:
        """Tell the state store which file is about to be renamed; stop if it cannot record it."""
        if self.crawler is None:
            return
        results = self.crawler.signals.send_catch_log(
            feed_committing, path=self.final_path, temp=self.temp_path
        )
        for _receiver, result in results:
            if isinstance(result, Failure):
                raise FeedCommitRefused(str(result.value))

    def _write_failed(self, error: OSError) -> None:
        self._record(error)

    def _record(self, error: OSError) -> None:
        if self.crawler is not None:
            record_file_failure(self.crawler, "feed", self.final_path, error)

    def _fail(self, error: OSError, file: IO[bytes] | None = None) -> None:
        self._record(error)
        self._discard(file)

    def _discard(self, file: IO[bytes] | None) -> None:
        """Close and remove the temporary file of a feed that will not be committed."""
        self.failed = True
        if file is not None:
            try:
                file.close()
            except OSError:
                pass  # the error that matters is recorded
        try:
            self.temp_path.unlink()
        except OSError:
            return
        logger.warning("Nothing renamed into place; the unfinished %s was removed", self.temp_path)
