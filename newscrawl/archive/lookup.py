"""Archived responses by URL over a set of WARC files, with revisits resolved to their payload."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from newscrawl.archive.cdxj import CDXJ_SUFFIX, read_cdxj
from newscrawl.archive.warc import ArchiveEntry, StoredResponse, read_response_at

HTTP_RECORD_TYPES = ("response", "revisit")


class UnresolvedRevisit(LookupError):
    """A revisit record whose payload is in none of the archives at hand."""


@dataclass(frozen=True)
class Capture:
    """Where one response or revisit record of a URL starts, and what it points to."""

    path: Path
    offset: int
    kind: str
    url: str
    digest: str | None = None
    refers_to: str | None = None
    refers_to_uri: str | None = None


def target_uri(value: str | None) -> str:
    """A WARC-Target-URI without the angle brackets some WARC/1.0 writers put around it."""
    return (value or "").strip().removeprefix("<").removesuffix(">")


def _digest_key(digest: str | None) -> str | None:
    return digest.rsplit(":", 1)[-1].upper() if digest else None


class ArchiveLookup:
    """The newest capture of each URL among the records added, in the order added.

    A revisit is resolved to the record holding its payload: the one named by
    WARC-Refers-To, else a response of WARC-Refers-To-Target-URI with the same
    payload digest, else any response with that digest; failing those, the
    CDXJ indexes beside the revisit's archive are searched (earlier runs).
    """

    def __init__(self) -> None:
        self.newest: dict[str, Capture] = {}
        self._by_id: dict[str, Capture] = {}
        self._by_url_digest: dict[tuple[str, str], Capture] = {}
        self._by_digest: dict[str, Capture] = {}
        self._last_response: dict[str, Capture] = {}
        self._directories: dict[Path, dict[tuple[str, str], Capture]] = {}

    def add(self, entry: ArchiveEntry) -> Capture | None:
        """Take one record read from an archive; returns its capture for responses and revisits."""
        headers = entry.record.rec_headers
        kind = headers.get_header("WARC-Type")
        url = target_uri(headers.get_header("WARC-Target-URI"))
        if kind not in HTTP_RECORD_TYPES or not url.startswith(("http://", "https://")):
            return None
        capture = Capture(
            entry.path,
            entry.offset,
            kind,
            url,
            headers.get_header("WARC-Payload-Digest"),
            headers.get_header("WARC-Refers-To"),
            target_uri(headers.get_header("WARC-Refers-To-Target-URI")) or None,
        )
        self.newest[url] = capture
        if kind == "response":
            record_id = headers.get_header("WARC-Record-ID")
            if record_id:
                self._by_id[record_id] = capture
            key = _digest_key(capture.digest)
            if key:
                self._by_url_digest[(url, key)] = capture
                self._by_digest[key] = capture
            self._last_response[url] = capture
        return capture

    def read(self, url: str) -> StoredResponse | None:
        """The newest archived response of ``url`` (a revisit resolved); None if not archived."""
        capture = self.newest.get(url)
        return None if capture is None else self.resolve(capture)

    def resolve(self, capture: Capture) -> StoredResponse:
        """The stored response of a capture; a revisit gets its original payload.

        Raises :class:`UnresolvedRevisit` when the payload cannot be found.
        """
        stored = read_response_at(capture.path, capture.offset)
        if stored.kind != "revisit":
            return stored
        original = self._original(capture)
        if original is None:
            raise UnresolvedRevisit(
                f"revisit of {capture.url} ({capture.path.name} at byte {capture.offset}): "
                "the record holding its payload is not in the archives"
            )
        payload = read_response_at(original.path, original.offset)
        return dataclasses.replace(
            stored,
            status=stored.status or payload.status,
            headers=stored.headers or payload.headers,
            raw_body=payload.raw_body,
            truncated=payload.truncated,
        )

    def _original(self, revisit: Capture) -> Capture | None:
        if revisit.refers_to and revisit.refers_to in self._by_id:
            return self._by_id[revisit.refers_to]
        url = revisit.refers_to_uri or revisit.url
        key = _digest_key(revisit.digest)
        if key is None:
            return self._last_response.get(url)
        found = self._by_url_digest.get((url, key)) or self._by_digest.get(key)
        if found is None:
            found = self._directory_index(revisit.path.parent).get((url, key))
        return found

    def _directory_index(self, directory: Path) -> dict[tuple[str, str], Capture]:
        """(URL, digest) → response, from the CDXJ indexes of an archive directory."""
        if directory not in self._directories:
            found: dict[tuple[str, str], Capture] = {}
            for index in sorted(directory.glob(f"*{CDXJ_SUFFIX}")):
                for entry in read_cdxj(index):
                    key = _digest_key(entry.digest)
                    archive = directory / entry.filename
                    if entry.is_revisit or not entry.status or key is None or not archive.is_file():
                        continue
                    found[(entry.url, key)] = Capture(
                        archive, entry.offset, "response", entry.url, entry.digest
                    )
            self._directories[directory] = found
        return self._directories[directory]
