"""``newscrawl diff`` on bad input and on duplicates, through the real command.

Exit codes: 0 identical, 1 the files differ (or one holds the same record twice),
2 an input cannot be read, with the file and line named and no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RECORD = {"schema_version": 1, "id": "a", "version": 1, "title": "甲", "body": "正文"}


def _newscrawl() -> str:
    exe = Path(sys.executable).with_name("newscrawl")
    return str(exe) if exe.exists() else "newscrawl"


def _diff(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_newscrawl(), "diff", str(old), str(new)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _line(**changes: object) -> str:
    return json.dumps({**RECORD, **changes}, ensure_ascii=False)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.jsonl"
    path.write_text(_line() + "\n" + _line(id="b") + "\n", "utf-8")
    return path


BAD_INPUTS = {
    "gb18030": (
        (_line() + "\n" + _line(id="b", title="乙") + "\n").encode("gb18030"),
        ":1: not UTF-8: byte 0xbc at column 58",
    ),
    "latin-1 on line 3": (
        (_line() + "\n\n" + _line(id="b", title="é") + "\n").encode("latin-1", "replace"),
        ":3: not UTF-8: byte 0xe9",
    ),
    "utf-16 with BOM": (
        (_line() + "\n").encode("utf-16"),
        ":1: not UTF-8: the file starts with a UTF-16 byte-order mark",
    ),
    "utf-16 without BOM": (
        (_line() + "\n").encode("utf-16-le"),
        ":1: not UTF-8 text: NUL bytes (UTF-16 or binary?)",
    ),
    "utf-8 BOM": (
        b"\xef\xbb\xbf" + _line().encode() + b"\n",
        ":1: starts with a UTF-8 byte-order mark",
    ),
    "deep nesting": (
        (_line() + "\n" + '{"id": "b", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n").encode(),
        ":2: JSON nested too deeply to read",
    ),
    "5,000-digit number": (
        (_line() + "\n" + '{"id": "b", "n": ' + "7" * 5000 + "}\n").encode(),
        ":2: cannot read this JSON: a number with 5000 digits (more than 4300)",
    ),
    "not JSON": (b'{"id": "a"\n', ":1: not a JSON line"),
    "a list, not a record": (b'["a", 1]\n', ":1: a record without an id"),
    "an id that is a list": (b'{"id": ["a"]}\n', ':1: the id is not a non-empty string: ["a"]'),
    "an empty id": (b'{"id": ""}\n', ':1: the id is not a non-empty string: ""'),
    "a version that is text": (
        b'{"id": "a", "version": "2"}\n',
        ':1: the version is not a whole number: "2"',
    ),
    "binary": (bytes(range(256)) * 4, ":1: not UTF-8 text: NUL bytes"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_exit_2_with_file_and_line_and_no_traceback(
    tmp_path: Path, good: Path, name: str
) -> None:
    data, message = BAD_INPUTS[name]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(data)
    for old, new in ((good, bad), (bad, good)):
        result = _diff(old, new)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"newscrawl diff: {bad}{message}")
        assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n")
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_unreadable_files_are_exit_2(tmp_path: Path, good: Path) -> None:
    result = _diff(good, tmp_path / "missing.jsonl")
    assert result.returncode == 2
    missing = tmp_path / "missing.jsonl"
    assert result.stderr == f"newscrawl diff: {missing}: cannot read: No such file or directory\n"
    assert _diff(good, tmp_path).returncode == 2  # a directory


def test_versions_of_one_id_are_not_duplicates(tmp_path: Path, good: Path) -> None:
    incremental = tmp_path / "incremental.jsonl"
    incremental.write_text(
        "\n".join([_line(version=1, title="旧"), _line(id="b"), _line(version=2)]) + "\n",
        "utf-8",
    )
    result = _diff(good, incremental)
    assert (result.returncode, result.stderr) == (1, "")
    assert "duplicate" not in result.stdout
    assert "field version: 1 records changed" in result.stdout  # version 2 is compared
    assert "field title" not in result.stdout


def test_the_same_id_and_version_twice_is_reported(tmp_path: Path, good: Path) -> None:
    twice = tmp_path / "twice.jsonl"
    twice.write_text("\n".join([_line(), _line(id="b"), _line()]) + "\n", "utf-8")
    result = _diff(good, twice)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        "records: 2 old, 2 new",
        "duplicate records in new: 1",
        "  a version 1: lines 1, 3 (identical copies)",
    ]
    # a file compared with itself is still not "identical" while it holds a duplicate
    result = _diff(twice, twice)
    assert result.returncode == 1
    assert "duplicate records in old: 1" in result.stdout
    assert "duplicate records in new: 1" in result.stdout


def test_duplicates_whose_copies_differ_say_so(tmp_path: Path, good: Path) -> None:
    twice = tmp_path / "twice.jsonl"
    twice.write_text(
        "\n".join([_line(title="一"), _line(id="b"), "", _line(title="二")]) + "\n", "utf-8"
    )
    result = _diff(twice, good)
    assert result.returncode == 1
    assert "  a version 1: lines 1, 4 (the copies differ)" in result.stdout
    assert 'a: "二" -> "甲"' in result.stdout  # the last copy is the one compared


def test_clean_files_still_compare(tmp_path: Path, good: Path) -> None:
    same = tmp_path / "same.jsonl"
    same.write_text(_line(id="b", crawled_at="x") + "\n" + _line() + "\n", "utf-8")
    result = _diff(good, same)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "records: 2 old, 2 new\nidentical\n",
        "",
    )
