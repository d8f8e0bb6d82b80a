"""Work the crawl hands to another thread and awaits from Scrapy's asyncio event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

_T = TypeVar("_T")


def asyncio_loop_available() -> bool:
    """True when Scrapy runs on an asyncio event loop (its default reactor), which the
    hand-offs to worker threads await on."""
    try:
        from scrapy.utils.asyncio import is_asyncio_available
    except ImportError:  # Scrapy < 2.14
        from scrapy.utils.reactor import is_asyncio_reactor_installed as is_asyncio_available
    return is_asyncio_available()


class WorkerThread:
    """One thread running calls one at a time, in the order they were handed over.

    For state that one thread at a time may touch (an open WARC file and its
    SQLite capture index): every call on it, from opening to closing, goes
    through :meth:`call` or :meth:`run`.
    """

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)

    def call(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run ``function(*args)`` on the thread and wait for it (blocking the caller)."""
        return self._executor.submit(function, *args).result()

    async def run(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run ``function(*args)`` on the thread; the event loop goes on meanwhile."""
        return await asyncio.wrap_future(self._executor.submit(function, *args))

    def close(self) -> None:
        """Finish the calls handed over, then stop the thread."""
        self._executor.shutdown(wait=True)
