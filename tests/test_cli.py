"""The ``newscrawl`` command line: extract (the seed record, bad inputs, stdin), demo."""

from __future__ import annotations

import fcntl
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from newscrawl.cli import main as cli_main
from newscrawl.runs.monitor import EXIT_CODES
from tests.conftest import ROOT
from tests.replica_pages import SITE

SEED = SITE / "edu/xxdt/zyyx/202505/t20250523_16561234.htm"
SEED_URL = "https://edu.dzwww.com/xxdt/zyyx/202505/t20250523_16561234.htm"
SCHEMA = json.loads((ROOT / "newscrawl/schema/article-record.schema.json").read_text())


def _newscrawl() -> str:
    exe = Path(sys.executable).with_name("newscrawl")
    return str(exe) if exe.exists() else "newscrawl"


def test_extract_prints_the_seed_record_of_the_contract(capsys) -> None:
    assert cli_main(["extract", "--site", "dzwww", "--url", SEED_URL, str(SEED)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    jsonschema.validate(record, SCHEMA)
    assert record["title"] == "五元协同育匠才！重庆工贸职业技术学院推动产教融合向纵深发展"
    assert record["published_date"] == "2025-05-23"
    assert record["published_raw"] == "2025 / 05/23"
    assert record["published_at"] is None
    assert record["source"] == "大众网" and record["authors"] == ["秦瑾"]
    assert record["credits"] == [
        {"role": "editor", "label": "责编", "name": "张明明"},
        {"role": "reviewer", "label": "审签", "name": "路时川"},
    ]
    assert record["breadcrumb"] == ["首页", "学校动态", "职业院校"]
    paragraphs = record["paragraphs"]
    assert paragraphs[0] == "大众网记者 秦瑾 报道"
    assert paragraphs[1].startswith("产教融合、校企合作是职业教育的基本办学模式")
    assert "健全机制，筑牢校企合作制度支撑" in paragraphs
    captions = [image["caption"] for image in record["images"]]
    assert captions[0] == "重庆市生物医药产教联合体成立大会现场"
    assert not set(captions) & set(paragraphs)
    assert all(image["url"].startswith("https://edu.dzwww.com/") for image in record["images"])
    body = record["body"]
    for boilerplate in (
        "融媒体矩阵",
        "山东手机报",
        "手机查看",
        "相关推荐",
        "换一换",
        "责编",
        "审签",
    ):
        assert boilerplate not in body
    assert record["language"] == "zh-Hans" and record["encoding"] == "utf-8"


def test_extract_reports_bad_inputs_and_goes_on(tmp_path, capsys) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"  \n")
    missing = tmp_path / "missing.html"
    status = cli_main(["extract", "--site", "dzwww", str(empty), str(SEED), str(missing)])
    captured = capsys.readouterr()
    assert status == 2
    assert len(captured.out.splitlines()) == 1
    assert f"{empty}: empty input" in captured.err
    assert f"{missing}: cannot read" in captured.err


def test_extract_reads_stdin_in_order_through_the_console_script(tmp_path) -> None:
    gbk_page = SITE / "www/xinwen/shehuixinwen/201805/t20180516_17380012.htm"
    result = subprocess.run(
        [_newscrawl(), "extract", "--site", "auto", str(gbk_page), "-"],
        input=SEED.read_bytes(),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    first, second = (json.loads(line) for line in result.stdout.decode("utf-8").splitlines())
    assert first["encoding"] == "gb18030" and "王堃" in first["authors"]
    assert first["site"] == "generic" and second["site"] == "generic"
    assert second["title"].startswith("五元协同育匠才")


def test_extract_eval_format_for_the_scorer(capsys) -> None:
    assert cli_main(["extract", "--format", "eval", "--url", SEED_URL, str(SEED)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"title", "date", "author", "body"}
    assert out["date"] == "2025-05-23" and out["author"] == ["秦瑾"]


def test_demo_crawls_the_replica_offline(tmp_path) -> None:
    result = subprocess.run(
        [_newscrawl(), "demo", "--output-dir", str(tmp_path / "output")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    files = list((tmp_path / "output" / "demo").glob("*.jsonl"))
    assert len(files) == 1
    # named like the crawl's data files (Scrapy's %(time)s), not with a stamp of its own
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\+00-00\.jsonl", files[0].name)
    records = [json.loads(line) for line in files[0].read_text("utf-8").splitlines()]
    assert len(records) == 28
    assert "articles: 28" in result.stdout and f"output: {files[0]}" in result.stdout
    again = subprocess.run(
        [_newscrawl(), "demo", "--output-dir", str(tmp_path / "output")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert "articles: 28" in again.stdout


def test_run_outside_a_project_exits_75_while_another_run_holds_the_lock(tmp_path) -> None:
    """`newscrawl run` from a directory with no scrapy.cfg: the packaged settings and
    spiders are used, and the lock decides the exit code before anything is fetched."""
    state = tmp_path / "state"
    state.mkdir()
    with (state / "dzwww.lock").open("a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        result = subprocess.run(
            [_newscrawl(), "run", "dzwww", "-s", f"NEWSCRAWL_STATE_DIR={state}"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
    assert result.returncode == 75, result.stderr[-2000:]
    assert "another dzwww run holds" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]


def test_the_eval_format_prints_captions_where_they_stand() -> None:
    from newscrawl.cli import text_as_printed

    record = {
        "paragraphs": ["一", "二", "三"],
        "images": [
            {"url": "a", "caption": "图一", "position": 1},
            {"url": "b", "caption": None, "position": 2},
            {"url": "c", "caption": "图三", "position": 3},
        ],
    }
    assert text_as_printed(record) == "一\n图一\n二\n三\n图三"


def test_every_exit_code_is_in_the_help_and_the_readme(capsys) -> None:
    with pytest.raises(SystemExit):
        cli_main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    readme = (ROOT / "README.md").read_text("utf-8")
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", readme, flags=re.MULTILINE))
    assert set(table) == {str(code) for code in EXIT_CODES}
    for code, meaning in EXIT_CODES.items():
        assert f"{code} {meaning}" in help_text
