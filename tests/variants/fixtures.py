"""The dzwww replica articles the variants are made from, with their expected records."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from newscrawl.encoding import decode_html
from tests.replica_pages import expected_pages, extract_article, fetch_local
from tests.variants.classify import field_values


@dataclass(frozen=True)
class SourcePage:
    """One replica page of an article, decoded."""

    url: str
    html: str
    encoding: str
    """The codec the page decodes with (``utf-8`` or ``gb18030``)."""
    content_type: str | None
    """The Content-Type header the replica serves it with, if any."""


@dataclass(frozen=True, eq=False)
class SourceArticle:
    """A replica article (all its pages) and the field values of its expected record."""

    path: str
    url: str
    template: str
    """The dzwww template variant: ``A`` (TRS_Editor era), ``B`` (news-con), ``C`` (news-body)."""
    pages: tuple[SourcePage, ...]
    expected: dict
    """Classified field values of the hand-written expected record (see classify.FIELDS)."""
    published_raw: str | None
    """The date line as the expected record prints it (used to find it on the page)."""

    @property
    def name(self) -> str:
        """Short name for ids: the article's file name without extension."""
        return self.path.rsplit("/", 1)[-1].split(".", 1)[0]


def _template(html: str) -> str:
    if 'id="news-body"' in html or 'class="news-body"' in html:
        return "C"
    if "news-con" in html:
        return "B"
    return "A"


@cache
def source_articles() -> tuple[SourceArticle, ...]:
    """Every dzwww replica article with an expected record, in path order."""
    articles = []
    for page in expected_pages("dzwww"):
        extracted, _ = extract_article(page.url)
        pages = []
        for fields in extracted:
            body, content_type = fetch_local(fields.url)
            decoded = decode_html(body, content_type)
            pages.append(SourcePage(fields.url, decoded.text, decoded.encoding, content_type))
        articles.append(
            SourceArticle(
                path=page.path,
                url=page.url,
                template=_template(pages[0].html),
                pages=tuple(pages),
                expected=field_values(page.expected),
                published_raw=page.expected["published_raw"],
            )
        )
    return tuple(articles)
