"""Per-domain politeness shared by every worker: concurrency and delay in total.

Before a request goes out, a worker takes a token for its domain: granted when
fewer than ``concurrency`` tokens are active across all workers and at least
``delay`` seconds passed since the last token was granted (Redis time, so the
workers' clocks do not matter). The token is returned when the response (or
error) is back. Tokens carry an expiry of one lease, renewed by the live
holder, so the tokens of a killed worker free themselves.
"""

from __future__ import annotations

import itertools

import redis

from newscrawl.distributed.keys import domain_key

#: Waits before asking again when every slot of the domain is taken: doubled per
#: refusal from the first to the last, so waiting requests do not poll Redis hard.
FULL_RETRY_FIRST = 0.01
FULL_RETRY_LAST = 0.25

_ACQUIRE = """
-- KEYS: active, last ; ARGV: token, concurrency, delay_ms, hold_ms
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local delay = tonumber(ARGV[3])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if delay > 0 and ms - last < delay then return last + delay - ms end
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ms, 'PX', math.max(delay, 1000))
return 0
"""

_RENEW = """
-- KEYS: active ; ARGV: hold_ms, tokens...
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', ms + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""


class DomainLimiter:
    """Tokens for requests to a domain, limited across all workers."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        worker: str,
        concurrency: int,
        delay: float,
        hold_seconds: float,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.concurrency = max(1, concurrency)
        self.delay_ms = max(0, int(delay * 1000))
        self.hold_ms = max(1000, int(hold_seconds * 1000))
        self._names = (f"{worker}:{n}" for n in itertools.count())
        self.held: dict[str, set[str]] = {}
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)

    def new_token(self) -> str:
        return next(self._names)

    def try_acquire(self, domain: str, token: str, refusals: int = 0) -> float:
        """0 when ``token`` now holds a slot of ``domain``, else seconds to wait first.

        ``refusals``: how often this token was refused because the domain was full.
        """
        active, last = domain_key(self.prefix, domain)
        wait_ms = int(
            self._acquire(
                keys=[active, last],
                args=[token, self.concurrency, self.delay_ms, self.hold_ms],
            )
        )
        if wait_ms == 0:
            self.held.setdefault(domain, set()).add(token)
            return 0.0
        if wait_ms < 0:
            return min(FULL_RETRY_LAST, FULL_RETRY_FIRST * 2**refusals)
        return wait_ms / 1000

    def release(self, domain: str, token: str) -> None:
        """Give the slot back."""
        self.held.get(domain, set()).discard(token)
        self.client.zrem(domain_key(self.prefix, domain)[0], token)

    def renew(self) -> None:
        """Extend the expiry of every token this worker holds."""
        for domain, tokens in self.held.items():
            if tokens:
                self._renew(keys=[domain_key(self.prefix, domain)[0]], args=[self.hold_ms, *tokens])
