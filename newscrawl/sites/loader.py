"""Read and validate portal profile files (TOML), one per portal.

Errors name the file and the key, e.g.
``newscrawl/profiles/<name>.toml: selectors.title[1]: invalid XPath: …``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml import etree

from newscrawl.extraction.selectors import PageSelectors, compile_selector
from newscrawl.sites.profile import ARTICLE_LIKE_URL, SiteProfile

PROFILE_DIR = Path(__file__).resolve().parents[1] / "profiles"

_TOP_KEYS = {
    "name",
    "display_name",
    "allowed_domains",
    "start_urls",
    "title_suffixes",
    "title_separator",
    "urls",
    "pagination",
    "selectors",
    "links",
}
_REQUIRED = ("name", "allowed_domains", "start_urls", "urls")
_SECTION_KEYS = {
    "urls": {"article", "list", "keep_query"},
    "pagination": {"pattern", "first"},
    "links": {"min_text_chars"},
    "selectors": set(PageSelectors.FIELDS),
}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file and the key."""


class _Reader:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, key: str, message: str) -> ProfileError:
        return ProfileError(f"{self.path}: {key}: {message}")

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def string(self, key: str, default: str | None = None) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        return value

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"expected a list of non-empty strings, got {value!r}")
        if required and not value:
            raise self.fail(key, "must not be empty")
        return tuple(value)

    def regex(self, key: str, required: bool = True) -> re.Pattern[str] | None:
        value = self.get(key)
        if value is None and not required:
            return None
        pattern = self.string(key)
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise self.fail(key, f"invalid regular expression: {exc}") from None

    def integer(self, key: str, default: int) -> int:
        value = self.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(key, f"expected a whole number ≥ 0, got {value!r}")
        return value


def _check_keys(reader: _Reader) -> None:
    unknown = set(reader.data) - _TOP_KEYS
    if unknown:
        raise reader.fail(", ".join(sorted(unknown)), "unknown key")
    for key in _REQUIRED:
        if key not in reader.data:
            raise reader.fail(key, "missing")
    for section, allowed in _SECTION_KEYS.items():
        value = reader.data.get(section, {})
        if not isinstance(value, dict):
            raise reader.fail(section, "expected a table")
        extra = set(value) - allowed
        if extra:
            raise reader.fail(f"{section}.{sorted(extra)[0]}", "unknown key")


def _selectors(reader: _Reader, label: str) -> PageSelectors:
    values: dict[str, tuple[str, ...]] = {}
    for name in PageSelectors.FIELDS:
        paths = reader.strings(f"selectors.{name}")
        for index, path in enumerate(paths):
            try:
                compile_selector(path)
            except (etree.XPathSyntaxError, SelectorError) as exc:
                kind = "CSS selector" if path.startswith("css:") else "XPath"
                raise reader.fail(f"selectors.{name}[{index}]", f"invalid {kind}: {exc}") from None
        values[name] = paths
    return PageSelectors(label=label, **values)


def load_profile(path: Path) -> SiteProfile:
    """The profile in a TOML file, validated; :class:`ProfileError` names what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    reader = _Reader(path, data)
    _check_keys(reader)
    name = reader.string("name")
    if not _NAME.match(name):
        raise reader.fail("name", f"{name!r} must be lower-case letters, digits and _")
    start_urls = reader.strings("start_urls")
    for index, url in enumerate(start_urls):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise reader.fail(f"start_urls[{index}]", f"{url!r} is not an http(s) URL")
    selectors = _selectors(reader, name)
    article = reader.regex("urls.article", required=bool(selectors.body)) or ARTICLE_LIKE_URL
    list_page = reader.regex("urls.list", required=False) or re.compile(r"/$")
    pagination = reader.regex("pagination.pattern", required=False)
    if pagination is not None and pagination.groups != 1:
        raise reader.fail("pagination.pattern", "needs exactly one group capturing the number")
    return SiteProfile(
        name=name,
        display_name=reader.string("display_name", ""),
        allowed_domains=reader.strings("allowed_domains"),
        start_urls=start_urls,
        article_url=article,
        list_page_url=list_page,
        selectors=selectors,
        pagination=pagination,
        first_page_number=reader.integer("pagination.first", 1),
        title_suffixes=reader.strings("title_suffixes"),
        title_separator=reader.string("title_separator", ""),
        min_link_chars=reader.integer("links.min_text_chars", 0),
        keep_query=(
            reader.strings("urls.keep_query") if reader.get("urls.keep_query") is not None else None
        ),
        source_file=str(path),
    )


def load_profiles(directory: Path = PROFILE_DIR) -> dict[str, SiteProfile]:
    """Every ``*.toml`` profile in a directory, by name (names must be unique)."""
    profiles: dict[str, SiteProfile] = {}
    for path in sorted(directory.glob("*.toml")):
        profile = load_profile(path)
        if profile.name in profiles:
            other = profiles[profile.name].source_file
            raise ProfileError(f"{path}: name: {profile.name!r} is also used by {other}")
        profiles[profile.name] = profile
    return profiles
