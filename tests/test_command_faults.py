"""``reparse`` and ``extract`` facing Ctrl-C, bad inputs, bombs and closed pipes (real commands)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import jsonschema
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.warc import BodyTooLarge, StoredResponse
from newscrawl.replica.server import DEFAULT_ROOT
from testing.hostile import MIB, gzip_bomb
from testing.measure import run_measured
from tests.conftest import ROOT
from tests.filesystems import small_filesystem

SCHEMA = json.loads((ROOT / "newscrawl/schema/article-record.schema.json").read_text())
LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text(encoding="utf-8"))
ARTICLE = "www/news/yw/202607/t20260715_17890011.htm"
HTML = [("Content-Type", "text/html")]
GOOD = '{"a good earlier rebuild": true}\n'


def _newscrawl() -> str:
    exe = Path(sys.executable).with_name("newscrawl")
    return str(exe) if exe.exists() else "newscrawl"


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_newscrawl(), *args], capture_output=True, text=True, timeout=300, **kwargs
    )


def _response(writer: WARCWriter, url: str, body: bytes, headers=HTML) -> None:
    writer.write_record(
        writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders("200 OK", list(headers), protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2026-02-01T00:00:00Z"},
        )
    )


def _article_warc(path: Path, copies: int, gzip: bool = True) -> list[str]:
    """A WARC of ``copies`` captures of one replica article under distinct dzwww URLs."""
    page = (DEFAULT_ROOT / ARTICLE).read_bytes()
    urls = [
        f"http://www.dzwww.com/news/yw/202607/t20260715_{17890011 + n}.htm" for n in range(copies)
    ]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip, warc_version="1.1")
        for url in urls:
            _response(writer, url, page)
    return urls


def _untouched(output: Path) -> None:
    assert output.read_text(encoding="utf-8") == GOOD
    assert [p.name for p in output.parent.iterdir() if p.name.startswith(".")] == []


# -- reparse -o commits only on success ------------------------------------------------------


def test_ctrl_c_during_a_large_reparse_leaves_the_output_as_it_was(tmp_path) -> None:
    warc = tmp_path / "large.warc.gz"
    _article_warc(warc, 2000)
    output = tmp_path / "out" / "rebuilt.jsonl"
    output.parent.mkdir()
    output.write_text(GOOD, encoding="utf-8")
    proc = subprocess.Popen(
        [_newscrawl(), "reparse", str(warc), "-o", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not any(p.stat().st_size > 0 for p in output.parent.glob(".rebuilt.jsonl.*.part")):
        assert proc.poll() is None, "reparse ended before it was interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert f"interrupted; {output} is left as it was" in err and "Traceback" not in err
    _untouched(output)


def test_an_unusable_input_writes_nothing(tmp_path) -> None:
    warc = tmp_path / "good.warc.gz"
    _article_warc(warc, 3)
    garbage = tmp_path / "garbage.warc.gz"
    garbage.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    output = tmp_path / "out" / "rebuilt.jsonl"
    output.parent.mkdir()
    output.write_text(GOOD, encoding="utf-8")
    result = _run("reparse", str(warc), str(garbage), str(empty), "-o", str(output))
    assert result.returncode == 2
    assert f"{garbage}: not a WARC file" in result.stderr
    assert f"{empty}: empty file" in result.stderr
    assert f"nothing written, {output} is left as it was" in result.stderr
    _untouched(output)
    assert _run("reparse", str(warc), "-o", str(output)).returncode == 0
    assert len(output.read_text(encoding="utf-8").splitlines()) == 3


def test_a_full_disk_under_the_output_leaves_it_as_it_was(tmp_path) -> None:
    warc = tmp_path / "good.warc.gz"
    _article_warc(warc, 40)
    with small_filesystem(tmp_path / "disk", "32k") as disk:
        output = disk / "rebuilt.jsonl"
        output.write_text(GOOD, encoding="utf-8")
        result = _run("reparse", str(warc), "-o", str(output))
        assert result.returncode == 1
        assert f"cannot write {output}: [Errno 28] No space left on device" in result.stderr
        assert "Traceback" not in result.stderr
        _untouched(output)


# -- reparse caps decompressed bodies like the crawl ------------------------------------------


def _bomb_warc(path: Path, inflated: int) -> tuple[str, str]:
    """A WARC with an archived gzip bomb at an article URL, then a normal article."""
    bomb = b"".join(gzip_bomb(inflated).chunks())
    bomb_url = "http://www.dzwww.com/news/yw/202607/t20260715_17890099.htm"
    article_url = "http://www.dzwww.com/news/yw/202607/t20260715_17890011.htm"
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        _response(writer, bomb_url, bomb, headers)
        _response(writer, article_url, (DEFAULT_ROOT / ARTICLE).read_bytes())
    return bomb_url, article_url


def _crawl_size_limit() -> tuple[int, int]:
    """(reparse's default limit, the crawl's DOWNLOAD_MAXSIZE), read as the commands read them.

    In a subprocess: reading the project settings sets SCRAPY_SETTINGS_MODULE in the
    environment, which later subprocesses of the test session would inherit.
    """
    code = (
        "from newscrawl.cli import crawl_max_size\n"
        "from newscrawl.crawling.process import project_settings\n"
        "print(crawl_max_size(), project_settings().getint('DOWNLOAD_MAXSIZE'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_an_archived_gzip_bomb_is_skipped_within_bounded_memory(tmp_path) -> None:
    limit, crawl_limit = _crawl_size_limit()
    assert limit == crawl_limit  # one default: the crawl's
    warc = tmp_path / "bomb.warc.gz"
    bomb_url, article_url = _bomb_warc(warc, limit + MIB)
    output = tmp_path / "rebuilt.jsonl"
    measured = run_measured(
        [_newscrawl(), "reparse", str(warc), "-o", str(output)], cwd=tmp_path, timeout=300
    )
    assert measured.returncode == 1, measured.stderr
    assert (
        f"too large, skipped: {bomb_url}: body inflates to more than {limit} bytes "
        "(the size limit)" in measured.stderr
    )
    assert f"1 pages over the size limit ({limit} bytes)" in measured.stderr
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in records] == [article_url]
    assert measured.max_rss_mb < 200, f"peak RSS {measured.max_rss_mb:.0f} MB"


def test_the_size_limit_is_an_option(tmp_path) -> None:
    warc = tmp_path / "bomb.warc.gz"
    bomb_url, _ = _bomb_warc(warc, 3 * MIB)
    small = _run("reparse", str(warc), "--max-size", str(2 * MIB), cwd=tmp_path)
    assert small.returncode == 1 and f"too large, skipped: {bomb_url}" in small.stderr
    assert len(small.stdout.splitlines()) == 1
    unlimited = _run("reparse", str(warc), "--max-size", "0", cwd=tmp_path)
    assert unlimited.returncode == 0, unlimited.stderr
    assert len(unlimited.stdout.splitlines()) == 2


# -- reparse reads past damage, says what an empty file is (the real command) ----------------


def test_an_uncompressed_warc_whose_content_length_lies_is_read_past_the_damage(
    tmp_path,
) -> None:
    warc = tmp_path / "plain.warc"
    urls = _article_warc(warc, 3, gzip=False)
    data = warc.read_bytes()
    at = data.index(b"Content-Length: ", data.index(b"WARC-Type: response"))
    end = data.index(b"\r\n", at)
    warc.write_bytes(data[: at + 16] + str(int(data[at + 16 : end]) + 300).encode() + data[end:])
    result = _run("reparse", str(warc), cwd=tmp_path)
    assert result.returncode == 1
    assert f"damaged: {warc} at byte" in result.stderr
    recovered = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    assert recovered[-2:] == urls[1:]  # the records after the lying one


def test_a_zero_length_warc_is_an_empty_file(tmp_path) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    result = _run("reparse", str(empty), cwd=tmp_path)
    assert result.returncode == 2
    assert f"newscrawl reparse: {empty}: empty file" in result.stderr
    assert "warcinfo" not in result.stderr


# -- extract ----------------------------------------------------------------------------------


def test_extract_without_url_gives_records_that_pass_the_schema(tmp_path) -> None:
    page = DEFAULT_ROOT / ARTICLE
    result = _run("extract", str(page), "-", input=page.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    from_file, from_stdin = (json.loads(line) for line in result.stdout.splitlines())
    for record in (from_file, from_stdin):
        jsonschema.validate(record, SCHEMA)
        assert "url_unknown" in record["warnings"]
    assert from_file["url"] == "http://extract.invalid" + page.resolve().as_posix()
    assert from_stdin["url"] == "http://extract.invalid/dev/stdin"
    told = _run("extract", "--url", "https://www.dzwww.com/news/yw/t20260715_1.htm", str(page))
    record = json.loads(told.stdout)
    jsonschema.validate(record, SCHEMA)
    assert "url_unknown" not in record["warnings"]


def test_extract_into_a_closed_pipe_exits_quietly(tmp_path) -> None:
    page = str(DEFAULT_ROOT / ARTICLE)
    script = f'"$0" extract {" ".join([page] * 40)} | head -c 0; echo "${{PIPESTATUS[0]}}"'
    result = subprocess.run(
        ["bash", "-c", script, _newscrawl()], capture_output=True, text=True, timeout=300
    )
    assert result.stderr == ""
    assert result.stdout.strip() == str(128 + signal.SIGPIPE)


def test_every_member_of_a_gzip_stream_counts_towards_the_limit() -> None:
    """Two gzip members of 3 MiB each: 6 MiB inflated, above a 5 MiB limit."""
    member = b"".join(gzip_bomb(3 * MIB).chunks())
    stored = StoredResponse(
        url="http://www.dzwww.com/a.htm",
        status=200,
        headers=[("Content-Encoding", "gzip")],
        raw_body=member + member,
        record_id="<urn:uuid:1>",
        date="2026-02-01T00:00:00+00:00",
        file="a.warc.gz",
    )
    assert len(stored.body(7 * MIB)) > 6 * MIB
    with pytest.raises(BodyTooLarge, match="inflates to more than 5242880 bytes"):
        stored.body(5 * MIB)
    with pytest.raises(BodyTooLarge, match="body is"):
        stored.body(len(stored.raw_body) - 1)
