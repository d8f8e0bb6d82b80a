"""Names of every Redis key used by the shared crawl, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpiderKeys:
    """Keys of one spider's shared crawl under ``<prefix>:<spider>:``.

    Spider-wide: the request queue and the payloads of queued and leased
    requests, worker membership and heartbeats, the current run and the run
    history, and the exported-articles state (known articles, the other URLs
    they were asked for, the incomplete ones). Run-scoped (``run:<id>:``): the
    seen-request fingerprints, claims of exported articles and run statistics;
    they are deleted when the run ends and carry a TTL in case it never does.
    """

    prefix: str
    spider: str

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, self.spider, *parts))

    @property
    def queue(self) -> str:
        """ZSET entry id -> score (-priority); ids are zero-padded, so FIFO within a priority."""
        return self._key("queue")

    @property
    def requests(self) -> str:
        """HASH entry id -> serialised request, while queued or leased."""
        return self._key("requests")

    @property
    def sequence(self) -> str:
        """Counter giving queue entry ids."""
        return self._key("sequence")

    @property
    def workers(self) -> str:
        """HASH worker id -> token of the process that holds the id."""
        return self._key("workers")

    @property
    def beats(self) -> str:
        """HASH worker id -> "<last heartbeat, ms> <busy 0/1>"."""
        return self._key("beats")

    def alive(self, worker: str) -> str:
        """STRING token with a TTL of one lease: the worker's leases are valid while it exists."""
        return self._key("alive", worker)

    def leased(self, worker: str) -> str:
        """HASH entry id -> queue score, of the requests the worker holds."""
        return self._key("leased", worker)

    @property
    def committing(self) -> str:
        """HASH worker id -> JSON {run_id, host, file, identity, aliases} while a data file
        is being renamed."""
        return self._key("committing")

    @property
    def run(self) -> str:
        """HASH of the current run: id, number, started_at, seeder, and ``stopped_early``:
        how many of its workers left without finishing normally or were reaped."""
        return self._key("run")

    @property
    def run_counter(self) -> str:
        """Counter of the runs created: each run's ``number`` (their order in the history)."""
        return self._key("run_counter")

    @property
    def runs(self) -> str:
        """HASH run id -> JSON summary of ended runs (the run history)."""
        return self._key("runs")

    @property
    def known(self) -> str:
        """HASH URL digest -> exported article state (id, content hash, version, dates,
        incomplete)."""
        return self._key("known")

    @property
    def aliases(self) -> str:
        """HASH digest of another URL an article was asked for -> its URL digest and URL."""
        return self._key("aliases")

    @property
    def incomplete(self) -> str:
        """ZSET URL of an article last exported without some pages -> its first export
        (epoch seconds)."""
        return self._key("incomplete")

    @property
    def drift_history(self) -> str:
        """HASH run id -> JSON summary of a run (or a worker's share of one) for the drift
        checks and the health report; ``drift_order`` orders them."""
        return self._key("drift", "runs")

    @property
    def drift_order(self) -> str:
        """ZSET run id -> start time (epoch seconds) of the runs in ``drift_history``."""
        return self._key("drift", "order")

    def seen(self, run_id: str) -> str:
        """SET of request fingerprints scheduled in the run (the dupefilter)."""
        return self._key("run", run_id, "seen")

    def claims(self, run_id: str) -> str:
        """HASH article URL -> worker that exports it in the run."""
        return self._key("run", run_id, "claims")

    def uncommitted(self, run_id: str, worker: str) -> str:
        """SET of the URLs a worker claimed and has not committed yet."""
        return self._key("run", run_id, "uncommitted", worker)

    def stats(self, run_id: str) -> str:
        """HASH of the run's statistics summed over its workers."""
        return self._key("run", run_id, "stats")

    def run_scoped(self, run_id: str) -> list[str]:
        """Keys that belong to one run and go away with it (per-worker sets excluded)."""
        return [self.seen(run_id), self.claims(run_id)]


def domain_key(prefix: str, domain: str) -> tuple[str, str]:
    """(ZSET of active request tokens, STRING time of the last request start) of a domain.

    Shared by every spider: politeness is owed to the site, whoever crawls it.
    """
    return f"{prefix}:polite:{domain}:active", f"{prefix}:polite:{domain}:last"


def drift_sites_key(prefix: str) -> str:
    """SET of the spiders with runs in their drift history, under ``prefix``."""
    return f"{prefix}:drift-sites"
