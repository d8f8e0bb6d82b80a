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
