"""What the package installs (newscrawl only) and where its commands run from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: The repository parts a wheel is built from (a copy, so the build leaves nothing behind).
SOURCES = ("pyproject.toml", "README.md", "newscrawl", "spiders", "pipelines", "testing")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(origin, source / name)
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (built,) = out.glob("newscrawl-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory) -> Path:
    """The wheel unpacked as pip would install it into site-packages."""
    site = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_the_wheel_installs_only_the_newscrawl_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert {name.split("/")[0] for name in names} == {
        "newscrawl",
        wheel.name.removesuffix("-py3-none-any.whl") + ".dist-info",
    }
    for packaged in (
        "newscrawl/crawling/spiders.py",
        "newscrawl/crawling/commands/crawl.py",
        "newscrawl/profiles/dzwww.toml",
        "newscrawl/schema/article-record.schema.json",
        "newscrawl/replica/site/robots.txt",
    ):
        assert packaged in names
    assert not [n for n in names if "synthetic" in n]


def test_the_installed_package_runs_outside_any_project(installed: Path, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _env(PYTHONPATH=str(installed))

    def python(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=elsewhere,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )

    where = python("-c", "import newscrawl; print(newscrawl.__file__)")
    assert where.stdout.startswith(str(installed)), where.stderr
    for generic_name in ("spiders", "pipelines", "testing"):
        assert python("-c", f"import {generic_name}").returncode != 0
    listed = python("-m", "scrapy", "list", SCRAPY_SETTINGS_MODULE="newscrawl.settings")
    assert "dzwww" in listed.stdout.split(), listed.stderr[-2000:]
    demo = python("-m", "newscrawl.cli", "demo", "--output-dir", "out")
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "articles: 28" in demo.stdout


def test_scrapy_commands_from_the_project_directory(replica, tmp_path) -> None:
    """scrapy.cfg names newscrawl.settings; the project's own folders stay importable there."""
    scrapy = str(Path(sys.executable).with_name("scrapy"))
    listed = subprocess.run(
        [scrapy, "list"], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120
    )
    names = sorted(p.stem for p in (ROOT / "newscrawl/profiles").glob("*.toml"))
    assert listed.stdout.split() == names, listed.stderr[-2000:]
    out = tmp_path / "out.jsonl"
    crawl = subprocess.run(
        [
            scrapy,
            "crawl",
            "dzwww",
            "-a",
            f"start_urls={replica.url}edu/xxdt/zyyx/",
            "-O",
            str(out),
            "-s",
            f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}",
            "-s",
            f"NEWSCRAWL_ARCHIVE_DIR={tmp_path / 'archive'}",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "LOG_LEVEL=WARNING",
            "-s",
            f"NEWSCRAWL_ALLOWED_ADDRESSES=127.0.0.1:{replica.port}",
            "-s",
            # the class paths of earlier releases still load
            "ITEM_PIPELINES="
            + json.dumps(
                {
                    "pipelines.record.ArticleRecordPipeline": 300,
                    "pipelines.versioning.VersioningPipeline": 350,
                    "pipelines.dedupe.DuplicateRecordPipeline": 400,
                }
            ),
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert records and all(r["site"] == "dzwww" and r["title"] for r in records)
