"""Our archives opened by the tools of the web-archiving world: pywb, warcio."""

from __future__ import annotations

import json
import subprocess
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.archive.cdxj import index_path_for, read_cdxj, write_cdxj
from newscrawl.replica.server import DEFAULT_ROOT
from tests.archive_tools import crawl_twice, http_get, pywb_exe, warcio_exe, wayback


@pytest.fixture(scope="module")
def archive(tmp_path_factory, replica) -> Path:
    """The archive directory of a crawl and a re-check run (responses and revisits)."""
    _, _, directory = crawl_twice(tmp_path_factory.mktemp("clients"), replica)
    return directory


def _captures(directory: Path) -> dict[str, list]:
    """URL path → its CDXJ entries, oldest first."""
    found: dict[str, list] = {}
    for index in sorted(directory.glob("*.cdxj")):
        for entry in read_cdxj(index):
            found.setdefault(urlsplit(entry.url).path, []).append(entry)
    return {path: sorted(e, key=lambda e: e.timestamp) for path, e in found.items()}


ARTICLE = "/edu/xxdt/zyyx/202505/t20250519_16548870.html"
LIST_PAGE = "/www/news/yw/"


def _original_bytes(path: str) -> bytes:
    local = DEFAULT_ROOT / path.lstrip("/")
    return (local / "index.htm").read_bytes() if path.endswith("/") else local.read_bytes()


def test_each_closed_warc_has_a_sorted_cdxj_index(archive) -> None:
    warcs = sorted(archive.glob("*.warc.gz"))
    assert [index_path_for(w).name for w in warcs] == sorted(p.name for p in archive.glob("*.cdxj"))
    for warc in warcs:
        text = index_path_for(warc).read_text("utf-8")
        reference = StringIO()
        write_cdxj(warc, reference)  # cdxj-indexer reading the file: what the writer made
        assert text == reference.getvalue()
        lines = text.splitlines()
        assert lines == sorted(lines)
        assert {json.loads(line.split(" ", 2)[2])["filename"] for line in lines} == {warc.name}
    kinds = {e.mime == "warc/revisit" for e in _captures(archive)[ARTICLE]}
    assert kinds == {False, True}


def test_pywb_indexes_our_archives_and_replays_them_byte_for_byte(archive, tmp_path) -> None:
    manager = pywb_exe("wb-manager")
    init = subprocess.run([manager, "init", "news"], cwd=tmp_path, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    warcs = [str(p) for p in sorted(archive.glob("*.warc.gz"))]
    add = subprocess.run(
        [manager, "add", "news", *warcs], cwd=tmp_path, capture_output=True, text=True
    )
    assert add.returncode == 0, add.stderr[-2000:]
    assert "Error" not in add.stderr
    (tmp_path / "config.yaml").write_text(
        f"collections:\n  ours:\n    index_paths: {archive}/\n    archive_paths: {archive}/\n",
        "utf-8",
    )
    captures = _captures(archive)
    with wayback(tmp_path) as base:
        for collection in ("news", "ours"):
            for path in (ARTICLE, LIST_PAGE):
                for entry in captures[path]:  # the response, then the revisit
                    url = f"{base}{collection}/{entry.timestamp}id_/{entry.url}"
                    status, body = http_get(url)
                    assert status == 200, (url, body[:300])
                    assert body == _original_bytes(path), (collection, path, entry.mime)
        status, body = http_get(f"{base}ours/cdx?url={captures[ARTICLE][0].url}&output=json")
        assert status == 200
        listed = [json.loads(line) for line in body.decode().splitlines()]
        assert [c["mime"] for c in listed] == ["text/html", "warc/revisit"]


def test_warcio_index_and_recompress_accept_our_files_unchanged(archive, tmp_path) -> None:
    for warc in sorted(archive.glob("*.warc.gz")):
        before = warc.read_bytes()
        index = subprocess.run([warcio_exe(), "index", str(warc)], capture_output=True, text=True)
        assert index.returncode == 0, index.stderr
        types = [json.loads(line)["warc-type"] for line in index.stdout.splitlines()]
        assert types[0] == "warcinfo" and "request" in types
        out = tmp_path / warc.name
        again = subprocess.run(
            [warcio_exe(), "recompress", str(warc), str(out)], capture_output=True, text=True
        )
        assert again.returncode == 0, again.stdout + again.stderr
        assert "records read and recompressed" in again.stdout
        check = subprocess.run([warcio_exe(), "check", str(out)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        assert warc.read_bytes() == before
