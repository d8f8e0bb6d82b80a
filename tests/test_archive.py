"""WARC capture during a real crawl, offline replay, re-extraction and diff."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from io import BytesIO, StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.reparse import ReparseReport, reparse_archives
from newscrawl.archive.warc import ArchiveReadLog, iter_archive
from newscrawl.cli import main as cli_main
from newscrawl.diff import diff_records, load_records
from newscrawl.replica import REPLICA_CHANNELS, ReplicaServer
from newscrawl.sites import get_profile
from tests.conftest import ROOT, run_crawl

DZWWW = get_profile("dzwww")

LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text(encoding="utf-8"))


def _warcio() -> str:
    exe = Path(sys.executable).with_name("warcio")
    return str(exe) if exe.exists() else "warcio"


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _by_id(records: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in records}


@pytest.fixture(scope="module")
def archived_crawl(tmp_path_factory):
    """A crawl of a replica that is stopped afterwards: only the archive remains."""
    tmp = tmp_path_factory.mktemp("archived")
    with ReplicaServer() as server:
        start = "start_urls=" + ",".join(server.url + c for c in REPLICA_CHANNELS)
        crawl = run_crawl(tmp / "crawl", "-a", start, server=server)
    assert crawl.returncode == 0, crawl.log[-2000:]
    archives = sorted((tmp / "crawl" / "archive").glob("*.warc.gz"))
    return tmp, crawl, archives


def test_every_response_is_archived_and_verifiable(archived_crawl) -> None:
    _, crawl, archives = archived_crawl
    assert len(archives) == 1
    check = subprocess.run([_warcio(), "check", "-v", str(archives[0])], capture_output=True)
    assert check.returncode == 0, check.stdout.decode()[-2000:]
    index = subprocess.run([_warcio(), "index", str(archives[0])], capture_output=True, text=True)
    assert index.returncode == 0
    indexed = [json.loads(line) for line in index.stdout.splitlines()]
    assert sum(entry["warc-type"] == "response" for entry in indexed) == len(crawl.requested)
    responses, requests, kinds = {}, 0, set()
    with archives[0].open("rb") as fh:
        for record in ArchiveIterator(fh):
            headers = record.rec_headers
            kinds.add(headers.get_header("WARC-Type"))
            assert headers.protocol == "WARC/1.1"
            if headers.get_header("WARC-Type") == "response":
                assert headers.get_header("WARC-Payload-Digest").startswith("sha1:")
                assert headers.get_header("WARC-Block-Digest").startswith("sha1:")
                url = headers.get_header("WARC-Target-URI")
                responses[headers.get_header("WARC-Record-ID")] = url
            elif headers.get_header("WARC-Type") == "request":
                requests += 1
                assert headers.get_header("WARC-Concurrent-To")
    assert kinds == {"warcinfo", "request", "response"}
    assert sorted(urlsplit(u).path for u in responses.values()) == sorted(crawl.requested)
    assert requests == len(responses)
    for record in crawl.records:
        assert record["archive"]["file"] == archives[0].name
        assert responses[record["archive"]["record_id"]] == record["url"]


def test_replay_reproduces_the_crawl_offline(archived_crawl) -> None:
    tmp, crawl, archives = archived_crawl
    replay = run_crawl(
        tmp / "replay",
        settings={"NEWSCRAWL_REPLAY": str(archives[0].parent / "*.warc.gz")},
    )
    assert replay.returncode == 0, replay.log[-2000:]
    assert _by_id(replay.records) == _by_id(crawl.records)
    assert replay.stats["newscrawl/replay/responses"] == replay.stats["downloader/request_count"]
    assert not list((tmp / "replay" / "archive").glob("*"))


def test_replay_never_goes_to_the_network_for_unarchived_urls(archived_crawl) -> None:
    tmp, _, archives = archived_crawl
    missing = "http://127.0.0.1:9/www/news/yw/202609/t20260904_18086648.htm"
    replay = run_crawl(
        tmp / "replay-missing",
        "-a",
        f"start_urls={missing}",
        settings={"NEWSCRAWL_REPLAY": str(archives[0]), "ROBOTSTXT_OBEY": "False"},
    )
    assert replay.records == []
    assert replay.stats["newscrawl/replay/missing"] == 1
    assert f"Not in the archives, not fetched: {missing}" in replay.log
    assert replay.stats.get("downloader/response_count", 0) == 0


def test_reparse_gives_the_crawled_records(archived_crawl, capsys) -> None:
    tmp, crawl, archives = archived_crawl
    out = tmp / "reparsed.jsonl"
    assert cli_main(["reparse", str(archives[0]), "-o", str(out)]) == 0
    assert _by_id(_records(out)) == _by_id(crawl.records)
    assert cli_main(["diff", str(crawl.feed), str(out)]) == 0
    assert "identical" in capsys.readouterr().out


def test_a_changed_extractor_shows_up_in_diff(archived_crawl, capsys) -> None:
    tmp, crawl, archives = archived_crawl
    selectors = dataclasses.replace(DZWWW.selectors, drop=(*DZWWW.selectors.drop, "//strong"))
    changed = dataclasses.replace(DZWWW, selectors=selectors)
    records = list(reparse_archives(archives, profiles={"dzwww": changed}))
    new = tmp / "changed.jsonl"
    new.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")

    diff = diff_records(load_records(crawl.feed), load_records(new))
    assert not diff.only_old and not diff.only_new
    assert {"paragraphs", "body", "content_hash"} <= diff.changes.keys()
    assert "title" not in diff.changes and "authors" not in diff.changes
    assert 0 < diff.changes["paragraphs"].count < len(records)

    assert cli_main(["diff", str(crawl.feed), str(new)]) == 1
    report = capsys.readouterr().out
    count = diff.changes["paragraphs"].count
    assert f"field paragraphs: {count} records changed" in report
    assert "field title" not in report


def test_rotation_keeps_every_file_valid(replica, tmp_path) -> None:
    start = "start_urls=" + ",".join(replica.url + c for c in REPLICA_CHANNELS[:2])
    crawl = run_crawl(
        tmp_path, "-a", start, server=replica, settings={"NEWSCRAWL_ARCHIVE_MAX_BYTES": "20000"}
    )
    assert crawl.returncode == 0
    files = sorted((tmp_path / "archive").glob("*.warc.gz"))
    assert len(files) >= 3
    for file in files:
        assert subprocess.run([_warcio(), "check", str(file)]).returncode == 0
    names = {f.name for f in files}
    assert all(r["archive"]["file"] in names for r in crawl.records)
    reparsed = list(reparse_archives(files))
    assert _by_id(reparsed) == _by_id(crawl.records)


def _response_offsets(path: Path) -> list[tuple[int, str]]:
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        return [
            (iterator.get_record_offset(), r.rec_headers.get_header("WARC-Target-URI"))
            for r in iterator
            if r.rec_headers.get_header("WARC-Type") == "response"
        ]


def test_truncated_archive_is_read_up_to_the_damage(archived_crawl, tmp_path) -> None:
    _, _, archives = archived_crawl
    offsets = _response_offsets(archives[0])
    cut_at = offsets[len(offsets) // 2][0] + 200
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(archives[0].read_bytes()[:cut_at])
    report = ReparseReport()
    records = list(reparse_archives([damaged], report=report))
    before_cut = {url for offset, url in offsets[: len(offsets) // 2] if DZWWW.is_article_url(url)}
    assert {r["url"] for r in records} <= before_cut
    assert len(records) >= len(before_cut) - 1
    assert report.damaged

    status = cli_main(["reparse", str(damaged), "-o", str(tmp_path / "out.jsonl")])
    assert status == 1


def test_a_file_cut_inside_any_record_is_damage(archived_crawl, tmp_path) -> None:
    """A file cut inside a record's gzip member, a response or a request (there the reader
    itself ends without an error): the damage is reported at that record."""
    _, _, archives = archived_crawl
    data = archives[0].read_bytes()
    with archives[0].open("rb") as fh:
        iterator = ArchiveIterator(fh)
        spans = []
        for record in iterator:
            record.content_stream().read()
            spans.append((record.rec_type, iterator.get_record_offset()))
            spans[-1] += (iterator.get_record_length(),)
    cut = tmp_path / "cut.warc.gz"
    for kind in ("response", "request"):
        _, offset, length = next(span for span in spans[1:] if span[0] == kind)
        for cut_at in (offset + 10, offset + length // 2):
            cut.write_bytes(data[:cut_at])
            log = ArchiveReadLog()
            entries = list(iter_archive(cut, log))
            assert [entry.offset for entry in entries] == [
                span[1] for span in spans[: len(entries)]
            ]
            assert entries[-1].offset <= offset
            assert [problem.offset for problem in log.problems] == [offset], (
                kind,
                cut_at,
                log.problems,
            )
    log = ArchiveReadLog()
    assert len(list(iter_archive(archives[0], log))) == len(spans) and not log.problems


def test_reparse_continues_past_a_corrupt_record(archived_crawl, tmp_path) -> None:
    _, _, archives = archived_crawl
    offsets = _response_offsets(archives[0])
    article_offsets = [(o, u) for o, u in offsets if DZWWW.is_article_url(u)]
    bad_offset, bad_url = article_offsets[3]
    data = bytearray(archives[0].read_bytes())
    for i in range(bad_offset + 40, bad_offset + 80):
        data[i] ^= 0xFF
    corrupt = tmp_path / "corrupt.warc.gz"
    corrupt.write_bytes(bytes(data))
    report = ReparseReport()
    urls = {r["url"] for r in reparse_archives([corrupt], report=report)}
    later = {u for o, u in article_offsets if o > bad_offset}
    assert later and later <= urls
    assert bad_url not in urls
    assert report.damaged


def test_bad_inputs_give_clear_errors(archived_crawl, tmp_path, capsys) -> None:
    _, _, archives = archived_crawl
    text = tmp_path / "notes.txt"
    text.write_text("not an archive\n", "utf-8")
    other = tmp_path / "other-spider.warc.gz"
    with other.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record("x", {"spider": "cjn"}))
        writer.write_record(
            writer.create_warc_record(
                "http://news.cjn.cn/a/202010/t3675001.htm",
                "response",
                payload=BytesIO(b"<html></html>"),
                length=13,
                http_headers=StatusAndHeaders(
                    "200 OK", [("Content-Type", "text/html")], "HTTP/1.1"
                ),
            )
        )
    out = tmp_path / "out.jsonl"
    status = cli_main(
        ["reparse", "--site", "dzwww", str(text), str(other), str(archives[0]), "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert f"{text}: not a WARC file" in err
    assert f"{other}: written by spider 'cjn', not 'dzwww'" in err
    assert not out.exists(), "-o is written only when every input could be used"
    assert cli_main(["reparse", "--site", "dzwww", str(archives[0]), "-o", str(out)]) == 0
    assert len(_records(out)) == len(LISTS["all_articles"])

    assert cli_main(["diff", str(text), str(out)]) == 2
    assert "not a JSON line" in capsys.readouterr().err
    assert cli_main(["reparse", str(tmp_path / "missing.warc.gz")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_diff_reports_records_on_one_side_only(tmp_path, capsys) -> None:
    base = {"schema_version": 1, "title": "甲", "body": "x", "version": 1}
    old = tmp_path / "old.jsonl"
    new = tmp_path / "new.jsonl"
    old.write_text(
        json.dumps({**base, "id": "a"}) + "\n" + json.dumps({**base, "id": "b"}) + "\n", "utf-8"
    )
    new.write_text(
        json.dumps({**base, "id": "b", "title": "乙"})
        + "\n"
        + json.dumps({**base, "id": "c"})
        + "\n",
        "utf-8",
    )
    assert cli_main(["diff", str(old), str(new)]) == 1
    report = capsys.readouterr().out
    assert "only in old: 1 (a)" in report and "only in new: 1 (c)" in report
    assert "field title: 1 records changed" in report and '"甲" -> "乙"' in report
    assert cli_main(["diff", str(old), str(old)]) == 0
    assert "identical" in capsys.readouterr().out


def test_stdout_is_the_default_reparse_output(archived_crawl, capsys) -> None:
    _, crawl, archives = archived_crawl
    assert cli_main(["reparse", str(archives[0])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(crawl.records)
    assert StringIO(lines[0]).read().startswith('{"schema_version": 1')


def _write_pages(directory: Path, level: int, pages: list[bytes]) -> Path:
    from newscrawl.archive.warc import Exchange, WarcArchiveWriter

    writer = WarcArchiveWriter(directory, "t", 10**9, {"software": "test"}, level)
    for i, body in enumerate(pages):
        writer.write(
            Exchange(
                url=f"http://127.0.0.1/t{i}.htm",
                method="GET",
                request_headers=[("Host", "127.0.0.1")],
                request_body=b"",
                status=200,
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
                body=body,
            )
        )
    (path,) = writer.close()
    return path


def test_compression_level_is_applied_and_files_stay_valid(tmp_path) -> None:
    site = ROOT / "newscrawl" / "replica" / "site"
    pages = [p.read_bytes() for p in sorted(site.rglob("t*.htm*")) if p.suffix != ".json"][:10]
    sizes = {}
    for level in (1, 9):
        path = _write_pages(tmp_path / str(level), level, pages)
        assert subprocess.run([_warcio(), "check", str(path)]).returncode == 0
        with path.open("rb") as fh:
            bodies = [
                r.content_stream().read()
                for r in ArchiveIterator(fh)
                if r.rec_headers.get_header("WARC-Type") == "response"
            ]
        assert bodies == pages
        sizes[level] = path.stat().st_size
    assert sizes[9] < sizes[1]


@pytest.mark.parametrize("level", [0, 10])
def test_compression_level_out_of_range_is_refused(tmp_path, level: int) -> None:
    with pytest.raises(ValueError, match="1-9"):
        _write_pages(tmp_path, level, [b"<html></html>"])


def test_compression_level_setting_is_checked() -> None:
    from scrapy.utils.test import get_crawler

    from newscrawl.crawling.middlewares.archive import WarcCaptureMiddleware

    crawler = get_crawler(
        settings_dict={"NEWSCRAWL_ARCHIVE": True, "NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL": 3}
    )
    assert WarcCaptureMiddleware.from_crawler(crawler).compression_level == 3
    crawler = get_crawler(
        settings_dict={"NEWSCRAWL_ARCHIVE": True, "NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL": 11}
    )
    with pytest.raises(ValueError, match="NEWSCRAWL_ARCHIVE_COMPRESSION_LEVEL must be 1-9"):
        WarcCaptureMiddleware.from_crawler(crawler)


def test_reparse_to_simplified_keeps_the_profile_title_suffixes(tmp_path, capsys) -> None:
    """`reparse --to-simplified` used to build its record options without the profile's
    title suffixes: titles kept `_栏目_大众网` with the flag and lost it without."""
    from newscrawl.archive.warc import Exchange, WarcArchiveWriter

    path = "www/xinwen/shehuixinwen/202404/t20240428_13855120.htm"
    title = "青岛崂山茶园进入采摘旺季 茶农忙制“谷雨茶”"
    html = (ROOT / "newscrawl/replica/site" / path).read_text("utf-8")
    html = html.replace(f"<h2>{title}</h2>", f"<h2>{title}_社会新闻_大众网</h2>")
    writer = WarcArchiveWriter(tmp_path, "dzwww-t", 10**9, {"spider": "dzwww"}, 6)
    writer.write(
        Exchange(
            url="https://www.dzwww.com/" + path.removeprefix("www/"),
            method="GET",
            request_headers=[("Host", "www.dzwww.com")],
            request_body=b"",
            status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=html.encode("utf-8"),
        )
    )
    (archive,) = writer.close()
    titles = []
    for flags in ([], ["--to-simplified"]):
        assert cli_main(["reparse", str(archive), *flags]) == 0
        titles.append(json.loads(capsys.readouterr().out)["title"])
    assert titles == [title, title]
