"""CDXJ indexes of WARC files, in the form pywb and other replay tools read them.

One index sits next to each closed archive (``x.warc.gz`` → ``x.cdxj``): a line
per response, revisit, resource and metadata record, ``<SURT> <14-digit time>
{json}``, sorted, with ``filename`` relative to the archive directory. A
directory of archives with their indexes is a ready replay collection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import surt
from warcio.timeutils import iso_date_to_timestamp

CDXJ_SUFFIX = ".cdxj"
REVISIT_MIME = "warc/revisit"
WARC_SUFFIXES = (".warc.gz", ".warc")


def index_path_for(archive: Path) -> Path:
    """Where the CDXJ index of an archive lives: ``x.warc.gz`` → ``x.cdxj``."""
    name = archive.name
    for suffix in WARC_SUFFIXES:
        if name.endswith(suffix):
            return archive.with_name(name.removesuffix(suffix) + CDXJ_SUFFIX)
    return archive.with_name(name + CDXJ_SUFFIX)


def write_cdxj(archive: Path, out: IO[str]) -> None:
    """Write the sorted CDXJ lines of ``archive`` to ``out`` (reading the whole file)."""
    # Imported here: it pulls in pkg_resources (~80 ms), and a crawl that writes its own
    # index lines never needs it.
    from cdxj_indexer.main import CDXJIndexer

    CDXJIndexer(output=out, inputs=[str(archive)], sort=True).process_all()


def cdxj_line(
    *,
    url: str,
    warc_date: str,
    kind: str,
    status: int,
    content_type: str | None,
    digest: str,
    offset: int,
    length: int,
    filename: str,
) -> str:
    """The CDXJ line cdxj-indexer writes for a response or revisit record, without reading it."""
    fields: dict[str, str] = {"url": url}
    if kind == "revisit":
        fields["mime"] = REVISIT_MIME
    elif content_type is not None:
        fields["mime"] = re.split(r"[;\s]", content_type, maxsplit=1)[0].strip()
    fields.update(
        status=str(status), digest=digest, length=str(length), offset=str(offset), filename=filename
    )
    return f"{surt.surt(url)} {iso_date_to_timestamp(warc_date)} {json.dumps(fields)}\n"


@dataclass(frozen=True)
class CdxjEntry:
    """One line of a CDXJ index."""

    urlkey: str
    timestamp: str
    url: str
    mime: str
    status: str
    digest: str
    filename: str
    offset: int
    length: int

    @property
    def is_revisit(self) -> bool:
        return self.mime == REVISIT_MIME


def parse_cdxj_line(line: str) -> CdxjEntry | None:
    """The entry of one CDXJ line; None for a blank or malformed line."""
    parts = line.rstrip("\n").split(" ", 2)
    if len(parts) != 3:
        return None
    try:
        fields = json.loads(parts[2])
        return CdxjEntry(
            urlkey=parts[0],
            timestamp=parts[1],
            url=fields["url"],
            mime=fields.get("mime", ""),
            status=str(fields.get("status", "")),
            digest=fields.get("digest", ""),
            filename=fields["filename"],
            offset=int(fields["offset"]),
            length=int(fields["length"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def read_cdxj(path: Path) -> Iterator[CdxjEntry]:
    """The well-formed entries of a CDXJ file, in file order."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            entry = parse_cdxj_line(line)
            if entry is not None:
                yield entry
