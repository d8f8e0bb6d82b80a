"""Feed storage for local files that never shows a half-written file.

Replaces Scrapy's ``file`` storage: lines go to a hidden temporary file in the
destination directory (:mod:`newscrawl.atomic`), which is flushed, fsync'ed and
renamed over the final name when the feed is stored. A run killed before that
leaves only the hidden temporary file, which the next run of the spider removes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import FileFeedStorage

from newscrawl.atomic import move_into_place, sync_and_close, temp_path_for
from newscrawl.crawling.signals import feed_committing


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
        """Whether the finished temporary file may be renamed into place (else it is deleted)."""
        return True

    def store(self, file: IO[bytes]) -> None:
        sync_and_close(file)
        if not self.may_commit():
            self.temp_path.unlink(missing_ok=True)
            return
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(feed_committing, path=self.final_path)
        move_into_place(self.temp_path, self.final_path)
        self.committed = True
