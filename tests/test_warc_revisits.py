"""Revisit records: a re-check stores unchanged payloads once; replay and reparse resolve them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawl.archive.captures import INDEX_FILE
from newscrawl.archive.cdxj import index_path_for
from newscrawl.archive.reparse import ReparseReport, reparse_archives
from newscrawl.cli import main as cli_main
from newscrawl.diff import diff_records, load_records
from newscrawl.replica import ReplicaServer
from newscrawl.replica.server import DEFAULT_ROOT
from tests.archive_tools import RECHECK_EVERYTHING, crawl_twice
from tests.conftest import run_crawl

CHANGED = "/www/news/yw/202609/t20260904_18086647.htm"


def _records_by_type(path: Path) -> dict[str, list]:
    found: dict[str, list] = {}
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            found.setdefault(record.rec_headers.get_header("WARC-Type"), []).append(
                (record.rec_headers, record.http_headers)
            )
    return found


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory):
    """A crawl and a re-check run of a replica copy in which one article changed in between."""
    tmp = tmp_path_factory.mktemp("revisits")
    site = tmp / "site"
    shutil.copytree(DEFAULT_ROOT, site)
    page = site / CHANGED.lstrip("/")

    def edit() -> None:
        text = page.read_text("utf-8")
        text = text.replace("大众网记者 刘蕾 孙亚飞 报道", "大众网记者 刘蕾 报道")
        page.write_text(text, "utf-8")

    with ReplicaServer(root=site) as server:
        first, second, archive = crawl_twice(tmp / "crawl", server, between=edit)
    files = sorted(archive.glob("*.warc.gz"))
    assert len(files) == 2
    return first, second, files


def test_a_recheck_run_writes_revisits_for_unchanged_payloads_only(rechecked) -> None:
    _, second, (first_file, second_file) = rechecked
    records = _records_by_type(second_file)
    revisited = {urlsplit(h.get_header("WARC-Target-URI")).path for h, _ in records["revisit"]}
    rewritten_200 = {
        urlsplit(h.get_header("WARC-Target-URI")).path
        for h, http in records["response"]
        if http.get_statuscode() == "200"
    }
    assert rewritten_200 == {CHANGED} and CHANGED not in revisited
    assert len(revisited) >= 40
    assert second.stats["newscrawl/archive/revisits"] == len(records["revisit"])
    assert second.stats["newscrawl/archive/revisit_payload_bytes"] > 250_000
    assert second_file.stat().st_size < first_file.stat().st_size / 2
    first_ids = {
        h.get_header("WARC-Record-ID") for h, _ in _records_by_type(first_file)["response"]
    }
    assert {h.get_header("WARC-Refers-To") for h, _ in records["revisit"]} <= first_ids


def test_reparse_of_the_recheck_archive_alone_resolves_revisits(rechecked, tmp_path) -> None:
    first, _, (_, second_file) = rechecked
    report = ReparseReport()
    rebuilt = list(reparse_archives([second_file], report=report))
    assert not report.failed and not report.damaged and report.records == len(first.records)
    out = tmp_path / "rebuilt.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rebuilt), "utf-8")
    diff = diff_records(load_records(first.feed), load_records(out))
    assert not diff.only_old and not diff.only_new
    assert {change.count for change in diff.changes.values()} == {1}  # the edited article
    changed = next(r for r in rebuilt if r["url"].endswith(CHANGED))
    assert changed["authors"] == ["刘蕾"]
    assert all(r["archive"]["file"] == second_file.name for r in rebuilt)


def test_replay_of_the_recheck_archive_alone_resolves_revisits(rechecked, tmp_path) -> None:
    first, _, (_, second_file) = rechecked
    replay = run_crawl(tmp_path, settings={"NEWSCRAWL_REPLAY": str(second_file)})
    assert replay.returncode == 0, replay.log[-2000:]
    assert replay.stats.get("newscrawl/replay/missing", 0) == 0
    replayed = {r["id"]: r for r in replay.records}
    assert replayed.keys() == {r["id"] for r in first.records}
    assert replayed[next(r["id"] for r in first.records if r["url"].endswith(CHANGED))][
        "authors"
    ] == ["刘蕾"]


def test_a_revisit_without_its_original_is_reported(rechecked, tmp_path, capsys) -> None:
    _, _, (_, second_file) = rechecked
    alone = tmp_path / second_file.name
    shutil.copy(second_file, alone)
    status = cli_main(["reparse", str(alone), "-o", str(tmp_path / "out.jsonl")])
    err = capsys.readouterr().err
    assert status == 1
    assert "the record holding its payload is not in the archives" in err
    replay = run_crawl(tmp_path / "replay", settings={"NEWSCRAWL_REPLAY": str(alone)})
    assert replay.records == [] or len(replay.records) <= 1
    assert replay.stats["newscrawl/replay/missing"] >= 1


def test_revisit_lookup_survives_a_lost_capture_index_and_missing_cdxj(replica, tmp_path) -> None:
    _, _, archive = crawl_twice(tmp_path, replica)
    (archive / INDEX_FILE).unlink()
    for index in archive.glob("*.cdxj"):
        index.unlink()
    third = run_crawl(
        tmp_path,
        "-a",
        "start_urls=" + replica.url + "www/news/yw/",
        server=replica,
        settings=RECHECK_EVERYTHING,
    )
    assert third.returncode == 0
    assert third.stats["newscrawl/archive/revisits"] == third.stats["newscrawl/archive/responses"]
    for warc in archive.glob("*.warc.gz"):
        assert index_path_for(warc).exists()


def test_revisits_can_be_turned_off(replica, tmp_path) -> None:
    _, second, archive = crawl_twice(tmp_path, replica, NEWSCRAWL_ARCHIVE_REVISITS="0")
    assert "newscrawl/archive/revisits" not in second.stats
    newest = sorted(archive.glob("*.warc.gz"))[-1]
    assert "revisit" not in _records_by_type(newest)
    assert not (archive / INDEX_FILE).exists()
