"""The crawl's garbage-collector setting: applied while the engine runs, then put back."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.crawling.extensions.garbage import GarbageCollection


def test_the_threshold_holds_while_the_engine_runs_and_is_put_back() -> None:
    before = gc.get_threshold()
    ext = GarbageCollection.from_crawler(
        get_crawler(settings_dict={"NEWSCRAWL_GC_THRESHOLD": 40000})
    )
    try:
        ext.engine_started()
        assert gc.get_threshold() == (40000, *before[1:])
        assert gc.get_freeze_count() > 0
    finally:
        ext.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_zero_leaves_the_collector_alone() -> None:
    with pytest.raises(NotConfigured):
        GarbageCollection.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_GC_THRESHOLD": 0}))


def test_a_page_object_is_freed_without_the_collector() -> None:
    """With the collector run less often, a page object caught in a reference cycle would
    keep its whole parsed tree alive until then (hundreds of MB over a crawl)."""
    import weakref

    from newscrawl.encoding import decode_html
    from newscrawl.extraction.profiled import ArticlePage
    from newscrawl.sites import get_profile
    from testing.synthetic import SyntheticPortal
    from tests.replica_pages import expected_pages, fetch_local

    selectors = get_profile("dzwww").selectors
    pages = [(page.url, *fetch_local(page.url)) for page in expected_pages()]
    portal = SyntheticPortal(5)  # the current template, where 来源 and 作者 come early
    for path in portal.article_paths():
        _, headers, body = portal.render(path)
        pages.append((f"https://www.dzwww.com{path}", body, headers.get("Content-Type")))
    enabled = gc.isenabled()
    gc.disable()
    try:
        for url, body, content_type in pages:
            page = ArticlePage(url, decode_html(body, content_type).text, selectors)
            page.to_fields()
            alive = weakref.ref(page)
            del page
            assert alive() is None, url
    finally:
        if enabled:
            gc.enable()
