"""Access to the replica sites' pages and their hand-written expected records."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.assemble import ArticleAssembly
from newscrawl.extraction import PageFields, extract_page
from newscrawl.record import RecordOptions
from newscrawl.replica.server import DEFAULT_ROOT
from newscrawl.sites import get_profile

ROOT = Path(__file__).resolve().parents[1]
SITE = DEFAULT_ROOT
PEERS = DEFAULT_ROOT.parent / "peers"
PEER_SITES = ("cjn", "iqilu", "sdnews", "e23", "jiaodong", "ynet")
BASE_URL = "http://127.0.0.1:8000/"


def site_root(site: str) -> Path:
    """Where a portal's replica pages live."""
    return SITE if site == "dzwww" else PEERS / site


@dataclass
class ExpectedPage:
    site: str
    path: str
    expected: dict

    @property
    def url(self) -> str:
        return BASE_URL + self.path


def expected_pages(site: str = "dzwww") -> list[ExpectedPage]:
    pages = []
    for file in sorted((ROOT / "tests" / "expected" / site).rglob("*.json")):
        if file.name.startswith("_"):
            continue
        data = json.loads(file.read_text(encoding="utf-8"))
        for image in data.get("images", []):
            image["url_path"] = image["url_path"].lstrip("/")
        data["url_path"] = data["url_path"].lstrip("/")
        pages.append(ExpectedPage(site=site, path=data["url_path"], expected=data))
    return pages


def expected_lists(site: str = "dzwww") -> dict:
    return json.loads((ROOT / "tests/expected" / site / "_lists.json").read_text("utf-8"))


def site_path(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def fetch_local(url: str, site: str = "dzwww") -> tuple[bytes, str | None]:
    """The bytes and Content-Type the replica would serve for a URL."""
    file = site_root(site) / site_path(url)
    sidecar = file.with_name(file.name + ".headers.json")
    content_type = None
    if sidecar.exists():
        headers = json.loads(sidecar.read_text(encoding="utf-8"))
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return file.read_bytes(), content_type


def extract_article(
    url: str,
    site: str = "dzwww",
    fetch: Callable[[str], tuple[bytes, str | None]] | None = None,
) -> tuple[list[PageFields], dict]:
    """Extract an article and its further pages, and build its record.

    Pages come from the site files, or from ``fetch(url) -> (bytes, Content-Type)``
    when given (generated page variants).
    """
    profile = get_profile(site)
    fetch = fetch or (lambda page_url: fetch_local(page_url, site))

    def page(page_url: str) -> PageFields:
        body, content_type = fetch(page_url)
        return extract_page(page_url, body, content_type, profile.selectors)

    assembly = ArticleAssembly(page(url), site=site, crawled_at="2026-11-29T00:00:00+00:00")
    next_url = assembly.next_url
    while next_url is not None:
        next_url = assembly.add_page(page(next_url))
    return assembly.pages, assembly.record(RecordOptions.for_profile(profile))


def comparable(record: dict) -> dict:
    """The record's fields in the expected files' form (site-relative image paths)."""
    result = dict(record)
    result["url_path"] = site_path(record["url"])
    result["images"] = [
        {"url_path": site_path(i["url"]), "caption": i["caption"], "position": i["position"]}
        for i in record["images"]
    ]
    return result
