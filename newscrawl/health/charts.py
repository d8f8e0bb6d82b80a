"""One SVG chart per site: the run history over time, drift alarms marked.

Drawn with matplotlib (the ``health`` extra) into inline SVG: text stays text (the
browser renders it with its own fonts, so no font has to be installed for the
report), ids are scoped per chart and the output is byte-for-byte deterministic.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

from newscrawl.runs.history import RunSummary

INSTALL_HINT = "pip install 'newscrawl[health]'"

#: Fields drawn in the coverage panel.
CHART_FIELDS = ("title", "published_date", "source", "authors", "credits", "body", "images")
_MAX_WARNINGS = 6
_ALARM_COLOUR = "#c62828"
_ID = re.compile(r'\bid="([^"]+)"')


class PlottingUnavailable(RuntimeError):
    """matplotlib is not installed."""

    def __init__(self) -> None:
        super().__init__(f"the HTML report needs matplotlib: {INSTALL_HINT}")


def _matplotlib() -> tuple[Any, Any, Any, Any]:
    try:
        import matplotlib
        from matplotlib import dates, ticker
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise PlottingUnavailable() from exc
    return matplotlib, dates, ticker, Figure


def check_available() -> None:
    """Raise :class:`PlottingUnavailable` when charts cannot be drawn."""
    _matplotlib()


def _time(run: RunSummary) -> dt.datetime:
    return dt.datetime.fromisoformat(run.started_at).replace(tzinfo=None)


def alarm_anchor(site: str, run: RunSummary) -> str:
    """The HTML id of a run's alarm list (charts link to it)."""
    return f"alarms-{site}-{run.run_id}"


def _warning_names(runs: Sequence[RunSummary]) -> list[str]:
    peak: dict[str, float] = {}
    for run in runs:
        for warning in run.stats.warnings:
            peak[warning] = max(peak.get(warning, 0.0), run.stats.warning_share(warning))
    return sorted(peak, key=lambda w: (-peak[w], w))[:_MAX_WARNINGS]


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id an SVG defines (and its references), so charts can share a page."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg

    def reference(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}-{name}" if name in ids else match.group(0)

    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return re.sub(r'(url\(#|href="#)([^")]+)', reference, svg)


def site_chart(site: str, runs: Sequence[RunSummary]) -> str:
    """Inline SVG of a site's runs (oldest to newest): size, errors, coverage, body, warnings."""
    matplotlib, mdates, ticker, Figure = _matplotlib()
    runs = sorted(runs, key=lambda r: r.started_at)
    times = [_time(r) for r in runs]
    rc = {
        "svg.fonttype": "none",
        "svg.hashsalt": f"newscrawl-{site}",
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.grid": True,
        "grid.alpha": 0.3,
    }
    with matplotlib.rc_context(rc):
        figure = Figure(figsize=(10, 9.5))
        figure.subplots_adjust(left=0.08, right=0.82, top=0.96, bottom=0.06, hspace=0.12)
        axes = figure.subplots(5, 1, sharex=True)
        size, errors, coverage, body, warnings = axes

        size.plot(times, [r.records for r in runs], marker="o", label="records")
        size.set_ylabel("records")
        size.set_title(f"{site}: {len(runs)} runs", loc="left", fontsize=11)
        size.set_ylim(bottom=0)

        errors.plot(times, [r.errors for r in runs], marker="o", color="#ef6c00", label="errors")
        errors.set_ylabel("failed fetches")
        errors.set_ylim(0, max([r.errors for r in runs] or [0]) + 1)
        errors.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))

        for name in CHART_FIELDS:
            shares = [100 * r.stats.coverage(name) if r.records else None for r in runs]
            coverage.plot(times, shares, marker=".", label=name)
        coverage.set_ylabel("field coverage %")
        coverage.set_ylim(-5, 105)
        coverage.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)

        quartiles = [r.stats.quartiles("body_chars") for r in runs]
        lows = [q[0] if q[0] is not None else float("nan") for q in quartiles]
        medians = [q[1] if q[1] is not None else float("nan") for q in quartiles]
        highs = [q[2] if q[2] is not None else float("nan") for q in quartiles]
        body.fill_between(times, lows, highs, alpha=0.25, label="quartiles")
        body.plot(times, medians, marker="o", label="median")
        body.set_ylabel("body characters")
        body.set_ylim(bottom=0)
        body.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)

        names = _warning_names(runs)
        for name in names:
            warnings.plot(
                times,
                [100 * r.stats.warning_share(name) for r in runs],
                marker=".",
                label=name,
            )
        warnings.set_ylabel("warnings % of records")
        warnings.set_ylim(-5, 105)
        if names:
            warnings.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)

        top = max([r.records for r in runs] or [1]) or 1
        for index, run in enumerate(runs):
            if not run.alarms:
                continue
            for panel, ax in enumerate(axes):
                line = ax.axvline(times[index], color=_ALARM_COLOUR, linewidth=1.2, alpha=0.7)
                line.set_gid(f"alarm-line-{index}-{panel}")
            marker = size.scatter(
                [times[index]], [top * 1.08], marker="v", s=90, color=_ALARM_COLOUR, zorder=5
            )
            marker.set_gid(f"alarm-marker-{index}")
            marker.set_urls(["#" + alarm_anchor(site, run)])
        size.set_ylim(0, top * 1.2)

        if len(runs) == 1:
            size.set_xlim(times[0] - dt.timedelta(hours=1), times[0] + dt.timedelta(hours=1))
        locator = mdates.AutoDateLocator()
        warnings.xaxis.set_major_locator(locator)
        warnings.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        warnings.set_xlabel("run start (UTC)")

        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return scope_ids(svg, f"chart-{site}")
