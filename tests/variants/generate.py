"""Generate template variants of the dzwww replica articles, deterministically from a seed."""

from __future__ import annotations

import codecs
import copy
import random
from dataclasses import dataclass, field
from typing import Any

from tests.variants.fixtures import SourceArticle, source_articles
from tests.variants.markup import parse, serialise
from tests.variants.mutations import KINDS, MUTATIONS, Encoding, Form

DEFAULT_SEED = 13
IDENTITY = "identity"
"""The control: the original pages only parsed and written back by lxml."""

#: Variants per single mutation kind (articles taken in turn, forms at random).
PER_KIND = {
    "date_line": 150,
    "byline": 90,
    "credits": 60,
    "captions": 45,
    "related_news": 60,
    "wrappers": 60,
    "no_headline": 29,
    "comments_whitespace": 60,
    "encoding": 58,
}
COMBINED = 120
"""Variants with two or three kinds at once; the first third are :data:`ISSUE_COMBINATION`."""
ISSUE_COMBINATION = ("date_line", "related_news")
"""The shape issue 13 reports: a new date-line form beside dated related-news lists."""


_RELATED_DAY_BEFORE = {
    "heading": "相关推荐",
    "markup": "ul",
    "date_format": "{y}-{m}-{d}",
    "date_tag": "span",
    "place": "after_body",
    "items": [
        [
            "五元协同育匠才！重庆工贸职业技术学院推动产教融合向纵深发展",
            "edu/xxdt/zyyx/202505/t20250523_16561234.htm",
            "2024-11-07",
            16,
            2,
        ],
        [
            "山东职业学院“订单班”学生提前半年被企业“预订”",
            "edu/xxdt/zyyx/202505/t20250519_16548870.html",
            "2024-11-07",
            9,
            40,
        ],
    ],
}
ISSUE_EXAMPLES: dict[str, tuple[str, dict[str, Form]]] = {
    # `2024` + `<label>11/08&nbsp;&nbsp;09:35</label>`, no <meta> date, a dated related list
    "issue-date": (
        "edu/xxdt/zyyx/202411/t20241108_14803456.html",
        {
            "date_line": {
                "shape": "split",
                "digits": "ascii",
                "pad": True,
                "time": "hm",
                "time_colon": ":",
                "time_join": "&nbsp;&nbsp;",
                "time_in": "same",
                "label": "",
                "head_meta": "dropped",
                "md": "/",
                "year_in": "text",
                "md_in": "label",
                "year_cn": False,
                "between": "\n        ",
            },
            "related_news": {"blocks": [_RELATED_DAY_BEFORE], "drop_original": True},
        },
    ),
    # the headline block missing: the byline paragraph must not become the title
    "issue-title": ("edu/xxdt/zyyx/202505/t20250523_16561234.htm", {"no_headline": {}}),
    # 来源 / 作者 labels without a colon
    "issue-source": (
        "edu/xxdt/zyyx/202411/t20241108_14803456.html",
        {"byline": {"layout": "separate", "entry": "h5", "colon": "", "space": ""}},
    ),
    # `[责编：X] / [审签：Y]` on one line at the end of the body
    "issue-credits": (
        "edu/xxdt/zyyx/202411/t20241108_14803456.html",
        {
            "credits": {
                "entry": "[{l}：{n}]",
                "join": " / ",
                "wrap": "",
                "lines": "one_line",
                "place": "body_end",
                "align_right": False,
            }
        },
    ),
    # a time after the date in the <label>, with the <meta> date still there
    "issue-time": (
        "sd/sdnews/202406/t20240615_15000001.htm",
        {
            "date_line": {
                "shape": "split",
                "between": "\n        ",
                "md": "/",
                "md_in": "label",
                "year_in": "text",
                "year_cn": False,
                "time": "hm",
                "time_join": "&nbsp;&nbsp;",
                "time_in": "same",
                "label": "",
                "digits": "ascii",
                "pad": True,
                "head_meta": "kept",
                "new_time": [9, 35, 0],
            }
        },
    ),
}
"""The cases issue 13 reports, always in the variant set (ids ``issue-…``)."""


@dataclass
class Variant:
    """A generated article: its pages' bytes, the mutations behind it and its expected fields."""

    id: str
    kinds: tuple[str, ...]
    seed: str
    article: SourceArticle
    forms: dict[str, Form]
    expected: dict[str, Any]
    html: dict[str, str] = field(default_factory=dict)
    """Each page's HTML text, by URL, as written (before encoding)."""
    pages: dict[str, tuple[bytes, str | None]] = field(default_factory=dict)
    """Each page's bytes and Content-Type header, by URL."""
    edits: dict[str, int] = field(default_factory=dict)
    """Edits each mutation made over all pages (0: it changed nothing)."""
    codec: str = "utf-8"

    @property
    def url(self) -> str:
        return self.article.url

    def fetch(self, url: str) -> tuple[bytes, str | None]:
        """The bytes and Content-Type the variant's portal serves for a page URL."""
        return self.pages[url]

    def describe(self) -> str:
        """The kinds and forms, one line."""
        parts = []
        for kind in self.kinds:
            form = self.forms.get(kind, {})
            shown = {k: v for k, v in form.items() if k not in ("new_time", "blocks")}
            if kind == "related_news":
                shown["places"] = [b["place"] for b in form["blocks"]]
                shown["dates"] = [b["date_format"] for b in form["blocks"]]
            parts.append(f"{kind}{shown}" if shown else kind)
        return " + ".join(parts)


def build_variant(
    article: SourceArticle,
    kinds: tuple[str, ...],
    seed: str,
    variant_id: str,
    pinned: dict[str, Form] | None = None,
) -> Variant | None:
    """One variant of an article with the given mutations, or None if one does not apply.

    ``pinned`` fixes some choices of a kind's form (the rest stay random).
    """
    rng = random.Random(seed)
    forms: dict[str, Form] = {}
    for kind in kinds:
        if kind == IDENTITY:
            continue
        form = MUTATIONS[kind].choose(rng, article)
        if form is None:
            return None
        form.update((pinned or {}).get(kind, {}))
        forms[kind] = form
    expected = copy.deepcopy(article.expected)
    variant = Variant(variant_id, kinds, seed, article, forms, expected)
    ordered = [k for k in KINDS if k in forms]
    for kind in ordered:
        MUTATIONS[kind].adjust(expected, forms[kind], article)
        variant.edits[kind] = 0
    encoding = forms.get("encoding")
    for index, page in enumerate(article.pages):
        doc = parse(page.html)
        for kind in ordered:
            variant.edits[kind] += MUTATIONS[kind].apply(doc, forms[kind], article, index)
        html = serialise(doc, page.html).replace("\xa0", "&nbsp;")
        for kind in ordered:
            html = MUTATIONS[kind].finish(html, forms[kind])
        if encoding is not None:
            codec, content_type = encoding["codec"], Encoding().content_type(encoding)
        else:
            codec, content_type = page.encoding, page.content_type
        data = html.encode(codec)
        if encoding is not None and encoding["bom"]:
            data = codecs.BOM_UTF8 + data
        variant.html[page.url] = html
        variant.pages[page.url] = (data, content_type)
        variant.codec = codec
    if encoding is not None:
        variant.edits["encoding"] = len(article.pages)
    return variant


def generate_variants(
    seed: int = DEFAULT_SEED,
    per_kind: dict[str, int] | None = None,
    combined: int = COMBINED,
    identity: bool = True,
) -> list[Variant]:
    """The variant set for a seed: controls, then each kind alone, then combinations."""
    articles = source_articles()
    per_kind = PER_KIND if per_kind is None else per_kind
    variants: list[Variant] = []
    if identity:
        for n, article in enumerate(articles):
            built = build_variant(article, (IDENTITY,), f"{seed}:identity:{n}", f"identity-{n:03d}")
            assert built is not None
            variants.append(built)
    by_path = {a.path: a for a in articles}
    for name, (path, pinned) in ISSUE_EXAMPLES.items():
        kinds = tuple(k for k in KINDS if k in pinned)
        built = build_variant(by_path[path], kinds, f"{seed}:{name}", name, pinned)
        assert built is not None, name
        variants.append(built)
    order = random.Random(f"{seed}:order")
    for kind, count in per_kind.items():
        pool = list(articles)
        order.shuffle(pool)
        made = attempts = 0
        while made < count and attempts < count * 4:
            article = pool[attempts % len(pool)]
            attempts += 1
            variant_seed = f"{seed}:{kind}:{attempts}"
            built = build_variant(article, (kind,), variant_seed, f"{kind}-{made:03d}")
            if built is not None:
                variants.append(built)
                made += 1
    mixer = random.Random(f"{seed}:combined")
    for n in range(combined):
        kinds = ISSUE_COMBINATION
        if n >= combined // 3:
            picked = mixer.sample(KINDS, mixer.choice((2, 2, 3)))
            kinds = tuple(k for k in KINDS if k in picked)
        pool = list(articles)
        mixer.shuffle(pool)
        name = "+".join(kinds)
        for attempt, article in enumerate(pool):
            variant_seed = f"{seed}:{name}:{n}:{attempt}"
            built = build_variant(article, kinds, variant_seed, f"combo-{n:03d}")
            if built is not None:
                variants.append(built)
                break
    return variants
