"""Scorer adapter: page HTML on stdin, URL in $URL, one JSON object on stdout.

Usage (from the project root)::

    python ../shared/tools/eval_extract.py \\
        --cmd '.venv/bin/python bench/zhdev_generic_cmd.py' --name newscrawl-generic
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import lxml.html

from newscrawl.extraction.generic import extract_generic

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def parse(html: str) -> lxml.html.HtmlElement:
    """Parse decoded HTML; an XML declaration (which lxml refuses in str input) is dropped."""
    html = _XML_DECLARATION.sub("", html)
    if not html.strip():
        html = "<html><body></body></html>"
    return lxml.html.document_fromstring(html)


def main() -> None:
    """Run the generic extractor on stdin and print title/date/author/body as JSON."""
    html = sys.stdin.buffer.read().decode("utf-8", "replace")
    fields = extract_generic(parse(html), os.environ.get("URL", ""))
    out = {
        "title": fields.title,
        "date": fields.published_raw,
        "author": fields.author,
        "body": "\n".join(fields.paragraphs),
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
