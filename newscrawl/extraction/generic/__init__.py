"""Profile-free article extractor for Chinese news pages.

:func:`extract_generic` reads any article page without site-specific
selectors, in stages: the head is read (``<title>``, meta, JSON-LD), the tree
cleaned and flattened into lines (:mod:`newscrawl.extraction.dom`), the
headline found as the line matching the head's titles (or the heading above
the body), the body chosen as the heaviest run of prose lines
(:mod:`~newscrawl.extraction.generic.run`), and date, author, source and
breadcrumb read from the lines around the headline and the body.
"""

from __future__ import annotations

import lxml.html

from newscrawl.extraction.blocks import find_breadcrumb
from newscrawl.extraction.dom import Doc, linearize, remove_non_content, text_key
from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.generic.dates import find_published, header_lines
from newscrawl.extraction.generic.head import HeadInfo, find_title, heading_before, read_head
from newscrawl.extraction.generic.people import PeopleContext, find_people
from newscrawl.extraction.generic.run import GenericBody, extract_body
from newscrawl.extraction.options import DEFAULT_OPTIONS, ExtractorOptions

_LINES_AFTER_BODY = 11
_LINES_BEFORE_TITLE = 4
_TOP_LINES = 40


def _headline_and_body(
    doc: Doc, head: HeadInfo, options: ExtractorOptions
) -> tuple[str | None, int, GenericBody]:
    """The headline, its line (-1 when not printed) and the body chosen below it."""
    title, title_line = find_title(doc, head)
    body = extract_body(doc, title_line, text_key(title) if title else "", head.base, options)
    if title_line < 0 and body.start_line >= 0:
        heading = heading_before(doc, body.start_line)
        if heading >= 0:
            title_line = heading
            title = doc.lines[heading].text
            body = extract_body(doc, title_line, text_key(title), head.base, options)
    return title, title_line, body


def _people_context(doc: Doc, head: HeadInfo, title_line: int, body: GenericBody) -> PeopleContext:
    lines = doc.lines
    after = (
        lines[body.end_line + 1 : body.end_line + 1 + _LINES_AFTER_BODY]
        if body.end_line >= 0
        else []
    )
    before = lines[max(0, title_line - _LINES_BEFORE_TITLE) : title_line] if title_line >= 0 else []
    return PeopleContext(
        header=header_lines(doc, title_line, body.start_line),
        after=[ln for ln in after if ln.image is None],
        paragraphs=body.parts.paragraphs,
        credits=body.parts.credit_lines + body.parts.source_lines,
        head=head,
        before=[ln for ln in before if ln.image is None],
        top=[ln for ln in lines[:_TOP_LINES] if ln.image is None],
    )


def extract_generic(
    tree: lxml.html.HtmlElement, url: str, options: ExtractorOptions = DEFAULT_OPTIONS
) -> PageFields:
    """Extract headline, date, people, breadcrumb, body paragraphs and images from a parsed page.

    ``tree`` is modified in place (scripts, styles and hidden elements are
    removed). The result has ``extractor="generic"``.
    """
    head = read_head(tree, url)
    remove_non_content(tree)
    doc = linearize(tree, class_hints=True, options=options)
    title, title_line, body = _headline_and_body(doc, head, options)
    ctx = _people_context(doc, head, title_line, body)
    published = find_published(doc, head, title_line, ctx.header, body.start_line, body.end_line)
    author, source, guess = find_people(ctx)
    crumb_limit = title_line if title_line >= 0 else body.start_line
    stop = doc.elems[doc.lines[crumb_limit].owner] if crumb_limit >= 0 else None
    parts = body.parts
    found = {"title": title, "date": published, "source": source, "author": author}
    provenance = {name: "generic" for name, value in found.items() if value}
    if parts.paragraphs:
        provenance["body"] = "generic"
    return PageFields(
        url=url,
        title=title,
        published_raw=published,
        source=source,
        author=author,
        breadcrumb=find_breadcrumb(tree, stop, options),
        paragraphs=parts.paragraphs,
        images=parts.images,
        credit_lines=parts.credit_lines,
        extractor="generic",
        warnings=([] if parts.paragraphs else ["no_body"]) + ([guess] if guess else []),
        provenance=provenance,
    )
