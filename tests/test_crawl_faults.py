"""Faults met through the real crawler: every page not used is counted, listed and retried.

Each test crawls a channel or two of the fault-injecting portal (testing/faults.py) with
``scrapy crawl`` as a user would, then reads what the run left: exit code, exported
records, the run manifest, the state store. docs/reliability.md has a row per case.
Timeouts and retries are shortened with settings so that each crawl takes seconds.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from newscrawl.replica import ReplicaServer
from newscrawl.replica.server import DEFAULT_ROOT
from newscrawl.runs.monitor import EXIT_ERROR_RATE, EXIT_HEALTHY, EXIT_PORTAL_UNREACHABLE
from newscrawl.runs.state import SQLiteStateStore
from testing.faults import FaultServer
from testing.synthetic import SyntheticPortal, SyntheticServer
from tests.conftest import CrawlResult, run_crawl
from tests.replica_pages import expected_lists

LISTS = expected_lists()
YW = "www/news/yw/"  # 6 articles, one list page after the channel page
JRTT = "www/finance/jrtt/"  # 5 articles, 2 of them also linked from YW
SDNEWS = "sd/sdnews/"  # 7 articles (one on three pages) and one robots.txt forbids
YW_ARTICLES = LISTS["channels"]["/" + YW]
JRTT_ARTICLES = LISTS["channels"]["/" + JRTT]
SD_ARTICLES = LISTS["channels"]["/" + SDNEWS]
THREE_PAGES = "/sd/sdnews/202406/t20240615_15000001.htm"
FAST = {"DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "1"}


def _paths(records: list[dict]) -> list[str]:
    return sorted(urlsplit(r["url"]).path for r in records)


def _manifest(tmp_path: Path) -> dict:
    found = sorted(tmp_path.glob("*.manifest.json"), key=lambda p: p.stat().st_mtime)
    assert found, "the run wrote no manifest"
    return json.loads(found[-1].read_text("utf-8"))


def _failed(manifest: dict) -> dict[str, str]:
    """{URL path: reason} of the failed URLs the manifest lists."""
    return {urlsplit(e["url"]).path: e["reason"] for e in manifest["failures"]["urls"]}


def _crawl(
    tmp_path: Path, server, channels: list[str], settings: dict | None = None, **kwargs
) -> CrawlResult:
    start = "start_urls=" + ",".join(server.url + c for c in channels)
    return run_crawl(tmp_path, "-a", start, server=server, settings=settings, **kwargs)


def _archived(tmp_path: Path) -> dict[str, list[tuple[int, int, str | None]]]:
    """{URL path: [(status, raw payload bytes, Content-Encoding) of each response record]}."""
    found: dict[str, list[tuple[int, int, str | None]]] = {}
    for path in sorted((tmp_path / "archive").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, no_record_parse=False):
                if record.rec_type != "response":
                    continue
                url = urlsplit(record.rec_headers.get_header("WARC-Target-URI")).path
                payload = record.raw_stream.read()
                encoding = record.http_headers.get_header("Content-Encoding")
                status = int(record.http_headers.get_statuscode())
                found.setdefault(url, []).append((status, len(payload), encoding))
    return found


def _known(tmp_path: Path, path: str, port: int) -> bool:
    store = SQLiteStateStore(tmp_path / "state" / "dzwww.sqlite3")
    try:
        return store.get(f"http://127.0.0.1:{port}{path}") is not None
    finally:
        store.close()


@pytest.fixture
def portal():
    with FaultServer() as server:
        yield server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- list pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "reason"),
    [(None, "connection_refused"), ("status:502", "http_502"), ("stall:5", "timeout")],
)
def test_a_portal_that_cannot_be_read_exits_7(
    tmp_path: Path, portal: FaultServer, fault: str | None, reason: str
) -> None:
    if fault is None:
        url = f"http://127.0.0.1:{_closed_port()}/"
        crawl = run_crawl(tmp_path, "-a", f"start_urls={url}{YW},{url}{JRTT}", settings=FAST)
    else:
        portal.set_faults([rf"/(index|default)\.htm$|/$={fault}"])
        crawl = _crawl(tmp_path, portal, [YW, JRTT], FAST)
    assert crawl.returncode == EXIT_PORTAL_UNREACHABLE, crawl.log[-3000:]
    assert crawl.records == []
    manifest = _manifest(tmp_path)
    assert manifest["exit_code"] == EXIT_PORTAL_UNREACHABLE and not manifest["healthy"]
    assert manifest["reasons"][0].startswith(f"none of the 2 list pages could be read ({reason}")
    assert manifest["counts"]["list_pages_failed"] == manifest["counts"]["channels_failed"] == 2
    assert manifest["failures"]["by_reason"] == {reason: 2}
    assert {(urlsplit(e["url"]).path, e["kind"]) for e in manifest["failures"]["urls"]} == {
        ("/" + YW, "list_page"),
        ("/" + JRTT, "list_page"),
    }
    assert "newscrawl: run unhealthy: none of the 2 list pages could be read" in crawl.log


def test_the_portal_back_up_gives_everything(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_faults([r"/$=status:503"])
    down = _crawl(tmp_path, portal, [YW], FAST)
    assert down.returncode == EXIT_PORTAL_UNREACHABLE
    portal.clear_faults()
    up = _crawl(tmp_path, portal, [YW], FAST)
    assert up.returncode == EXIT_HEALTHY
    assert _paths(up.records) == sorted(YW_ARTICLES)


def test_one_channel_down_is_a_degraded_run(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_faults([rf"^/{JRTT}$=status:500"])
    crawl = _crawl(tmp_path, portal, [YW, JRTT], FAST)
    assert crawl.returncode == EXIT_ERROR_RATE, crawl.log[-3000:]
    assert _paths(crawl.records) == sorted(YW_ARTICLES)
    manifest = _manifest(tmp_path)
    assert manifest["reasons"][0].startswith("1 channel pages could not be read")
    assert _failed(manifest) == {"/" + JRTT: "http_500"}
    assert manifest["counts"]["list_pages"] == 2  # YW and its second page


# -- articles -------------------------------------------------------------------------

ARTICLE_FAULTS = {
    YW_ARTICLES[0]: ("status:503", "http_503"),
    YW_ARTICLES[1]: ("stall:5", "timeout"),
    YW_ARTICLES[2]: ("reset", "connection_lost"),
    JRTT_ARTICLES[2]: ("truncate:0.5", "truncated"),
    JRTT_ARTICLES[3]: ("redirect-loop:2", "redirect_loop"),
    JRTT_ARTICLES[4]: ("redirect:http://localhost:{port}{path}", "offsite"),
}


def test_failed_articles_are_counted_listed_and_fetched_by_the_next_run(
    tmp_path: Path, portal: FaultServer
) -> None:
    with ReplicaServer() as other:
        moved = YW_ARTICLES[4]
        rules = [f"{path}$={fault}" for path, (fault, _) in ARTICLE_FAULTS.items()]
        rules.append(f"{moved}$=redirect-port:{other.port}")
        portal.set_faults(rules)
        # both ports allowed by the address check: the crawl's scope alone keeps it out
        settings = {**FAST, "NEWSCRAWL_ALLOWED_ADDRESSES": f"127.0.0.1:{other.port}"}
        settings["NEWSCRAWL_ALLOWED_ADDRESSES"] += f",127.0.0.1:{portal.port}"
        first = _crawl(tmp_path / "first", portal, [YW, JRTT], settings)
        assert other.requests == []
    expected = {path: reason for path, (_, reason) in ARTICLE_FAULTS.items()}
    expected[moved] = "other_port"
    failed = set(expected)
    all_articles = set(YW_ARTICLES) | set(JRTT_ARTICLES)
    assert first.returncode == EXIT_ERROR_RATE, first.log[-3000:]
    assert _paths(first.records) == sorted(all_articles - failed)
    manifest = _manifest(tmp_path / "first")
    assert _failed(manifest) == expected
    assert manifest["counts"]["articles_failed"] == len(failed)
    assert all(e["kind"] == "article" for e in manifest["failures"]["urls"])
    assert manifest["failures"]["by_reason"] == {r: 1 for r in expected.values()}
    assert manifest["ignored"]["count"] == 0
    assert not any(_known(tmp_path / "first", path, portal.port) for path in failed)
    truncated = JRTT_ARTICLES[2]
    assert truncated not in _archived(tmp_path / "first")  # no partial body as if whole

    portal.clear_faults()
    state = {"NEWSCRAWL_STATE_DIR": str(tmp_path / "first" / "state")}
    following = _crawl(tmp_path / "next", portal, [YW, JRTT], {**FAST, **state})
    assert following.returncode == EXIT_HEALTHY
    assert _paths(following.records) == sorted(failed)


NOT_ARTICLES = {
    YW_ARTICLES[0]: ("empty", "empty_page"),
    YW_ARTICLES[1]: ("body:png", "not_html"),
    YW_ARTICLES[2]: ("body:json", "not_html"),
    YW_ARTICLES[3]: ("body:pdf", "not_html"),
    YW_ARTICLES[4]: ("hostile:binary", "not_html"),
    YW_ARTICLES[5]: ("hostile:nested", "parser_limit"),
}


def test_pages_that_are_not_articles_are_failures_not_records(
    tmp_path: Path, portal: FaultServer
) -> None:
    portal.set_faults([f"{path}$={fault}" for path, (fault, _) in NOT_ARTICLES.items()])
    first = _crawl(tmp_path, portal, [YW], FAST)
    assert first.records == []
    assert first.returncode == EXIT_ERROR_RATE
    manifest = _manifest(tmp_path)
    assert _failed(manifest) == {path: reason for path, (_, reason) in NOT_ARTICLES.items()}
    details = {urlsplit(e["url"]).path: e["detail"] for e in manifest["failures"]["urls"]}
    assert details[YW_ARTICLES[1]] == "Content-Type image/png"
    assert details[YW_ARTICLES[4]].startswith("binary bytes")
    assert details[YW_ARTICLES[5]].startswith("Excessive depth in document: 256")
    assert not any(_known(tmp_path, path, portal.port) for path in NOT_ARTICLES)

    portal.clear_faults()
    again = _crawl(tmp_path, portal, [YW], FAST)
    assert again.returncode == EXIT_HEALTHY
    assert _paths(again.records) == sorted(YW_ARTICLES)


def test_hostile_pages_that_parse_are_records(tmp_path: Path, portal: FaultServer) -> None:
    """Billion laughs is not expanded by the HTML parser: a record, not a failure."""
    portal.set_faults([f"{YW_ARTICLES[0]}$=hostile:entities"])
    crawl = _crawl(tmp_path, portal, [YW], FAST)
    assert crawl.returncode == EXIT_HEALTHY
    record = next(r for r in crawl.records if r["url"].endswith(YW_ARTICLES[0]))
    assert record["body"] == "&lol9;"
    assert "newscrawl/failed_urls" not in crawl.stats


# -- sizes, Retry-After, bursts -------------------------------------------------------


def test_oversized_pages_are_failed_as_too_large(tmp_path: Path, portal: FaultServer) -> None:
    """A gzip bomb is stopped at DOWNLOAD_MAXSIZE (16 MiB) while decompressing, a 20 MB
    page before its body is read (peak RSS: bench/fault_matrix.py)."""
    bomb, big = YW_ARTICLES[0], YW_ARTICLES[1]
    portal.set_faults([f"{bomb}$=gzip-bomb:256M", f"{big}$=hostile:text-node,20000000"])
    crawl = _crawl(tmp_path, portal, [YW], FAST)
    assert _paths(crawl.records) == sorted(set(YW_ARTICLES) - {bomb, big})
    manifest = _manifest(tmp_path)
    assert _failed(manifest) == {bomb: "too_large", big: "too_large"}
    details = {urlsplit(e["url"]).path: e["detail"] for e in manifest["failures"]["urls"]}
    assert "exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression" in details[bomb]
    assert "larger than download max size (16777216)" in details[big]
    assert crawl.returncode == EXIT_ERROR_RATE  # 2 failures in 8 pages
    # archived: the bomb as it came over the wire (complete, compressed); never a part
    archived = _archived(tmp_path)
    assert big not in archived
    ((status, size, encoding),) = archived[bomb]
    assert (status, encoding) == (200, "gzip") and size < 1024 * 1024


def test_retry_after_is_honoured_and_bursts_are_retried(
    tmp_path: Path, portal: FaultServer
) -> None:
    waits, capped, forever, burst, bursts = YW_ARTICLES[:5]
    portal.set_faults(
        [
            f"{waits}$=retry-after:1@each1",
            f"{capped}$=retry-after:3600@each1",
            f"{forever}$=retry-after:1",
            f"{burst}$=status:502@each2",
            f"{bursts}$=status:500@each1",
        ]
    )
    settings = {"NEWSCRAWL_RETRY_AFTER_MAX": "1.5", "RETRY_TIMES": "2"}
    started = time.monotonic()
    crawl = _crawl(tmp_path, portal, [YW], settings)
    assert time.monotonic() - started < 60
    assert _paths(crawl.records) == sorted(set(YW_ARTICLES) - {forever})
    assert f"{waits} answered 429 with Retry-After 1: retrying in 1.0 s" in crawl.log
    assert f"{capped} answered 429 with Retry-After 3600: retrying in 1.5 s" in crawl.log
    assert crawl.stats["newscrawl/retry_after/seconds"] == pytest.approx(1 + 1.5 + 1 + 1)
    assert _failed(_manifest(tmp_path)) == {forever: "http_429"}
    statuses = [r.status for r in portal.records if r.path == forever]
    assert statuses == [429, 429, 429]  # the first request and RETRY_TIMES retries
    assert [r.status for r in portal.records if r.path == burst] == [502, 502, 200]
    assert crawl.returncode == EXIT_HEALTHY  # 1 failure in 7 pages: below the error rate


# -- one article, one record, one id --------------------------------------------------

VARIANT = YW_ARTICLES[0]  # ./202609/t20260904_18086647.htm on the channel page


@pytest.fixture
def editable_portal(tmp_path: Path):
    """A fault portal serving a private copy of the replica site (pages can be edited)."""
    site = tmp_path / "site"
    shutil.copytree(DEFAULT_ROOT, site)
    with FaultServer(ReplicaServer(root=site)) as server:
        server.site_root = site  # type: ignore[attr-defined]
        yield server


def test_url_variants_give_one_record_and_other_ports_are_left_out(
    tmp_path: Path, editable_portal: FaultServer
) -> None:
    portal = editable_portal
    name = VARIANT.rsplit("/", 1)[1]
    with ReplicaServer() as other:
        links = [
            f"./202609/{name}?from=list",
            f"./202609/{name}?spm=a2h0c.8166622&amp;utm_source=wechat&amp;utm_medium=x#comments",
            f"../yw/202609/../202609/{name}",
            f"HTTP://127.0.0.1:{portal.port}/www/news/yw/202609/{name}",
            f"http://127.0.0.1:{other.port}{YW_ARTICLES[1]}",  # the same path, another port
        ]
        index = portal.site_root / YW / "index.htm"  # type: ignore[attr-defined]
        html = index.read_text("utf-8")
        extra = "".join(
            f'<h3><a href="{href}">同一篇文章的另一个链接{n}</a></h3>'
            for n, href in enumerate(links)
        )
        index.write_text(html.replace("</h3>", "</h3>" + extra, 1), "utf-8")
        settings = {
            "NEWSCRAWL_ALLOWED_ADDRESSES": f"127.0.0.1:{portal.port},127.0.0.1:{other.port}"
        }
        first = _crawl(tmp_path / "first", portal, [YW], settings)
        assert other.requests == []
    assert first.returncode == EXIT_HEALTHY, first.log[-3000:]
    assert _paths(first.records) == sorted(YW_ARTICLES)
    variant = [r for r in first.records if r["url"].endswith(name)]
    assert len(variant) == 1 and variant[0]["url"] == f"{portal.url}www/news/yw/202609/{name}"
    assert [p for p in portal.requests if name in p] == ["/www/news/yw/202609/" + name]
    # the other port's link, and the channel's link to the live portal
    assert first.stats["newscrawl/list_items_offsite"] == 1 + len(LISTS["offsite_article_links"])

    state = {**settings, "NEWSCRAWL_STATE_DIR": str(tmp_path / "first" / "state")}
    again = _crawl(tmp_path / "again", portal, [YW], state)
    assert again.returncode == EXIT_HEALTHY
    assert not [p for p in portal.requests if "/t20" in p]


def test_redirected_articles_are_known_under_both_urls(tmp_path: Path, portal: FaultServer) -> None:
    portal.set_faults([r"/t\d{8}_\d+\.htm$=redirect-chain:2"])
    state = {"NEWSCRAWL_STATE_DIR": str(tmp_path / "state")}
    first = _crawl(tmp_path / "first", portal, [YW], state)
    assert first.returncode == EXIT_HEALTHY
    assert len(first.records) == len(YW_ARTICLES)
    linked = f"http://127.0.0.1:{portal.port}{YW_ARTICLES[0]}"
    record = next(r for r in first.records if r["url"].startswith(linked))
    store = SQLiteStateStore(tmp_path / "state" / "dzwww.sqlite3")
    try:
        assert store.get(linked).url == record["url"] != linked  # the list link, an alias
        assert store.get(record["url"]).id == record["id"]  # the URL it was read from
    finally:
        store.close()
    second = _crawl(tmp_path / "second", portal, [YW], state)
    assert second.returncode == EXIT_HEALTHY and second.records == []
    assert not [p for p in portal.requests if "/t20" in p]  # nothing fetched again
    assert second.stats["newscrawl/articles_skipped_known"] == 3  # the channel page's


# -- a multi-page article with a page missing ----------------------------------------


def _stored(store_file: Path, path: str) -> tuple[int, int]:
    """(incomplete, version) of the article at ``path`` in the state store."""
    with sqlite3.connect(store_file) as db:
        query = "SELECT incomplete, version FROM articles WHERE url LIKE ?"
        return db.execute(query, (f"%{path}",)).fetchone()


def test_an_article_missing_a_page_is_retried_until_complete(
    tmp_path: Path, portal: FaultServer
) -> None:
    state = {"NEWSCRAWL_STATE_DIR": str(tmp_path / "state")}
    store_file = tmp_path / "state" / "dzwww.sqlite3"
    portal.set_faults([r"t20240615_15000001_1\.htm$=status:404"])
    first = _crawl(tmp_path / "1", portal, [SDNEWS], state)
    assert first.returncode == EXIT_HEALTHY
    flagged = next(r for r in first.records if r["url"].endswith(THREE_PAGES))
    assert flagged["page_count"] == 1 and "missing_pages" in flagged["warnings"]
    page_two = THREE_PAGES.replace(".htm", "_1.htm")
    assert _failed(_manifest(tmp_path / "1")) == {page_two: "http_404"}
    assert _stored(store_file, THREE_PAGES) == (1, 1)  # exported, not complete

    second = _crawl(tmp_path / "2", portal, [SDNEWS], state)  # the page is still missing
    assert second.records == []
    assert THREE_PAGES in portal.requests and page_two in portal.requests
    assert second.stats["newscrawl/articles_incomplete_retried"] == 1
    assert second.stats["newscrawl/dropped/unchanged"] == 1
    assert _stored(store_file, THREE_PAGES) == (1, 1)

    portal.clear_faults()
    third = _crawl(tmp_path / "3", portal, [SDNEWS], state)
    assert [r["url"] for r in third.records] == [flagged["url"]]
    complete = third.records[0]
    assert complete["id"] == flagged["id"] and complete["version"] == 2
    assert complete["page_count"] == 3 and "missing_pages" not in complete["warnings"]
    assert complete["updated_at"]
    assert _stored(store_file, THREE_PAGES) == (0, 2)

    fourth = _crawl(tmp_path / "4", portal, [SDNEWS], state)
    assert fourth.records == [] and THREE_PAGES not in portal.requests


# -- hostile list page, remote control ------------------------------------------------


def test_links_per_list_page_are_capped_and_taken_in_list_order(
    tmp_path: Path, portal: FaultServer
) -> None:
    portal.set_faults([rf"^/{YW}$=hostile:links,3000"])
    settings = {"NEWSCRAWL_MAX_LINKS_PER_LIST_PAGE": "40", "CONCURRENT_REQUESTS": "1"}
    crawl = _crawl(tmp_path, portal, [YW], settings)
    requested = [p for p in portal.requests if "/t20" in p]
    assert len(requested) == 40
    docids = [int(p.rsplit("_", 1)[1].removesuffix(".htm")) for p in requested]
    assert docids == sorted(docids, reverse=True) == list(range(17_003_000, 17_002_960, -1))
    assert crawl.stats["newscrawl/list_items_capped"] == 2960
    assert "holds 3000 article links: following the first 40" in crawl.log
    manifest = _manifest(tmp_path)
    assert manifest["counts"]["list_items_capped"] == 2960
    assert manifest["failures"]["by_reason"] == {"http_404": 40}
    assert crawl.returncode == EXIT_ERROR_RATE


def test_the_remote_control_endpoint_is_off(tmp_path: Path, portal: FaultServer) -> None:
    xdg = tmp_path / "xdg"
    env = {"XDG_STATE_HOME": str(xdg)}
    crawl = _crawl(tmp_path / "default", portal, [YW], env=env)
    assert crawl.returncode == EXIT_HEALTHY
    assert "Remote control" not in crawl.log and "RemoteControl" not in crawl.log
    assert not (xdg / "scrapy").exists()
    on = _crawl(tmp_path / "on", portal, [YW], {"REMOTE_CONTROL_ENABLED": "1"}, env=env)
    assert on.returncode == EXIT_HEALTHY
    assert "Remote control HTTP server listening on port" in on.log  # what the test looks for
    assert list((xdg / "scrapy" / "job_files").iterdir()) == []  # removed at the end


def test_a_channel_is_read_one_list_page_at_a_time(tmp_path) -> None:
    """The next list page is fetched after the articles of the one before: the queue holds
    about one list page of links per channel, however many pages the channel has."""
    portal = SyntheticPortal(400, seed=21)
    index = max(range(len(portal.channels)), key=lambda i: len(portal.pages[i]))
    channel, pages = portal.channels[index], portal.pages[index]
    assert len(pages) >= 3
    with SyntheticServer(portal) as server:
        start = f"start_urls={server.url}{channel.prefix.lstrip('/')}"
        settings = {"CONCURRENT_REQUESTS": "1", "NEWSCRAWL_ARCHIVE": "0"}
        crawl = run_crawl(tmp_path, "-a", start, "-a", f"max_pages={len(pages)}",
                          settings=settings)  # fmt: skip
        requested = list(server.requests)
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert len(crawl.records) == sum(len(page) for page in pages)
    list_paths = [channel.prefix] + [f"{channel.prefix}index_{n}.htm" for n in range(1, len(pages))]
    for number in range(1, len(pages)):
        next_list = requested.index(list_paths[number])
        assert requested.index(list_paths[number - 1]) < next_list
        earlier = set(requested[:next_list])
        assert all(article.path in earlier for article in pages[number - 1]), number
