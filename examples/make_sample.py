"""Regenerate the bundled sample archive, ``examples/sample/``.

It is what ``scrapy crawl dzwww`` archives when it reads the first list page of
the replica's 山东新闻 channel (``/sd/sdnews/``): robots.txt, the list page and
its two allowed articles, one of them on three pages (the third item is
disallowed by robots.txt). The WARC and its CDXJ index replace the sample
directory's contents. Run from anywhere:

    .venv/bin/python examples/make_sample.py [DIRECTORY]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample"
CHANNEL = "sd/sdnews/"


def make_sample(destination: Path = SAMPLE) -> list[Path]:
    """Crawl the replica channel into a fresh archive and copy it to ``destination``."""
    sys.path.insert(0, str(ROOT))
    from newscrawl.replica import ReplicaServer

    with tempfile.TemporaryDirectory() as tmp, ReplicaServer() as server:
        settings = {
            "NEWSCRAWL_ARCHIVE_DIR": f"{tmp}/archive",
            "NEWSCRAWL_STATE_DIR": f"{tmp}/state",
            "AUTOTHROTTLE_ENABLED": "0",
            "DOWNLOAD_DELAY": "0",
            "LOG_LEVEL": "WARNING",
            "NEWSCRAWL_ALLOWED_ADDRESSES": f"127.0.0.1:{server.port}",
        }
        command = [sys.executable, "-m", "scrapy", "crawl", "dzwww"]
        command += ["-a", f"start_urls={server.url}{CHANNEL}", "-a", "max_pages=1"]
        command += ["-O", f"{tmp}/records.jsonl"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        env = dict(os.environ, PYTHONPATH=str(ROOT), SCRAPY_SETTINGS_MODULE="newscrawl.settings")
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        made = sorted(Path(tmp, "archive").glob("*.warc.gz"))
        if len(made) != 1:
            raise SystemExit(f"expected one archive, the crawl wrote {len(made)}")
        destination.mkdir(parents=True, exist_ok=True)
        for old in destination.iterdir():
            old.unlink()
        copied = []
        for path in sorted(Path(tmp, "archive").iterdir()):
            if path.name.endswith((".warc.gz", ".cdxj")):
                copied.append(Path(shutil.copy2(path, destination / path.name)))
        return copied


if __name__ == "__main__":
    for path in make_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE):
        print(path)
