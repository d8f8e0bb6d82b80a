"""`newscrawl reparse -j N`: worker processes give the same bytes, report and exit code."""

from __future__ import annotations

import io
import json

import pytest

from newscrawl.archive.reparse import ReparseReport, reparse_archives
from newscrawl.cli import main as cli_main
from newscrawl.replica import REPLICA_CHANNELS, ReplicaServer
from newscrawl.sites import get_profile
from tests.conftest import run_crawl


@pytest.fixture(scope="module")
def rotated_archive(tmp_path_factory):
    """A replica crawl whose archive is rotated into many small files, plus bad inputs:
    a file cut in the middle of a record, a text file, a missing file."""
    tmp = tmp_path_factory.mktemp("rotated")
    with ReplicaServer() as server:
        start = "start_urls=" + ",".join(server.url + c for c in REPLICA_CHANNELS)
        rotate = {"NEWSCRAWL_ARCHIVE_MAX_BYTES": "20000"}
        crawl = run_crawl(tmp / "crawl", "-a", start, server=server, settings=rotate)
    assert crawl.returncode == 0, crawl.log[-2000:]
    files = sorted((tmp / "crawl" / "archive").glob("*.warc.gz"))
    assert len(files) >= 4
    cut = tmp / "cut.warc.gz"
    data = files[1].read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    text = tmp / "notes.txt"
    text.write_text("not an archive\n", encoding="utf-8")
    return tmp, crawl, files, [files[0], cut, text, tmp / "missing.warc.gz", *files[2:]]


def _reparse(args: list[str], capsys) -> tuple[int, str]:
    status = cli_main(["reparse", *args])
    return status, capsys.readouterr().err


def test_two_workers_write_the_same_bytes_as_one(rotated_archive, capsys) -> None:
    tmp, crawl, files, _ = rotated_archive
    outputs = {}
    for jobs in ("1", "2", "3"):
        out = tmp / f"out-{jobs}.jsonl"
        status, err = _reparse([*map(str, files), "-o", str(out), "-j", jobs], capsys)
        assert status == 0, err
        outputs[jobs] = out.read_bytes()
    assert outputs["1"] == outputs["2"] == outputs["3"]
    records = [json.loads(line) for line in outputs["1"].decode("utf-8").splitlines()]
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in crawl.records)


def test_damage_and_bad_inputs_are_reported_alike(rotated_archive, capsys) -> None:
    tmp, _, _, inputs = rotated_archive
    results = {}
    for jobs in ("1", "2"):
        out = tmp / f"bad-{jobs}.jsonl"
        status, err = _reparse([*map(str, inputs), "-o", str(out), "-j", jobs], capsys)
        assert not out.exists()  # an unusable input: -o is not written
        status_out = cli_main(["reparse", *map(str, inputs), "-j", jobs])
        captured = capsys.readouterr()  # to stdout: the usable records, then the same report
        results[jobs] = (status, err.replace(str(out), "OUT"), status_out, captured.out)
    assert results["1"] == results["2"]
    status, err, status_out, data = results["1"]
    assert status == status_out == 2 and data.count("\n") >= 10
    assert "not a WARC file" in err and "no such file" in err and "damaged:" in err
    assert "nothing written, OUT is left as it was" in err


def test_the_report_is_the_same_through_the_api(rotated_archive) -> None:
    _, _, _, inputs = rotated_archive
    reports = [ReparseReport(), ReparseReport()]
    one = list(reparse_archives(inputs, report=reports[0]))
    two = list(reparse_archives(inputs, report=reports[1], jobs=2))
    assert one == two
    assert reports[0] == reports[1]
    assert reports[0].damaged and len(reports[0].unusable) == 2


def test_replacement_profiles_need_one_process(rotated_archive) -> None:
    _, _, files, _ = rotated_archive
    with pytest.raises(ValueError, match="jobs=1"):
        list(reparse_archives(files, profiles={"dzwww": get_profile("dzwww")}, jobs=2))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_line_on_a_terminal_only(rotated_archive, monkeypatch) -> None:
    tmp, _, files, _ = rotated_archive
    args = ["reparse", *map(str, files), "-o", str(tmp / "progress.jsonl"), "-j", "2"]
    for stream, shown in ((_Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr("sys.stderr", stream)
        assert cli_main(args) == 0
        err = stream.getvalue()
        assert ("records/s" in err and f"{len(files)}/{len(files)} files done" in err) is shown
        assert err.rstrip("\n").splitlines()[-1].lstrip("\r ").startswith("newscrawl reparse: ")
        if not shown:
            assert "\r" not in err and len(err.splitlines()) == 1


def test_jobs_must_be_a_count(rotated_archive, capsys) -> None:
    _, _, files, _ = rotated_archive
    with pytest.raises(SystemExit):
        cli_main(["reparse", str(files[0]), "-j", "-1"])
    assert "must be 0 or more" in capsys.readouterr().err


def test_zero_jobs_means_one_per_cpu(rotated_archive, capsys) -> None:
    tmp, _, files, _ = rotated_archive
    outputs = []
    for jobs in ("0", "1"):
        out = tmp / f"auto-{jobs}.jsonl"
        status, _ = _reparse([*map(str, files), "-o", str(out), "-j", jobs], capsys)
        assert status == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
