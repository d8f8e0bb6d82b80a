"""Access to the replica site's pages and their hand-written expected records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.extraction import PageFields, extract_page
from newscrawl.record import RecordOptions, build_record
from newscrawl.sites import get_profile

DZWWW = get_profile("dzwww")

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "newscrawl" / "replica" / "site"
EXPECTED = ROOT / "tests" / "expected" / "dzwww"
BASE_URL = "http://127.0.0.1:8000/"


@dataclass
class ExpectedPage:
    path: str
    expected: dict

    @property
    def url(self) -> str:
        return BASE_URL + self.path


def expected_pages() -> list[ExpectedPage]:
    pages = []
    for file in sorted(EXPECTED.rglob("*.json")):
        if file.name.startswith("_"):
            continue
        data = json.loads(file.read_text(encoding="utf-8"))
        for image in data.get("images", []):
            image["url_path"] = image["url_path"].lstrip("/")
        data["url_path"] = data["url_path"].lstrip("/")
        pages.append(ExpectedPage(path=data["url_path"], expected=data))
    return pages


def site_path(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def fetch_local(url: str) -> tuple[bytes, str | None]:
    """The bytes and Content-Type the replica would serve for a URL."""
    file = SITE / site_path(url)
    sidecar = file.with_name(file.name + ".headers.json")
    content_type = None
    if sidecar.exists():
        headers = json.loads(sidecar.read_text(encoding="utf-8"))
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return file.read_bytes(), content_type


def extract_article(url: str) -> tuple[list[PageFields], dict]:
    """Extract an article and its further pages from the site files, and build its record."""
    body, content_type = fetch_local(url)
    pages = [extract_page(url, body, content_type, DZWWW)]
    for other in pages[0].other_pages:
        other_body, other_type = fetch_local(other)
        pages.append(extract_page(other, other_body, other_type, DZWWW))
    record = build_record(
        pages,
        site="dzwww",
        crawled_at="2026-11-29T00:00:00+00:00",
        options=RecordOptions(title_suffixes=DZWWW.title_suffixes),
    )
    return pages, record


def comparable(record: dict) -> dict:
    """The record's fields in the expected files' form (site-relative image paths)."""
    result = dict(record)
    result["url_path"] = site_path(record["url"])
    result["images"] = [
        {"url_path": site_path(i["url"]), "caption": i["caption"], "position": i["position"]}
        for i in record["images"]
    ]
    return result
