"""The address-check allowance of crawls that start from servers on this machine."""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import urlsplit


class _Served(Protocol):
    port: int


def replica_addresses(*texts: str, server: _Served | None = None) -> str:
    """``NEWSCRAWL_ALLOWED_ADDRESSES`` for the local servers a crawl starts from: the host
    and port of every loopback URL in ``texts`` (URLs, comma-separated URLs or
    ``start_urls=…`` arguments), and ``server``'s. Only those ports: another local port
    stays refused."""
    allowed = [f"127.0.0.1:{server.port}"] if server is not None else []
    for text in texts:
        for url in re.sub(r"^\w+=", "", text).split(","):
            parts = urlsplit(url.strip())
            if parts.hostname in ("127.0.0.1", "localhost") and parts.port:
                allowed.append(f"{parts.hostname}:{parts.port}")
    return ",".join(dict.fromkeys(allowed))
