"""Where pages are extracted (inline, worker threads, worker processes) changes nothing else."""

from __future__ import annotations

import asyncio
import json
import threading
from urllib.parse import urlsplit

import pytest

from newscrawl import assemble
from newscrawl.assemble import PageExtractor, selector_spec
from newscrawl.extraction import extract_page
from newscrawl.replica import REPLICA_CHANNELS
from newscrawl.sites import get_profile
from tests.conftest import ROOT, run_crawl
from tests.replica_pages import comparable, expected_pages, fetch_local
from tests.test_dzwww_extraction import FIELDS

DZWWW = get_profile("dzwww")
LISTS = json.loads((ROOT / "tests/expected/dzwww/_lists.json").read_text(encoding="utf-8"))
EXPECTED = {"/" + p.path: p.expected for p in expected_pages()}
PAGES = [(page.url, *fetch_local(page.url)) for page in expected_pages()]


def _extract_all(extractor: PageExtractor) -> list:
    async def run() -> list:
        jobs = [extractor.extract(url, body, ct, DZWWW.selectors) for url, body, ct in PAGES]
        return await asyncio.gather(*jobs)

    try:
        return asyncio.run(run())
    finally:
        extractor.close()


@pytest.mark.parametrize(
    "workers", [{}, {"threads": 2}, {"processes": 1}], ids=["inline", "threads", "processes"]
)
def test_every_page_extracts_the_same_wherever_it_runs(workers: dict[str, int]) -> None:
    expected = [extract_page(url, body, ct, DZWWW.selectors) for url, body, ct in PAGES]
    assert _extract_all(PageExtractor(**workers)) == expected


def test_selectors_cross_to_worker_processes_by_their_texts() -> None:
    rebuilt = assemble._selectors_from_spec(selector_spec(DZWWW.selectors))
    assert rebuilt == DZWWW.selectors
    assert rebuilt.compiled.keys() == DZWWW.selectors.compiled.keys()


def test_no_more_pages_pending_than_allowed(monkeypatch) -> None:
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def slow_extract(*args):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(5)
        with lock:
            running[0] -= 1
        return extract_page(*args)

    monkeypatch.setattr(assemble, "extract_page", slow_extract)
    extractor = PageExtractor(threads=4, max_pending=2)

    async def run() -> None:
        jobs = [
            asyncio.ensure_future(extractor.extract(url, body, ct, DZWWW.selectors))
            for url, body, ct in PAGES[:6]
        ]
        await asyncio.sleep(0.3)
        assert peak[0] == 2  # four threads, but only two pages handed over
        release.set()
        await asyncio.gather(*jobs)

    try:
        asyncio.run(run())
    finally:
        extractor.close()
    assert peak[0] == 2


def test_workers_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        PageExtractor(threads=-1)


@pytest.mark.parametrize(
    "settings",
    [
        {"NEWSCRAWL_EXTRACT_THREADS": "0", "NEWSCRAWL_ARCHIVE_THREAD": "1"},
        {"NEWSCRAWL_EXTRACT_PROCESSES": "2"},
    ],
    ids=["archive-thread", "processes"],
)
def test_a_crawl_exports_the_same_records_with_other_workers(replica, tmp_path, settings) -> None:
    start = "start_urls=" + ",".join(replica.url + c for c in REPLICA_CHANNELS)
    crawl = run_crawl(tmp_path, "-a", start, server=replica, settings=settings)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats.get("log_count/ERROR", 0) == 0, crawl.log[-3000:]
    paths = sorted(urlsplit(r["url"]).path for r in crawl.records)
    assert paths == sorted(LISTS["all_articles"])
    for record in crawl.records:
        expected = EXPECTED[urlsplit(record["url"]).path]
        got = comparable(record)
        for field in FIELDS:
            assert got[field] == expected[field], (record["url"], field)
    archived = sorted((tmp_path / "archive").glob("*.warc.gz"))
    assert archived and all(r["archive"]["file"] == archived[0].name for r in crawl.records)
