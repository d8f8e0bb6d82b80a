"""Altered copies of the replica portal: the template changes the drift checks must catch.

Each alteration rewrites the current (variant C) article template the way a portal
redesign would, and leaves older templates alone, as a real template change does.
:func:`altered_site` copies the packaged replica site into a directory and applies
one alteration to every variant-C article page, for ``ReplicaServer(root=...)``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from newscrawl.replica.server import DEFAULT_ROOT

#: A site-wide "hot news" list of the new template. The old body selector
#: (``div#news-body``) now names this list, while the article moved to a new container.
HOT_LIST = (
    "全省新一轮稳岗扩就业政策发布，惠及企业超过十万家。",
    "黄河流域生态保护和高质量发展重大项目集中开工。",
    "2026年山东高考报名工作启动，考生可登录平台办理。",
)
_RELATED = re.compile(r'<div class="xgtj">.*?</ul>\s*</div>', re.S)


def body_moved(html: str) -> str:
    """Body moved into a new container; the old selector's id went to the hot-news list."""
    html = html.replace('<div id="news-body">', '<div class="article-content">')
    items = "".join(f"<p>{text}</p>" for text in HOT_LIST)
    hot = f'<div id="news-body" class="hot-list">{items}</div>'
    if _RELATED.search(html):
        return _RELATED.sub(hot, html, count=1)
    return html.replace('<div id="footer">', hot + '\n<div id="footer">', 1)


_SIDE_TEXTS = re.compile(
    r'(?:\s*<div class="text">\s*<h5>[^<]*</h5>\s*<p>[^<]*</p>\s*</div>)+', re.S
)
_LABELLED = re.compile(r"<h5>([^<]*)</h5>\s*<p>([^<]*)</p>")


def side_reordered(html: str) -> str:
    """The side column's 来源/作者 blocks merged, each value printed before its label.

    The side now reads ``大众网 来源: 张晓帆 作者:``: the 作者 value follows the 来源 label.
    """

    def merge(match: re.Match[str]) -> str:
        pairs = _LABELLED.findall(match.group(0))
        inner = "".join(f"<p>{value}</p><h5>{label}</h5>" for label, value in pairs)
        return f'\n      <div class="text">{inner}</div>'

    return _SIDE_TEXTS.sub(merge, html, count=1)


def date_removed(html: str) -> str:
    """The date line (and the head's publishdate meta) are gone from the template."""
    html = re.sub(r'<div class="date">.*?</div>', "", html, count=1, flags=re.S)
    return re.sub(r'<meta name="publishdate"[^>]*>\n?', "", html)


_CREDIT_BLOCKS = re.compile(
    r'<(div|p) class="(?:zrbj|bjxx|page-editor|edit-info|editor)">.*?</\1>\s*', re.S
)
_CREDIT_PARAGRAPH = re.compile(r"<p[^>]*>\s*(?:责编|【编辑|责任编辑)[^<]*(?:<br>[^<]*)*</p>\s*")
_CREDIT = re.compile(r"(责编|审签|审核|校对|编辑|责任编辑)：([^　<\s】]+)")


def credits_in_body(html: str) -> str:
    """Credits moved into the body as a sentence of its own (``本文责编张明明，审签路时川。``),
    which no credit reader takes for a credit line."""
    pairs = list(dict.fromkeys(_CREDIT.findall(html)))
    html = _CREDIT_BLOCKS.sub("", html)
    html = _CREDIT_PARAGRAPH.sub("", html)
    if not pairs:
        return html
    sentence = "本文" + "，".join(f"{label}{name}" for label, name in pairs) + "。"
    return html.replace(
        '<div id="news-body">', f'<div id="news-body">\n      <p>　　{sentence}</p>', 1
    )


ALTERATIONS: dict[str, Callable[[str], str]] = {
    "body_moved": body_moved,
    "side_reordered": side_reordered,
    "date_removed": date_removed,
    "credits_in_body": credits_in_body,
}


def is_current_template(raw: bytes) -> bool:
    """Variant C article pages (the template a redesign would change)."""
    return b'id="news-side"' in raw and b'charset="utf-8"' in raw


def altered_site(name: str, root: Path) -> Path:
    """A copy of the replica site at ``root`` with alteration ``name`` applied; returns it."""
    alter = ALTERATIONS[name]
    shutil.copytree(DEFAULT_ROOT, root)
    changed = 0
    for page in sorted(root.rglob("t*.htm*")):
        raw = page.read_bytes()
        if not is_current_template(raw):
            continue
        altered = alter(raw.decode("utf-8"))
        if altered != raw.decode("utf-8"):
            page.write_bytes(altered.encode("utf-8"))
            changed += 1
    if not changed:
        raise AssertionError(f"alteration {name} changed no page")
    return root
