"""Temporary files of killed runs (feed, manifest, stats, archive) are removed by the next run."""

from __future__ import annotations

import os
import subprocess

import pytest

from newscrawl.replica import REPLICA_CHANNELS
from tests.conftest import run_crawl


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("incremental", ["1", "0"])
def test_the_next_run_removes_what_killed_runs_left(replica, tmp_path, incremental) -> None:
    dead = _dead_pid()
    output, manifests, stats, archive = (tmp_path / n for n in ("out", "mf", "stats", "archive"))
    left = {
        output / f".out.jsonl.{dead}.part": b'{"half a li',
        output / f".2026-12-01T00-00-00+00-00.manifest.json.{dead}.part": b"{",
        manifests / f".2026-12-01T00-00-00+00-00.manifest.json.{dead}.part": b"{",
        stats / f".stats.json.{dead}.part": b"{",
        archive / f".dzwww-20261201T000000Z-00001.warc.gz.{dead}.part": b"\x1f\x8b",
        archive / f".dzwww-20261201T000000Z-00001.cdxj.{dead}.part": b"",
    }
    kept = {
        output / ".notes.part": b"not ours: no pid in the name",
        output / f".other.jsonl.{os.getpid()}.part": b"a live process's file",
    }
    for path, content in {**left, **kept}.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    start = "start_urls=" + replica.url + REPLICA_CHANNELS[0]
    result = run_crawl(
        tmp_path / "run",
        "-a",
        start,
        "-O",
        str(output / "out.jsonl"),
        server=replica,
        feed=False,
        settings={
            "NEWSCRAWL_INCREMENTAL": incremental,
            "NEWSCRAWL_MANIFEST_DIR": str(manifests),
            "NEWSCRAWL_STATS_FILE": str(stats / "stats.json"),
            "NEWSCRAWL_ARCHIVE_DIR": str(archive),
        },
    )
    assert result.returncode == 0, result.log[-3000:]
    assert [p for p in left if p.exists()] == []
    assert all(p.exists() for p in kept)
    assert (output / "out.jsonl").exists() and (stats / "stats.json").exists()
