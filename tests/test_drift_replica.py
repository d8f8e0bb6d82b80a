"""Drift alarms on real crawls of the replica portal, and the health report that shows them.

Healthy runs crawl a different, seeded choice of channels and list pages each time,
so their records differ from run to run as a live portal's do (sizes, template mix,
authors, sources); a run that re-crawled identical pages would prove nothing about
noise. The first three runs only learn; the next ten are judged and must raise no
alarm. Then the replica is switched to altered copies of its current template
(``tests/drift_templates.py``) and every change must be flagged on its first run,
with the right field named, exit code 6, the manifest's drift section and the log
naming it, and the HTML report showing it in chromium.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.cli import main
from newscrawl.replica import REPLICA_CHANNELS, ReplicaServer
from newscrawl.runs.history import SQLiteRunHistory
from newscrawl.runs.monitor import EXIT_DRIFT, EXIT_HEALTHY
from tests.chromium import visit
from tests.conftest import ROOT, CrawlResult, run_crawl
from tests.drift_templates import ALTERATIONS, altered_site, is_current_template

LEARNING_RUNS = 3
JUDGED_RUNS = 10

#: The field each altered template must be flagged on.
EXPECTED_FIELD = {
    "body_moved": "body",
    "side_reordered": "source",
    "date_removed": "published_raw",
    "credits_in_body": "credits",
}


def _healthy_run_arguments(server: ReplicaServer, seed: int) -> list[str]:
    rng = random.Random(seed)
    channels = sorted(rng.sample(REPLICA_CHANNELS, rng.randint(2, 5)))
    starts = ",".join(server.url + channel for channel in channels)
    return ["-a", f"start_urls={starts}", "-a", f"max_pages={rng.choice([1, 2, 5])}"]


def _manifest(result: CrawlResult) -> dict:
    assert result.feed is not None
    path = result.feed.with_name(result.feed.name.rsplit(".", 1)[0] + ".manifest.json")
    return json.loads(path.read_text("utf-8"))


class Runs:
    """Every crawl of the scenario, in order, sharing one run history."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.history = base / "health.sqlite3"
        self.healthy: list[CrawlResult] = []
        self.altered: dict[str, CrawlResult] = {}
        self.altered_urls: dict[str, set[str]] = {}

    def crawl(self, name: str, server: ReplicaServer, *args: str) -> CrawlResult:
        settings = {"NEWSCRAWL_DRIFT_HISTORY_FILE": str(self.history)}
        return run_crawl(self.base / name, *args, server=server, settings=settings)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    scenario = Runs(tmp_path_factory.mktemp("drift"))
    with ReplicaServer() as server:
        for seed in range(LEARNING_RUNS + JUDGED_RUNS):
            arguments = _healthy_run_arguments(server, seed)
            scenario.healthy.append(scenario.crawl(f"healthy-{seed}", server, *arguments))
    for name in ALTERATIONS:
        site = altered_site(name, scenario.base / f"site-{name}")
        scenario.altered_urls[name] = {
            "/" + page.relative_to(site).as_posix()
            for page in site.rglob("t*.htm*")
            if is_current_template(page.read_bytes())
        }
        with ReplicaServer(root=site) as server:
            starts = ",".join(server.url + channel for channel in REPLICA_CHANNELS)
            scenario.altered[name] = scenario.crawl(name, server, "-a", f"start_urls={starts}")
    return scenario


def test_no_alarm_over_ten_healthy_runs(runs: Runs) -> None:
    statuses = []
    for result in runs.healthy:
        assert result.returncode == EXIT_HEALTHY, result.log[-3000:]
        assert result.records
        assert result.stats["newscrawl/drift/alarms"] == []
        statuses.append(result.stats["newscrawl/drift/status"])
        assert _manifest(result)["drift"]["alarms"] == []
    assert statuses == ["learning"] * LEARNING_RUNS + ["judged"] * JUDGED_RUNS
    sizes = {len(result.records) for result in runs.healthy}
    assert len(sizes) > 4, "healthy runs should differ in size"


@pytest.mark.parametrize("name", list(ALTERATIONS))
def test_altered_template_is_flagged_on_its_first_run(runs: Runs, name: str) -> None:
    result = runs.altered[name]
    assert result.returncode == EXIT_DRIFT, result.log[-3000:]
    assert result.stats["newscrawl/drift/status"] == "judged"
    alarms = result.stats["newscrawl/drift/alarms"]
    fields = {alarm["field"] for alarm in alarms}
    assert EXPECTED_FIELD[name] in fields, [alarm["message"] for alarm in alarms]
    alarm = next(a for a in alarms if a["field"] == EXPECTED_FIELD[name])
    assert alarm["before"] != alarm["after"]
    examples = [urlsplit(example["url"]).path for example in alarm["examples"]]
    assert len(examples) == 3
    assert set(examples) <= runs.altered_urls[name], "examples must be altered pages"
    lines = result.feed.read_text("utf-8").splitlines()
    for example in alarm["examples"]:
        assert json.loads(lines[example["line"] - 1])["url"] == example["url"]

    manifest = _manifest(result)
    assert manifest["exit_code"] == EXIT_DRIFT
    assert manifest["drift"]["alarms"] == alarms
    reason = next(
        r for r in manifest["reasons"] if r.startswith(f"template drift: {alarm['field']}")
    )
    assert all(example["url"] in reason for example in alarm["examples"])
    assert f"Template drift: {alarm['message']}" in result.log
    assert f"newscrawl: run unhealthy: template drift: {alarm['field']}:" in result.log


def test_body_moved_names_each_symptom(runs: Runs) -> None:
    alarms = runs.altered["body_moved"].stats["newscrawl/drift/alarms"]
    checks = {(alarm["check"], alarm["field"]) for alarm in alarms}
    assert {("repeated_paragraph", "body"), ("warning", "body")} <= checks
    repeated = next(a for a in alarms if a["check"] == "repeated_paragraph")
    assert repeated["detail"].startswith("全省新一轮稳岗扩就业政策发布")


def test_side_column_reordered_reads_the_author_as_source(runs: Runs) -> None:
    alarm = next(
        a
        for a in runs.altered["side_reordered"].stats["newscrawl/drift/alarms"]
        if a["check"] == "new_values"
    )
    assert alarm["field"] == "source"
    assert "秦瑾" in alarm["detail"]  # the seed article's author, now read as its source


def test_only_healthy_runs_feed_the_baseline(runs: Runs) -> None:
    with SQLiteRunHistory(runs.history) as history:
        recent = history.recent("dzwww", 100)
        assert len(recent) == LEARNING_RUNS + JUDGED_RUNS + len(ALTERATIONS)
        assert [run.healthy for run in recent[: len(ALTERATIONS)]] == [False] * len(ALTERATIONS)
        assert len(history.healthy("dzwww", 100)) == LEARNING_RUNS + JUDGED_RUNS
        latest = recent[0]
        assert latest.exit_code == EXIT_DRIFT
        assert latest.data_file == str(runs.altered["credits_in_body"].feed.resolve())


def test_health_table_names_the_alarms(runs: Runs, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", "--history", str(runs.history), "--runs", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"dzwww: {LEARNING_RUNS + JUDGED_RUNS + 4} latest runs, 13 healthy, ")
    rows = [line for line in out.splitlines() if line.startswith("20")]
    for row, name in zip(rows, reversed(list(ALTERATIONS)), strict=False):
        assert row.split()[5] == "6" and EXPECTED_FIELD[name] in row.split("judged")[1], row
    assert all(row.split()[5] == "0" for row in rows[len(ALTERATIONS) :])


def test_health_report_shows_the_alarms_in_chromium(runs: Runs, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    assert main(["health", "--history", str(runs.history), "-o", str(report)]) == 0
    screenshot = tmp_path / "health-report.png"
    page = visit(
        report.as_uri(),
        tmp_path / "chromium-profile",
        script="""({
          charts: document.querySelectorAll('figure.chart svg').length,
          markers: document.querySelectorAll('[id*="alarm-marker"]').length,
          fields: [...document.querySelectorAll('li.alarm')].map(li => li.dataset.field),
          examples: [...document.querySelectorAll('li.alarm a.record')].length,
        })""",
        screenshot=screenshot,
    )
    assert page.errors == []
    assert page.requests == [report.as_uri()]
    assert page.result["charts"] == 1
    assert page.result["markers"] == len(ALTERATIONS)
    assert set(EXPECTED_FIELD.values()) <= set(page.result["fields"])
    assert page.result["examples"] == 3 * len(page.result["fields"])
    if os.environ.get("NEWSCRAWL_UPDATE_SCREENSHOT"):  # the README's picture, in 256 colours
        from PIL import Image

        with Image.open(screenshot) as image:
            small = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
            small.save(ROOT / "docs" / "img" / "health-report.png", optimize=True)


def test_drift_settings_become_options() -> None:
    from scrapy.settings import Settings

    from newscrawl import settings as defaults
    from newscrawl.crawling.extensions.drift import drift_options
    from newscrawl.runs.drift import DriftOptions

    project = Settings({k: v for k, v in vars(defaults).items() if k.isupper()})
    assert drift_options(project) == DriftOptions()
    project.setdict(
        {
            "NEWSCRAWL_DRIFT_MIN_RECORDS": "12",
            "NEWSCRAWL_DRIFT_COVERAGE_CHANGE": "0.5",
            "NEWSCRAWL_DRIFT_VOCABULARY_FIELDS": "source,credits",
        },
        priority="cmdline",
    )
    options = drift_options(project)
    assert options.min_records == 12
    assert options.coverage_change == 0.5
    assert options.vocabulary_fields == ("source", "credits")


def test_an_unusable_history_is_reported_not_fatal(replica: ReplicaServer, tmp_path: Path) -> None:
    history = tmp_path / "health.sqlite3"
    history.write_bytes(b"this is not a database" * 100)
    result = run_crawl(
        tmp_path / "run",
        "-a",
        f"start_urls={replica.url}edu/xxdt/zyyx/",
        server=replica,
        settings={"NEWSCRAWL_DRIFT_HISTORY_FILE": str(history)},
    )
    assert result.returncode == EXIT_HEALTHY
    assert result.records
    assert result.stats["newscrawl/drift/status"].startswith("history unusable: ")
    assert f"Drift checks skipped: run history {history} unusable" in result.log
    assert _manifest(result)["drift"]["status"].startswith("history unusable")
