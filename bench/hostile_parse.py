"""What the project's parsing does with hostile pages: time, peak RSS and outcome per page.

Each case runs in a fresh subprocess (so peak RSS is the case's own, read from
``wait4``), on the body the fault server would send (testing/hostile.py):

* ``parse``: :func:`newscrawl.encoding.decode_html` + :func:`newscrawl.extraction.html.parse_html`
  (what every page goes through); the outcome is the element count, the deepest
  nesting reached and the longest text node kept.
* ``extract``: the spider's path for the page: :func:`newscrawl.extraction.extract_page`
  with the dzwww selectors for an article, ``ListPage(...).items()`` for a list page;
  the outcome is the title, the body length and the warnings, or the number of links.

A baseline case (a replica article) gives the interpreter's own footprint. No goals
yet: this prints what happens today, as input for the limits to set.

    python bench/hostile_parse.py [--case NAME ...] [--timeout 300]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from common import ROOT, print_header, table

from testing.measure import run_measured

BASELINE_ARTICLE = "www/xinwen/shehuixinwen/202405/t20240510_13900001.htm"
ARTICLE_URL = "http://127.0.0.1:8000/www/news/yw/202510/t20251028_17000001.htm"
LIST_URL = "http://127.0.0.1:8000/www/news/yw/index.htm"

#: case name -> (hostile generator name or "" for the baseline, list page?)
CASES = {
    "baseline article": ("", False),
    "200,000 nested elements": ("nested", False),
    "60 MB text node": ("text-node", False),
    "100,000 links (list page)": ("links", True),
    "2 MB binary garbage": ("binary", False),
    "billion laughs": ("entities", False),
}


def _child(generator: str, is_list: bool, mode: str) -> dict:
    """Run one case in this process; the outcome as a dict."""
    from lxml import etree
    from newscrawl.extraction.html import parse_html

    from newscrawl.encoding import decode_html
    from newscrawl.extraction import extract_page
    from newscrawl.extraction.listing import ListPage
    from newscrawl.replica.server import DEFAULT_ROOT
    from newscrawl.sites import get_profile
    from testing.hostile import HOSTILE

    if generator:
        page = HOSTILE[generator]()
        body, content_type = page.read(), page.content_type
    else:
        body, content_type = (DEFAULT_ROOT / BASELINE_ARTICLE).read_bytes(), "text/html"
    profile = get_profile("dzwww")
    started = time.perf_counter()
    outcome: dict = {"bytes": len(body)}
    try:
        if mode == "parse":
            text = decode_html(body, content_type).text
            tree = parse_html(text)
            depth = deepest = longest = count = 0
            for event, el in etree.iterwalk(tree, events=("start", "end")):
                if event == "end":
                    depth -= 1
                    continue
                count += 1
                depth += 1
                deepest = max(deepest, depth)
                longest = max(longest, len(el.text or ""), len(el.tail or ""))
            outcome.update(
                elements=count,
                depth=deepest,
                longest_text=longest,
                decoded_chars=len(text),
            )
        elif is_list:
            text = decode_html(body, content_type).text
            items = ListPage(LIST_URL, text, profile).items()
            outcome.update(links=len(items))
        else:
            fields = extract_page(ARTICLE_URL, body, content_type, profile.selectors)
            outcome.update(
                extractor=fields.extractor,
                title=(fields.title or "")[:20],
                paragraphs=len(fields.paragraphs),
                body_chars=sum(len(p) for p in fields.paragraphs),
                warnings=fields.warnings[:3],
            )
    except Exception as exc:  # report it: that is the finding
        outcome["exception"] = f"{type(exc).__name__}: {str(exc)[:120]}"
    outcome["seconds"] = round(time.perf_counter() - started, 2)
    return outcome


def _measure(name: str, mode: str, timeout: float) -> dict:
    """One case in a fresh process: its outcome, wall time and peak RSS."""
    generator, is_list = CASES[name]
    cmd = [sys.executable, __file__, "--child", generator or "-", str(int(is_list)), mode]
    run = run_measured(cmd, cwd=ROOT, timeout=timeout)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.timed_out:
        outcome = {"result": f"killed after {timeout:.0f} s"}
    elif lines:
        outcome = json.loads(lines[-1])
    else:
        outcome = {"result": f"exit {run.returncode}: {run.stderr.strip()[-200:]}"}
    return {"outcome": outcome, "wall": run.wall, "rss_mb": run.max_rss_mb}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        generator, is_list, mode = argv[1], argv[2] == "1", argv[3]
        print(json.dumps(_child("" if generator == "-" else generator, is_list, mode)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", choices=list(CASES), help="default: all")
    parser.add_argument("--mode", action="append", choices=["parse", "extract"])
    parser.add_argument("--timeout", type=float, default=300, help="seconds per case")
    args = parser.parse_args(argv)
    print_header("Hostile pages through decode + lxml parse and through extraction")
    rows = []
    for name in args.case or list(CASES):
        for mode in args.mode or ["parse", "extract"]:
            result = _measure(name, mode, args.timeout)
            outcome = result.get("outcome") or {}
            shown = {k: v for k, v in outcome.items() if k not in ("seconds", "bytes")}
            rows.append(
                [
                    name,
                    mode,
                    f"{outcome.get('bytes', 0) / 1e6:.1f}",
                    str(outcome.get("seconds", "-")),
                    f"{result['rss_mb']:.0f}",
                    json.dumps(shown, ensure_ascii=False),
                ]
            )
            print(" | ".join(rows[-1]), flush=True, file=sys.stderr)
    print(table(["page", "mode", "MB", "seconds", "peak RSS MB", "outcome"], rows))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
