"""A Redis client for workers, and a guard that carries calls through outages."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Errors that mean "Redis cannot be reached right now" (restart, network, loading data).
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.BusyLoadingError,
)

_FIRST_BACKOFF = 0.1
_MAX_BACKOFF = 2.0


class RedisUnavailable(RuntimeError):
    """Redis stayed unreachable for longer than the configured outage limit."""


class RedisDown(RuntimeError):
    """Redis is unreachable at the moment (a non-blocking call gave up at once)."""


def connect(url: str) -> redis.Redis:
    """A client for ``url`` that fails fast: retries and back-off are the guard's job."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=5,
        socket_timeout=15,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )


def describe(url: str) -> str:
    """``url`` without a password, for log lines."""
    head, sep, tail = url.rpartition("@")
    if not sep:
        return url
    scheme = head.split("://", 1)[0]
    return f"{scheme}://***@{tail}"


class RedisGuard:
    """Run Redis calls so that an outage is logged once, waited out, and bounded.

    ``call`` retries with exponential back-off (blocking) until Redis answers
    or the outage has lasted ``outage_limit`` seconds, then raises
    :class:`RedisUnavailable`. ``try_call`` makes at most one attempt, none
    while a back-off is running, and raises :class:`RedisDown` instead of
    waiting: for callers on the crawler's event loop that have something
    else to do. Both share one view of the current outage.
    """

    def __init__(
        self,
        outage_limit: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.outage_limit = outage_limit
        self.clock = clock
        self.sleep = sleep
        self.down_since: float | None = None
        self.outages = 0
        self._backoff = _FIRST_BACKOFF
        self._next_attempt = 0.0

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def outage_seconds(self) -> float:
        """How long the current outage has lasted (0 when Redis answers)."""
        return 0.0 if self.down_since is None else self.clock() - self.down_since

    def exceeded(self) -> bool:
        """True when the current outage is longer than the limit."""
        return self.down_since is not None and self.outage_seconds() > self.outage_limit

    def _failed(self, error: Exception) -> None:
        now = self.clock()
        if self.down_since is None:
            self.down_since = now
            self.outages += 1
            self._backoff = _FIRST_BACKOFF
            logger.warning(
                "Redis unreachable (%s); waiting with back-off, giving up after %.0f s",
                error,
                self.outage_limit,
            )
        else:
            self._backoff = min(self._backoff * 2, _MAX_BACKOFF)
        self._next_attempt = now + self._backoff

    def _succeeded(self) -> None:
        if self.down_since is not None:
            logger.warning("Redis reachable again after %.1f s", self.outage_seconds())
            self.down_since = None

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, retried through an outage of up to ``outage_limit``."""
        while True:
            try:
                result = fn(*args, **kwargs)
            except OUTAGE_ERRORS as error:
                self._failed(error)
                if self.exceeded():
                    raise RedisUnavailable(
                        f"Redis unreachable for {self.outage_seconds():.0f} s "
                        f"(limit {self.outage_limit:.0f} s): {error}"
                    ) from error
                self.sleep(max(0.0, self._next_attempt - self.clock()))
                continue
            self._succeeded()
            return result

    def try_call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One attempt of ``fn``; :class:`RedisDown` when Redis is (still) unreachable."""
        if self.down_since is not None and self.clock() < self._next_attempt:
            raise RedisDown("Redis unreachable")
        try:
            result = fn(*args, **kwargs)
        except OUTAGE_ERRORS as error:
            self._failed(error)
            raise RedisDown(str(error)) from error
        self._succeeded()
        return result
