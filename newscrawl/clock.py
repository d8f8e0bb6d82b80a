"""The one clock of the project: UTC now, China's time zone, and the ways a time is printed.

* :func:`utc_iso`: ISO 8601 to the second, ``2025-05-23T02:28:00+00:00`` (record fields,
  manifests, the state store);
* :func:`warc_date`: WARC 1.1's ``WARC-Date``, UTC with ``Z`` to the microsecond,
  ``2025-05-23T02:28:00.123456Z``;
* :func:`file_stamp`: ``2025-05-23T02-28-00+00-00``, the form Scrapy gives ``%(time)s`` in
  feed URIs, used for every file named after a time (data files, manifests, the demo);
* :func:`compact_stamp`: ``20250523T022800Z`` (run ids, WARC file-name prefixes).
"""

from __future__ import annotations

import datetime as dt

#: China Standard Time (UTC+8, no daylight saving): the zone of the portals' dates.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))


def utc_now() -> dt.datetime:
    """The current UTC time, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def utc_iso(moment: dt.datetime | None = None) -> str:
    """``moment`` (default: now) as ISO 8601 UTC to the second: ``2025-05-23T02:28:00+00:00``."""
    moment = utc_now() if moment is None else moment.astimezone(dt.UTC).replace(microsecond=0)
    return moment.isoformat()


def warc_date(moment: dt.datetime | None = None) -> str:
    """``moment`` (default: now) as a WARC 1.1 ``WARC-Date``: ``2025-05-23T02:28:00.123456Z``."""
    moment = (moment or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def file_stamp(moment: dt.datetime | None = None) -> str:
    """``moment`` (default: now) for a file name: ``2025-05-23T02-28-00+00-00``.

    The same text Scrapy puts in ``%(time)s`` of a feed URI, so a manifest or a
    demo file sorts and reads like the data files beside it.
    """
    return utc_iso(moment).replace(":", "-")


def compact_stamp(moment: dt.datetime | None = None) -> str:
    """``moment`` (default: now) in the compact form ``20250523T022800Z``."""
    moment = utc_now() if moment is None else moment.astimezone(dt.UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def china_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in China at ``now`` (default: the current time; a naive time is
    taken as China's)."""
    if now is not None and now.tzinfo is None:
        return now.date()
    return (now or dt.datetime.now(dt.UTC)).astimezone(CHINA_TZ).date()
