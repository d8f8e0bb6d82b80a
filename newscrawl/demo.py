"""``newscrawl demo``: a real crawl, offline, of the bundled replica portal."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TextIO

from newscrawl.clock import file_stamp
from newscrawl.crawling import keys
from newscrawl.crawling.process import project_settings, run_spider
from newscrawl.replica import REPLICA_CHANNELS, REPLICA_SPIDER, ReplicaServer

SUMMARY_FIELDS = ("title", "published_date", "source", "authors", "paragraphs", "credits")


def summarise(feed: Path) -> tuple[int, Counter[str], Counter[str]]:
    """(records, missing-field counts, warning counts) of a JSON Lines export."""
    missing: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    count = 0
    if feed.exists():
        with feed.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                count += 1
                missing.update(f for f in SUMMARY_FIELDS if not record.get(f))
                warnings.update(record.get("warnings", []))
    return count, missing, warnings


def run_demo(output_dir: Path, out: TextIO, err: TextIO) -> int:
    """Crawl the replica into ``output_dir/demo/<UTC time>.jsonl``; 0 when articles came out."""
    feed = (output_dir / "demo" / f"{file_stamp()}.jsonl").resolve()
    with ReplicaServer() as server:
        settings = project_settings(
            {
                "FEEDS": {str(feed): {"format": "jsonlines", "encoding": "utf-8"}},
                "AUTOTHROTTLE_ENABLED": False,
                "DOWNLOAD_DELAY": 0,
                "LOG_LEVEL": "WARNING",
                "NEWSCRAWL_STATE_DIR": str(output_dir / "demo" / "state"),
                "NEWSCRAWL_FULL_RUN": True,
                # the replica listens on 127.0.0.1, which the address check refuses
                "NEWSCRAWL_ALLOWED_ADDRESSES": [f"127.0.0.1:{server.port}"],
            }
        )
        start_urls = ",".join(server.url + path.lstrip("/") for path in REPLICA_CHANNELS)
        print(
            f"Replica portal at {server.url}; crawling {len(REPLICA_CHANNELS)} channels", file=out
        )
        outcome = run_spider(REPLICA_SPIDER, settings, start_urls=start_urls)
    count, missing, warnings = summarise(feed)
    print(f"articles: {count}", file=out)
    print(f"list pages read: {outcome.stats.get(keys.STAT_LIST_PAGES, 0)}", file=out)
    if count:
        gaps = ", ".join(f"{name} {n}" for name, n in missing.most_common()) or "none"
        print(f"fields missing: {gaps}", file=out)
        flags = ", ".join(f"{name} {n}" for name, n in warnings.most_common()) or "none"
        print(f"warnings: {flags}", file=out)
        print(f"output: {feed}", file=out)
        return 0
    print("no article was exported; see the log above", file=err)
    return 1
