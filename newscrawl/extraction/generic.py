"""Profile-free article extractor for Chinese news pages.

:func:`extract_generic` reads any article page without site-specific
selectors.  The tree is cleaned and flattened once into text lines
(:mod:`~newscrawl.extraction.generic_dom`); the headline is the line matching
``<title>``/meta titles (or the heading above the body), the body is the
heaviest run of prose lines (:mod:`~newscrawl.extraction.generic_body`), and
date, author, source and breadcrumb are read from the lines around the
headline and the body.
"""

from __future__ import annotations

import lxml.html

from newscrawl.extraction.fields import PageFields
from newscrawl.extraction.generic_body import extract_body
from newscrawl.extraction.generic_dates import find_published, header_lines
from newscrawl.extraction.generic_dom import linearize, prepare
from newscrawl.extraction.generic_meta import (
    find_breadcrumb,
    find_title,
    heading_before,
    read_head,
)
from newscrawl.extraction.generic_people import find_people
from newscrawl.extraction.generic_text import text_key


def extract_generic(tree: lxml.html.HtmlElement, url: str) -> PageFields:
    """Extract headline, date, people, body paragraphs and images from a parsed page.

    ``tree`` is modified in place (scripts, styles and hidden elements are
    removed).  The result has ``extractor="generic"``.
    """
    head = read_head(tree, url)
    prepare(tree)
    doc = linearize(tree)
    title, title_line = find_title(doc, head)
    body = extract_body(doc, title_line, text_key(title) if title else "", head.base)
    if title_line < 0 and body.start_line >= 0:
        heading = heading_before(doc, body.start_line)
        if heading >= 0:
            title_line = heading
            title = doc.lines[heading].text
            body = extract_body(doc, title_line, text_key(title), head.base)
    lines = doc.lines
    header = header_lines(doc, title_line, body.start_line)
    published = find_published(doc, head, title_line, header, body.start_line, body.end_line)
    after = lines[body.end_line + 1 : body.end_line + 12] if body.end_line >= 0 else []
    before = lines[max(0, title_line - 4) : title_line] if title_line >= 0 else []
    author, source = find_people(
        [ln for ln in after if ln.img is None],
        header,
        body.paragraphs,
        body.credit_lines + body.source_lines,
        head,
        [ln for ln in before if ln.img is None],
        [ln for ln in lines[:40] if ln.img is None],
    )
    crumb_limit = title_line if title_line >= 0 else body.start_line
    return PageFields(
        url=url,
        title=title,
        published_raw=published,
        source=source,
        author=author,
        breadcrumb=find_breadcrumb(doc, crumb_limit),
        paragraphs=body.paragraphs,
        images=body.images,
        credit_lines=body.credit_lines,
        extractor="generic",
        warnings=[] if body.paragraphs else ["no_body"],
    )
