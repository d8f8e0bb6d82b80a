"""The README's crontab line, run as cron would run it, in a deployment aimed at the replica."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from newscrawl.replica import REPLICA_CHANNELS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _crontab_line() -> str:
    match = re.search(r"<!-- crontab -->\s*```cron\n(.+?)\n```", README)
    assert match, "README lost its tested crontab line"
    return match.group(1)


def _deployment(tmp_path: Path, replica) -> Path:
    """A project directory like /srv/newscrawl: scrapy.cfg, its settings module, the venv."""
    project = tmp_path / "srv" / "newscrawl"
    project.mkdir(parents=True)
    (project / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = deployment_settings\n", "utf-8")
    start_urls = [replica.url + c for c in REPLICA_CHANNELS]
    (project / "deployment_settings.py").write_text(
        "from newscrawl.settings import *  # noqa: F403\n"
        f"NEWSCRAWL_START_URLS = {start_urls!r}\n"
        f"NEWSCRAWL_ALLOWED_ADDRESSES = ['127.0.0.1:{replica.port}']\n"
        "AUTOTHROTTLE_ENABLED = False\n"
        "DOWNLOAD_DELAY = 0\n",
        "utf-8",
    )
    (project / "output").mkdir()
    return project


def _command(line: str, project: Path) -> str:
    fields = line.split(None, 5)
    assert len(fields) == 6 and all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5])
    return fields[5].replace("/srv/newscrawl", str(project))


def test_readme_crontab_line_runs_and_repeats(tmp_path, replica) -> None:
    project = _deployment(tmp_path, replica)
    command = _command(_crontab_line(), project)

    first = subprocess.run(["/bin/sh", "-c", command], capture_output=True, timeout=300)
    assert first.returncode == 0, (project / "output/cron.log").read_text("utf-8")[-3000:]
    data = sorted((project / "output/dzwww").glob("*.jsonl"))
    assert len(data) == 1
    records = [json.loads(x) for x in data[0].read_text("utf-8").splitlines()]
    assert len(records) == 28
    manifest = json.loads(data[0].with_name(data[0].stem + ".manifest.json").read_text("utf-8"))
    assert manifest["exit_code"] == 0 and manifest["data_files"] == [str(data[0])]
    assert (project / "state/dzwww.sqlite3").exists()

    second = subprocess.run(["/bin/sh", "-c", command], capture_output=True, timeout=300)
    assert second.returncode == 0
    assert sorted((project / "output/dzwww").glob("*.jsonl")) == data
    assert len(sorted((project / "output/dzwww").glob("*.manifest.json"))) == 2
