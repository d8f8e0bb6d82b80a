"""Rules that keep the shape of the code base (docs/architecture.md), checked on the source."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "newscrawl"
CRAWLING = PACKAGE / "crawling"
KEYS_MODULE = CRAWLING / "keys.py"

#: The crawl engine: only newscrawl/crawling/ may import it.
CRAWL_ENGINE = ("scrapy", "twisted")
#: How stats keys (``newscrawl/list_pages``) and request-meta keys (``newscrawl_article``) look.
KEY_PATTERN = re.compile(r"^newscrawl(?:/[a-z_]+)+/?$|^newscrawl_[a-z_]+$")


def _modules(directory: Path = PACKAGE) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(directory.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_modules(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_only_the_crawling_package_imports_scrapy() -> None:
    offenders = [
        f"{_relative(path)} imports {name}"
        for path, tree in _modules()
        if CRAWLING not in path.parents
        for name in _imported_modules(tree)
        if name.split(".")[0] in CRAWL_ENGINE
    ]
    assert offenders == []


def test_stats_and_meta_keys_are_spelled_only_in_the_keys_module() -> None:
    offenders = [
        f"{_relative(path)}:{node.lineno} {node.value!r}"
        for path, tree in _modules()
        if path != KEYS_MODULE
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and KEY_PATTERN.match(node.value)
    ]
    assert offenders == []


def test_no_component_exits_the_process_or_keeps_crawler_registries() -> None:
    """Commands decide exit codes; components find each other with crawler.get_extension."""
    offenders = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("_exit", "WeakKeyDictionary"):
                offenders.append(f"{_relative(path)}:{node.lineno} {node.attr}")
            if isinstance(node, ast.Name) and node.id == "WeakKeyDictionary":
                offenders.append(f"{_relative(path)}:{node.lineno} WeakKeyDictionary")
        offenders += [
            f"{_relative(path)} imports atexit" for n in _imported_modules(tree) if n == "atexit"
        ]
    assert offenders == []
