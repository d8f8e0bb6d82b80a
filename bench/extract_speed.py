"""Extraction speed: newscrawl's extract + normalise path against one lxml parse,
trafilatura and readability-lxml, on the same pages, in one process.

Sets:

* ``dzwww``: realistic dzwww article pages, 60-100 KB as the portal serves them
  (the first ``--portal-pages`` articles of the replica's synthetic portal,
  ``testing/synthetic.py``, in the variant-C markup of the replica),
  read with the dzwww profile (``extract_page(url, body, ctype, profile.selectors)``
  + the article assembly).
* ``dzwww fixtures``: the replica's hand-written article pages
  (``newscrawl/replica/site/**/t*.htm*``, 5-16 KB: template chrome cut down to
  what the tests need), same path. Reported, not a goal: on pages this small a
  parse is so cheap that the per-record constant costs decide the ratio.
* ``zh-dev``: the pages of ``../shared/corpus/zh-dev/pages/*.html``, read by the
  generic extractor (``extract_page(..., None)`` + the article assembly).
  Skipped with a message when ``../shared`` is absent.

Each round times every contender over a whole set (repeated so that one sample
lasts at least 0.3 s), in a rotating order, so that machine noise hits all of
them alike; the table gives the median of the rounds.
Times are CPU time of this process (``time.process_time``): every contender is
single-threaded, and CPU time is less disturbed than wall time by other load.

Goals (exit code 1 when one is missed): dzwww ≥ 0.25 × parse-only pages/s;
zh-dev generic ≥ 5 × trafilatura and ≥ 2 × readability pages/s.

Before timing, every contender reads every page of a set once: one that is not
installed, raises on every page or returns nothing on every page stops the
benchmark with the reason (exit code 2); no ratio is given for it.

    .venv/bin/python bench/extract_speed.py [--rounds 7] [--quick] [--profile]

Exit code 1 when a goal is missed, 2 when a contender failed.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
from common import (
    ROOT,
    ContenderFailed,
    SyntheticPortal,
    dzwww_profile,
    goal_line,
    median,
    print_header,
    report_failures,
    table,
)

from newscrawl.assemble import ArticleAssembly
from newscrawl.extraction import extract_page
from newscrawl.record import RecordOptions

REPLICA_SITE = ROOT / "newscrawl" / "replica" / "site"
ZH_DEV = ROOT.parent / "shared" / "corpus" / "zh-dev" / "pages"
CRAWLED_AT = "2025-11-01T00:00:00+00:00"
MIN_SAMPLE_S = 0.3


@dataclass
class Page:
    """One input page: URL, raw bytes, Content-Type header and the input third parties get."""

    url: str
    body: bytes
    content_type: str
    other_input: bytes | str


@dataclass
class Contender:
    """A named way of reading one page."""

    name: str
    run: Callable[[Page], Any]
    has_content: Callable[[Any], bool]
    """Whether what ``run`` returned holds extracted text."""
    requires: str | None = None
    """The module the contender needs (imported before the first page)."""
    failures: int = 0
    passes: int = 1
    """Passes over the set per timed sample (so that each sample lasts ≥ MIN_SAMPLE_S)."""
    rates: list[float] = field(default_factory=list)


def replica_pages() -> list[Page]:
    """The replica's article pages (sub-site = first path segment), as a crawl would get them."""
    pages = []
    for path in sorted(REPLICA_SITE.rglob("t*.htm*")):
        if path.name.endswith(".headers.json"):
            continue
        rel = path.relative_to(REPLICA_SITE).as_posix()
        sub, _, rest = rel.partition("/")
        content_type = "text/html"
        sidecar = path.with_name(path.name + ".headers.json")
        if sidecar.exists():
            headers = json.loads(sidecar.read_text(encoding="utf-8"))
            content_type = next(
                (v for k, v in headers.items() if k.lower() == "content-type"), content_type
            )
        body = path.read_bytes()
        pages.append(Page(f"https://{sub}.dzwww.com/{rest}", body, content_type, body))
    return pages


def portal_pages(count: int) -> list[Page]:
    """The first ``count`` article pages of the synthetic portal, as a crawl would get them."""
    portal = SyntheticPortal(articles=count)
    pages = []
    for path in portal.article_paths()[:count]:
        _, headers, body = portal.render(path)
        sub, _, rest = path.lstrip("/").partition("/")
        content_type = headers.get("Content-Type", "text/html")
        pages.append(Page(f"https://{sub}.dzwww.com/{rest}", body, content_type, body))
    return pages


def corpus_pages(directory: Path) -> list[Page]:
    """The zh-dev pages: stored as UTF-8 whatever their ``<meta>`` says.

    newscrawl gets the bytes with ``Content-Type: text/html; charset=utf-8`` and
    decodes them itself; the other contenders get the text already decoded.
    """
    pages = []
    for path in sorted(directory.glob("*.html")):
        body = path.read_bytes()
        url = None
        truth = path.with_suffix(".json")
        if truth.exists():
            url = json.loads(truth.read_text(encoding="utf-8")).get("url")
        url = url or f"https://example.invalid/{path.name}"
        text = body.decode("utf-8", errors="replace")
        pages.append(Page(url, body, "text/html; charset=utf-8", text))
    return pages


def newscrawl_reader(profile: Any) -> Callable[[Page], Any]:
    """extract_page + the article assembly, with the profile (site path) or without (generic)."""
    site = profile.name if profile is not None else "generic"
    options = RecordOptions.for_profile(profile)

    def run(page: Page) -> Any:
        fields = extract_page(
            page.url, page.body, page.content_type, profile.selectors if profile else None
        )
        return ArticleAssembly(fields, site=site, crawled_at=CRAWLED_AT).record(options)

    return run


def parse_only(page: Page) -> Any:
    """One lxml parse of the page: the floor."""
    return lxml.html.fromstring(page.other_input)


def trafilatura_reader(page: Page) -> Any:
    """trafilatura's main-text and metadata extraction (its defaults otherwise)."""
    import trafilatura

    return trafilatura.bare_extraction(page.other_input, url=page.url, with_metadata=True)


def readability_reader(page: Page) -> Any:
    """readability-lxml's main-content summary."""
    from readability import Document

    return Document(page.other_input).summary()


def _record_has_body(record: Any) -> bool:
    return bool(record.get("title") and record.get("body"))


def _trafilatura_has_text(result: Any) -> bool:
    text = result.get("text") if isinstance(result, dict) else getattr(result, "text", None)
    return bool(text and text.strip())


def _readability_has_text(summary: Any) -> bool:
    return bool(summary) and bool(lxml.html.fromstring(summary).text_content().strip())


def contenders(profile: Any) -> list[Contender]:
    """The four contenders for one set."""
    return [
        Contender("lxml parse only", parse_only, lambda tree: len(tree) > 0),
        Contender("newscrawl", newscrawl_reader(profile), _record_has_body),
        Contender("trafilatura", trafilatura_reader, _trafilatura_has_text, "trafilatura"),
        Contender("readability", readability_reader, _readability_has_text, "readability"),
    ]


def not_installed(entries: list[Contender]) -> list[str]:
    """Why contenders cannot run here: the module each needs does not import."""
    failures = []
    for entry in entries:
        if entry.requires is None:
            continue
        try:
            importlib.import_module(entry.requires)
        except ImportError as exc:
            failures.append(
                f"{entry.name}: not installed ({exc}); "
                "install the bench extra: pip install -e '.[bench]'"
            )
    return failures


def check_contenders(label: str, pages: list[Page], entries: list[Contender]) -> None:
    """Read every page once with every contender; raise :class:`ContenderFailed` for one
    that raises on every page or extracts nothing from any page."""
    failures = []
    for entry in entries:
        errors: list[str] = []
        empty = 0
        for page in pages:
            try:
                result = entry.run(page)
            except Exception as exc:
                errors.append(f"{page.url}: {type(exc).__name__}: {exc}")
                continue
            if not entry.has_content(result):
                empty += 1
        entry.failures = len(errors)
        if len(errors) == len(pages):
            failures.append(f"{entry.name} ({label}): raised on every page; first: {errors[0]}")
        elif empty + len(errors) == len(pages):
            failures.append(f"{entry.name} ({label}): extracted no text from any page")
    if failures:
        raise ContenderFailed("\n".join(failures))


def time_once(contender: Contender, pages: list[Page]) -> float:
    """Pages per CPU second over ``contender.passes`` passes (failing pages count as read)."""
    gc.collect()
    failures = 0
    start = time.process_time()
    for _ in range(contender.passes):
        for page in pages:
            try:
                contender.run(page)
            except Exception:
                failures += 1
    elapsed = time.process_time() - start
    contender.failures = max(contender.failures, failures // contender.passes)
    return len(pages) * contender.passes / elapsed


def measure(pages: list[Page], entries: list[Contender], rounds: int) -> None:
    """A warm-up pass (which sets the passes per sample), then ``rounds`` rounds of every
    contender in rotating order."""
    for entry in entries:
        rate = time_once(entry, pages)
        entry.passes = max(1, math.ceil(MIN_SAMPLE_S * rate / len(pages)))
    for round_no in range(rounds):
        shift = round_no % len(entries)
        for entry in entries[shift:] + entries[:shift]:
            entry.rates.append(time_once(entry, pages))


def paired_ratio(entries: list[Contender], name: str, other: str) -> float:
    """Median over rounds of ``name``'s pages/s divided by ``other``'s in the same round."""
    rates = {e.name: e.rates for e in entries}
    return median([a / b for a, b in zip(rates[name], rates[other], strict=True)])


def report(label: str, pages: list[Page], entries: list[Contender]) -> dict[str, float]:
    """Print the table of one set; returns the median pages/s per contender."""
    medians = {e.name: median(e.rates) for e in entries}
    floor = medians["lxml parse only"]
    mb = sum(len(p.body) for p in pages) / 1e6
    rows = [
        [
            e.name,
            f"{medians[e.name]:.1f}",
            f"{min(e.rates):.1f} – {max(e.rates):.1f}",
            f"{1000 / medians[e.name]:.2f}",
            f"{medians[e.name] / floor:.3f}",
            e.failures,
        ]
        for e in entries
    ]
    passes = ", ".join(f"{e.name} {e.passes}" for e in entries)
    print(f"## {label}: {len(pages)} pages, {mb:.2f} MB, {len(entries[0].rates)} rounds")
    print()
    print(f"passes over the set per sample: {passes}")
    print()
    headers = ["contender", "pages/s (median)", "min – max", "ms/page", "× parse-only", "errors"]
    print(table(headers, rows))
    print()
    return medians


def profile_newscrawl(pages: list[Page], profile: Any, label: str, repeat: int) -> None:
    """pyinstrument profile of the newscrawl contender over the set (printed)."""
    from pyinstrument import Profiler

    run = newscrawl_reader(profile)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        for page in pages:
            run(page)
    profiler.stop()
    print(f"## profile of newscrawl on {label} ({repeat} passes)")
    print()
    print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when a goal is missed, 2 when a contender failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--quick", action="store_true", help="3 rounds (smoke run)")
    parser.add_argument("--corpus", type=Path, default=ZH_DEV, help="zh-dev pages directory")
    parser.add_argument(
        "--portal-pages", type=int, default=60, help="synthetic dzwww pages (default 60)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a pyinstrument profile of newscrawl"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds

    print_header("Extraction speed: one record, in-process", sys.argv)
    profile = dzwww_profile()
    results: dict[str, Any] = {"rounds": rounds}
    goals: list[tuple[str, bool]] = []

    dz_pages, dz = portal_pages(args.portal_pages), contenders(profile)
    fixture_pages, fixtures = replica_pages(), contenders(profile)
    sets = [("dzwww portal pages", dz_pages, dz), ("dzwww fixture pages", fixture_pages, fixtures)]
    zh_pages, zh = None, None
    if args.corpus.is_dir() and any(args.corpus.glob("*.html")):
        zh_pages, zh = corpus_pages(args.corpus), contenders(None)
        sets.append(("zh-dev", zh_pages, zh))
    failures = not_installed(dz)
    if args.profile:
        try:
            importlib.import_module("pyinstrument")
        except ImportError as exc:
            failures.append(f"--profile: pyinstrument is not installed ({exc})")
    for label, pages, entries in sets if not failures else []:
        try:
            check_contenders(label, pages, entries)
        except ContenderFailed as failed:
            failures += str(failed).splitlines()
    if failures:
        return report_failures(failures)

    measure(dz_pages, dz, rounds)
    dz_medians = report("(a) dzwww portal pages, site profile", dz_pages, dz)
    results["dzwww"] = dz_medians
    ratio = dz_medians["newscrawl"] / dz_medians["lxml parse only"]
    goals.append(goal_line("dzwww site-profile extraction / parse-only", ratio, ">=", 0.25))
    paired = [f"dzwww / parse-only {paired_ratio(dz, 'newscrawl', 'lxml parse only'):.3g}"]

    measure(fixture_pages, fixtures, rounds)
    fixture_medians = report("(a2) dzwww fixture pages, site profile", fixture_pages, fixtures)
    results["dzwww fixtures"] = fixture_medians
    fixture_ratio = fixture_medians["newscrawl"] / fixture_medians["lxml parse only"]
    reported = [f"dzwww fixture pages / parse-only: {fixture_ratio:.3g}"]

    zh_medians = None
    if zh_pages is not None and zh is not None:
        measure(zh_pages, zh, rounds)
        zh_medians = report("(b) zh-dev corpus, generic extractor", zh_pages, zh)
        results["zh-dev"] = zh_medians
        to_traf = zh_medians["newscrawl"] / zh_medians["trafilatura"]
        to_read = zh_medians["newscrawl"] / zh_medians["readability"]
        goals.append(goal_line("zh-dev generic / trafilatura", to_traf, ">=", 5))
        goals.append(goal_line("zh-dev generic / readability", to_read, ">=", 2))
        paired.append(f"zh-dev / trafilatura {paired_ratio(zh, 'newscrawl', 'trafilatura'):.3g}")
        paired.append(f"zh-dev / readability {paired_ratio(zh, 'newscrawl', 'readability'):.3g}")
    else:
        print(f"## (b) zh-dev corpus: SKIPPED, {args.corpus} is absent")
        print()

    print("## goals")
    print()
    for text, _ in goals:
        print(text)
    print()
    print("reported, no goal (small pages: the per-record constant costs decide):")
    print("; ".join(reported))
    print()
    print("goals use the ratio of the median pages/s; the median of the per-round ratios:")
    print("; ".join(paired))
    print()
    if args.profile:
        profile_newscrawl(dz_pages, profile, "dzwww portal pages", 2)
        if zh_medians is not None:
            profile_newscrawl(corpus_pages(args.corpus), None, "zh-dev corpus", 1)
    if args.json:
        results["goals"] = {text: met for text, met in goals}
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
