"""``newscrawl health``: the terminal table and the offline HTML report (in real chromium)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from newscrawl.cli import main
from newscrawl.health.charts import scope_ids
from newscrawl.health.report import html_report
from newscrawl.runs.drift import DriftOptions, check
from newscrawl.runs.history import SQLiteRunHistory
from tests.chromium import visit
from tests.drift_records import drifted_run, healthy_run, summary

ROOT = Path(__file__).resolve().parents[1]
SITES = ("alpha", "beta", "gamma")
#: The DOM facts the browser test reads.
DOM_SCRIPT = """({
  sites: [...document.querySelectorAll('section.site')].map(s => s.dataset.site),
  charts: [...document.querySelectorAll('figure.chart')].map(f => f.dataset.site),
  svgs: document.querySelectorAll('figure.chart svg').length,
  markers: [...document.querySelectorAll('figure.chart [id*="alarm-marker"]')].map(
    m => m.closest('figure').dataset.site),
  markerLinks: [...document.querySelectorAll('figure.chart a')].map(
    a => a.getAttribute('xlink:href') || a.getAttribute('href')),
  alarmFields: [...document.querySelectorAll('li.alarm')].map(li => li.dataset.field),
  alarmRuns: [...document.querySelectorAll('div.alarm-run')].map(d => d.id),
  chartHeights: [...document.querySelectorAll('figure.chart svg')].map(
    s => Math.round(s.getBoundingClientRect().height)),
})"""


def _without_authors(record: dict, index: int) -> dict:
    return record | {"authors": []}


def _build_history(path: Path) -> None:
    """Three sites, eight runs each; the last run of alpha and beta drifted."""
    with SQLiteRunHistory(path) as history:
        for number, site in enumerate(SITES):
            runs = []
            for index in range(8):
                seed = number * 100 + index
                stats = healthy_run(seed, size=20 + index)
                if site != "gamma" and index == 7:
                    stats = drifted_run(seed, 25, _without_authors)
                verdict = check(stats, [r.stats for r in reversed(runs)], DriftOptions())
                run = replace(
                    summary(site, index),
                    run_id=f"{site}-{index}",
                    stats=stats,
                    alarms=verdict.alarms,
                    healthy=not verdict.alarms,
                    exit_code=6 if verdict.alarms else 0,
                    drift_status=verdict.status,
                    errors=index % 3,
                    data_file=str(path.parent / f"{site}-{index}.jsonl"),
                )
                runs.append(run)
                history.add(run)


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    path = tmp_path / "state" / "health.sqlite3"
    _build_history(path)
    return path


def _health(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    from newscrawl.cli import build_parser
    from newscrawl.health.cli import health_command

    code = health_command(build_parser().parse_args(["health", *args]), out, err)
    return code, out.getvalue(), err.getvalue()


def test_table_of_recent_runs(history_file: Path) -> None:
    code, out, err = _health("--history", str(history_file), "alpha", "--runs", "5")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "alpha: 5 latest runs, 4 healthy, 1 with drift alarms"
    assert lines[1].split()[:6] == ["started", "(UTC)", "run", "records", "errors", "exit"]
    newest = lines[2].split()
    assert newest[2:7] == ["alpha-7", "25", "1", "6", "judged"]
    assert newest[-1] == "authors"
    assert "0%" in newest  # the authors column of the drifted run
    assert len([line for line in lines if line.startswith("2026-")]) == 5
    assert "latest run: authors: coverage fell to 0 % of records" in out


def test_state_dir_locates_the_history(history_file: Path) -> None:
    code, out, _ = _health("--state-dir", str(history_file.parent))
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines() if ": 8 latest" in line] == list(SITES)


def test_missing_history_and_unknown_sites_are_errors(tmp_path: Path, history_file: Path) -> None:
    code, _, err = _health("--state-dir", str(tmp_path / "nowhere"))
    assert code == 2
    assert "no run history at" in err and "nowhere" in err
    code, _, err = _health("--history", str(history_file), "alpha", "delta")
    assert code == 2
    assert "no runs of delta" in err and "alpha, beta, gamma" in err
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database" * 100)
    code, _, err = _health("--history", str(damaged))
    assert code == 2
    assert f"cannot read the run history {damaged}" in err


def test_accept_lets_a_drifted_run_feed_the_baseline(history_file: Path) -> None:
    code, _, err = _health("--history", str(history_file), "--accept", "alpha-7")
    assert code == 2 and "exactly one SITE" in err
    code, _, err = _health("--history", str(history_file), "alpha", "--accept", "alpha-99")
    assert code == 2 and "alpha has no run alpha-99" in err
    code, out, _ = _health("--history", str(history_file), "alpha", "--accept", "alpha-7")
    assert code == 0 and "run alpha-7 of alpha now feeds the baseline" in out
    with SQLiteRunHistory(history_file) as history:
        assert history.healthy("alpha", 1)[0].run_id == "alpha-7"


def test_report_needs_matplotlib_and_says_how_to_install_it(
    tmp_path: Path, history_file: Path
) -> None:
    """Run the command in a Python where matplotlib cannot be imported."""
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from newscrawl.cli import main\n"
        f"sys.exit(main(['health', '--history', {str(history_file)!r}, '-o', 'r.html']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "pip install 'newscrawl[health]'" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_html_report_is_self_contained_and_deterministic(history_file: Path) -> None:
    when = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    with SQLiteRunHistory(history_file) as history:
        first = html_report(history, SITES, 50, "state/health.sqlite3", generated_at=when)
        second = html_report(history, SITES, 50, "state/health.sqlite3", generated_at=when)
    assert first == second
    document = lxml.html.fromstring(first.encode("utf-8"))
    assert not document.xpath("//script | //link | //iframe | //img | //object")
    assert not re.search(r"""(?:src|href)=["']https?://(?!news\.example\.cn)""", first)
    assert "@import" not in first and "url(http" not in first
    ids = document.xpath("//@id")
    assert len(ids) == len(set(ids)), "ids must be unique across the charts"


def test_scoped_ids_keep_references() -> None:
    svg = '<svg><defs><path id="m1"/></defs><use xlink:href="#m1"/><g clip-path="url(#c)"/></svg>'
    assert scope_ids(svg, "s") == (
        '<svg><defs><path id="s-m1"/></defs><use xlink:href="#s-m1"/><g clip-path="url(#c)"/></svg>'
    )


def test_report_in_chromium(tmp_path: Path, history_file: Path) -> None:
    report = tmp_path / "out" / "report.html"
    assert main(["health", "--history", str(history_file), "-o", str(report)]) == 0
    page = visit(
        report.as_uri(),
        tmp_path / "chromium-profile",
        script=DOM_SCRIPT,
        screenshot=tmp_path / "health-report.png",
    )
    assert page.errors == []
    assert page.requests == [report.as_uri()], "the report must load nothing else"
    dom = page.result
    assert dom["sites"] == list(SITES)
    assert dom["charts"] == list(SITES)
    assert dom["svgs"] == len(SITES)
    assert sorted(dom["markers"]) == ["alpha", "beta"]
    assert sorted(dom["markerLinks"]) == ["#alarms-alpha-alpha-7", "#alarms-beta-beta-7"]
    assert dom["alarmRuns"] == ["alarms-alpha-alpha-7", "alarms-beta-beta-7"]
    assert set(dom["alarmFields"]) == {"authors"}
    assert all(height > 300 for height in dom["chartHeights"])
    png = (tmp_path / "health-report.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 50_000


def test_console_errors_and_requests_are_seen(tmp_path: Path) -> None:
    """The browser check is not blind: an error and a failed load on a page are reported."""
    page_file = tmp_path / "bad.html"
    page_file.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><img src="missing.png">'
        "<script>console.error('boom')</script>",
        "utf-8",
    )
    page = visit(page_file.as_uri(), tmp_path / "profile")
    assert "console.error: boom" in page.errors
    assert any("ERR_FILE_NOT_FOUND" in error for error in page.errors)
    assert (tmp_path / "missing.png").as_uri() in page.requests
