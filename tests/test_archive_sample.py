"""The bundled sample archive: the README example runs on it, and its script remakes it."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.archive.cdxj import read_cdxj
from tests.conftest import ROOT

SAMPLE = ROOT / "examples" / "sample"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    match = re.search(r"<!-- sample -->\s*```sh\n(.+?)\n```", README, re.S)
    assert match, "README lost its tested sample commands"
    return match.group(1).splitlines()


def _payloads(directory: Path) -> dict[str, tuple[str, str]]:
    """URL path → (mime, payload digest) of every capture indexed in a directory."""
    return {
        urlsplit(e.url).path: (e.mime, e.digest)
        for index in directory.glob("*.cdxj")
        for e in read_cdxj(index)
    }


def test_the_readme_sample_commands_work_offline(tmp_path) -> None:
    shutil.copytree(SAMPLE, tmp_path / "examples" / "sample")
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = newscrawl.settings\n", "utf-8")
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        PYTHONPATH=str(ROOT),
    )
    outputs = []
    for command in _readme_commands():
        run = subprocess.run(
            ["/bin/sh", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, (command, run.stderr[-2000:])
        outputs.append(run.stdout)
    assert "identical" in outputs[-1]
    rebuilt = [json.loads(x) for x in (tmp_path / "rebuilt.jsonl").read_text("utf-8").splitlines()]
    assert sorted(r["page_count"] for r in rebuilt) == [1, 3]
    assert all(r["archive"]["file"].startswith("dzwww-") for r in rebuilt)


def test_the_sample_is_what_its_script_makes(tmp_path) -> None:
    spec = importlib.util.spec_from_file_location("make_sample", ROOT / "examples/make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.make_sample(tmp_path)
    assert sorted(p.suffix for p in made) == [".cdxj", ".gz"]
    assert _payloads(tmp_path) == _payloads(SAMPLE)
    committed = sorted(p.name for p in SAMPLE.iterdir())
    assert len(committed) == 2 and committed[0].endswith(".cdxj")
