"""The health report: a table of recent runs per site, in the terminal or as offline HTML.

The HTML file is self-contained: inline CSS and inline SVG charts, no script, no
request to any server, so it opens from disk anywhere. See docs/health.md.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newscrawl.health.charts import alarm_anchor, site_chart
from newscrawl.runs.drift import Alarm
from newscrawl.runs.history import RunHistory, RunSummary
from newscrawl.runs.sketches import Example

#: Coverage columns of the run table: (record field, column heading).
TABLE_FIELDS = (
    ("title", "title"),
    ("published_date", "date"),
    ("source", "source"),
    ("authors", "authors"),
    ("credits", "credits"),
    ("body", "body"),
)


@dataclass(frozen=True)
class RunRow:
    """One run as the report shows it."""

    started: str
    run_id: str
    records: int
    errors: int
    exit_code: str
    drift: str
    coverage: tuple[str, ...]
    body_median: str
    alarm_fields: str

    @classmethod
    def of(cls, run: RunSummary) -> RunRow:
        median = run.stats.median("body_chars")
        started = dt.datetime.fromisoformat(run.started_at).strftime("%Y-%m-%d %H:%M:%S")
        return cls(
            started=started,
            run_id=run.run_id,
            records=run.records,
            errors=run.errors,
            exit_code="–" if run.exit_code is None else str(run.exit_code),
            drift=run.drift_status or "–",
            coverage=tuple(
                f"{run.stats.coverage(name):.0%}" if run.records else "–"
                for name, _ in TABLE_FIELDS
            ),
            body_median="–" if median is None else f"{median:.0f}",
            alarm_fields=", ".join(dict.fromkeys(a.field for a in run.alarms)) or "–",
        )


HEADINGS = (
    "started (UTC)",
    "run",
    "records",
    "errors",
    "exit",
    "drift",
    *(heading for _, heading in TABLE_FIELDS),
    "body median",
    "alarms",
)


def _cells(row: RunRow) -> list[str]:
    return [
        row.started,
        row.run_id,
        str(row.records),
        str(row.errors),
        row.exit_code,
        row.drift,
        *row.coverage,
        row.body_median,
        row.alarm_fields,
    ]


def text_report(history: RunHistory, sites: Sequence[str], runs: int) -> str:
    """The terminal table: per site, its latest runs, newest first."""
    out: list[str] = []
    for site in sites:
        recent = history.recent(site, runs)
        healthy = sum(1 for run in recent if run.healthy)
        drifted = sum(1 for run in recent if run.alarms)
        out.append(
            f"{site}: {len(recent)} latest runs, {healthy} healthy, {drifted} with drift alarms"
        )
        table = [list(HEADINGS), *(_cells(RunRow.of(run)) for run in recent)]
        widths = [max(len(row[i]) for row in table) for i in range(len(HEADINGS))]
        for row in table:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            out.append("  ".join(cells).rstrip())
        for run in recent[:1]:
            for alarm in run.alarms:
                out.append(f"  latest run: {alarm.summary()}")
        out.append("")
    return "\n".join(out)


# -- HTML -------------------------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
  "PingFang SC", sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222;
  padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
.meta, .summary { color: #555; }
figure.chart { margin: 1em 0; }
figure.chart svg { width: 100%; height: auto; }
ol.alarms { padding-left: 1.5em; }
li.alarm { margin: 0.6em 0; padding: 0.4em 0.6em; border-left: 4px solid #c62828;
  background: #fff5f5; }
li.alarm .field { font-weight: bold; color: #c62828; }
li.alarm .selectors { color: #6a1b9a; }
ul.examples { margin: 0.3em 0; font-size: 0.92em; }
table.runs { border-collapse: collapse; font-size: 0.9em; width: 100%; }
table.runs th, table.runs td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; }
table.runs th { background: #f3f3f3; }
table.runs td.text { text-align: left; }
table.runs tr.drifted td { background: #fff0f0; }
table.runs tr.unhealthy td { background: #fff8e1; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _file_link(path: str | None, label: str) -> str:
    if not path or "://" in path:
        return _e(label)
    return f'<a href="{_e(Path(path).resolve().as_uri())}">{_e(label)}</a>'


def _example_html(example: Example, data_file: str | None) -> str:
    parts = [f'<a class="record" href="{_e(example.url)}">{_e(example.url)}</a>']
    if example.id:
        parts.append(f"id <code>{_e(example.id)}</code>")
    if example.line:
        name = Path(data_file).name if data_file else "data file"
        parts.append(_file_link(data_file, f"line {example.line} of {name}"))
    return "<li>" + " · ".join(parts) + "</li>"


def _alarm_html(alarm: Alarm, run: RunSummary) -> str:
    message = alarm.message.removeprefix(f"{alarm.field}: ")
    rows = [
        f'<li class="alarm" data-field="{_e(alarm.field)}" data-check="{_e(alarm.check)}">',
        f'<span class="field">{_e(alarm.field)}</span> <span class="check">({_e(alarm.check)})'
        f"</span>: {_e(message)}",
    ]
    if alarm.selectors:
        rows.append(f'<div class="selectors">selectors: {_e("; ".join(alarm.selectors))}</div>')
    if alarm.examples:
        examples = "".join(_example_html(e, run.data_file) for e in alarm.examples)
        rows.append(f'<ul class="examples">{examples}</ul>')
    rows.append("</li>")
    return "".join(rows)


def _runs_table(runs: Sequence[RunSummary]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in HEADINGS)
    body = []
    text_columns = {0, 1, 5, len(HEADINGS) - 1}
    for run in runs:
        row = RunRow.of(run)
        cells = _cells(row)
        css = "drifted" if run.alarms else ("" if run.healthy else "unhealthy")
        tds = []
        for index, cell in enumerate(cells):
            klass = ' class="text"' if index in text_columns else ""
            content = _file_link(run.data_file, cell) if index == 1 else _e(cell)
            tds.append(f"<td{klass}>{content}</td>")
        body.append(f'<tr class="{css}">' + "".join(tds) + "</tr>")
    return (
        f'<table class="runs"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _site_html(site: str, runs: Sequence[RunSummary]) -> str:
    parts = [f'<section class="site" id="site-{_e(site)}" data-site="{_e(site)}">']
    parts.append(f"<h2>{_e(site)}</h2>")
    if not runs:
        parts.append('<p class="summary">No runs recorded.</p></section>')
        return "".join(parts)
    drifted = [run for run in runs if run.alarms]
    latest = runs[0]
    parts.append(
        f'<p class="summary">{len(runs)} runs from {_e(runs[-1].started_at[:19])} to '
        f"{_e(latest.started_at[:19])} UTC; {len(drifted)} with drift alarms. Latest run: "
        f"exit {_e(latest.exit_code if latest.exit_code is not None else '–')}, "
        f"{latest.records} records, drift {_e(latest.drift_status or '–')}.</p>"
    )
    parts.append(
        f'<figure class="chart" data-site="{_e(site)}">{site_chart(site, runs)}'
        "<figcaption>Per run: records exported, failed fetches, field coverage, body length "
        "(median and quartiles), warnings. Red lines and ▼ mark runs with drift alarms "
        "(click a ▼ for its alarms).</figcaption></figure>"
    )
    parts.append("<h3>Drift alarms</h3>")
    if not drifted:
        parts.append('<p class="no-alarms">None in these runs.</p>')
    for run in drifted:
        stamp = _e(run.started_at[:19].replace("T", " "))
        alarms = "".join(_alarm_html(alarm, run) for alarm in run.alarms)
        parts.append(
            f'<div class="alarm-run" id="{_e(alarm_anchor(site, run))}">'
            f"<h4>Run {_e(run.run_id)} ({stamp} UTC, exit "
            f"{_e(run.exit_code if run.exit_code is not None else '–')})</h4>"
            f'<ol class="alarms">{alarms}</ol></div>'
        )
    parts.append("<h3>Recent runs</h3>")
    parts.append(_runs_table(runs))
    parts.append("</section>")
    return "".join(parts)


def html_report(
    history: RunHistory,
    sites: Sequence[str],
    runs: int,
    source: str = "",
    generated_at: dt.datetime | None = None,
) -> str:
    """The whole report as one self-contained HTML document."""
    generated = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = [_site_html(site, history.recent(site, runs)) for site in sites]
    nav = " · ".join(f'<a href="#site-{_e(s)}">{_e(s)}</a>' for s in sites)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>newscrawl health report</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<h1>newscrawl health</h1>\n<p class="meta">Generated {_e(generated)}'
        f"{' from ' + _e(source) if source else ''}. Sites: {nav}</p>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )
