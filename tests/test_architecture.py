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


#: Parts of the package whose code must not name a portal: a portal lives in its profile
#: (and its words in the lexicon data); ``replica/`` is the fixture portal itself.
_PORTAL_FREE = [p for p in sorted(PACKAGE.rglob("*.py")) if "replica" not in p.parts]


def _portal_names() -> set[str]:
    from newscrawl.sites import all_profiles

    names: set[str] = set()
    for profile in all_profiles().values():
        if profile.generic:
            continue
        names |= {profile.name, profile.display_name, *profile.title_suffixes}
        names |= set(profile.allowed_domains)
    return {name for name in names if name}


def test_no_portal_is_named_in_code_outside_its_profile() -> None:
    names = _portal_names()
    assert {"dzwww", "大众网", "cjn"} <= names
    offenders = [
        f"{_relative(path)}: {name}"
        for path in _PORTAL_FREE
        for name in sorted(names)
        if name in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_pure_layers_import_no_crawl_engine_and_point_one_way() -> None:
    """extraction/, normalise/, lexicon/ and sites/ never import the crawling, archive or run
    layers; extraction never imports sites (it takes selectors, not profiles)."""
    forbidden = {
        "extraction": (
            "newscrawl.crawling",
            "newscrawl.archive",
            "newscrawl.runs",
            "newscrawl.sites",
        ),
        "normalise": ("newscrawl.crawling", "newscrawl.extraction", "newscrawl.sites"),
        "lexicon": ("newscrawl.",),
        "sites": ("newscrawl.crawling", "newscrawl.archive", "newscrawl.runs", "newscrawl.record"),
    }
    offenders = []
    for part, prefixes in forbidden.items():
        for path, tree in _modules(PACKAGE / part):
            for name in _imported_modules(tree):
                if name.split(".")[0] in CRAWL_ENGINE or name.startswith(prefixes):
                    offenders.append(f"{_relative(path)} imports {name}")
    assert offenders == []
