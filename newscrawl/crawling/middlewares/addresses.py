"""Refuse requests to hosts that resolve to this machine, its network or a cloud metadata service.

A news crawl only ever needs public web servers. A portal host (or any host a
redirect leads to) whose name resolves to a loopback, private, link-local,
shared (carrier-grade NAT), multicast, reserved or cloud-metadata address is
refused before a connection is made, unless ``NEWSCRAWL_ALLOWED_ADDRESSES``
allows it (the replica portal on 127.0.0.1 in tests and the demo):

* Every request is checked, redirects included: a redirect is a new request and
  passes through the downloader middlewares again.
* IPv6 forms that carry an IPv4 address (``::ffff:127.0.0.1``, ``::127.0.0.1``,
  6to4 ``2002:7f00:1::``, NAT64 ``64:ff9b::7f00:1``) are judged by that address.
* Names are resolved with the crawler's own resolver (``reactor.resolve``, which
  Scrapy's caching resolver answers from a thread, so the connection that follows
  uses the same cached answer), or ``getaddrinfo`` on the asyncio loop when no
  Twisted reactor runs (then every returned address must pass). A name that does
  not resolve is left to the downloader, which fails it as a DNS error.
* A refusal raises :class:`AddressRefused` (an ``IgnoreRequest``), is logged as a
  warning and counted: ``newscrawl/address_refused`` and
  ``newscrawl/address_refused/<reason>``.

``NEWSCRAWL_ALLOWED_ADDRESSES`` entries: an address or network (``127.0.0.1``,
``127.0.0.0/8``, ``::1``, ``fc00::/7``), a host name (``localhost``), either with a
port (``127.0.0.1:8123``, ``[::1]:8123``, ``localhost:8123``) to allow only that port.
``NEWSCRAWL_ADDRESS_CHECK = False`` turns the check off; it is also off while
replaying archives (``NEWSCRAWL_REPLAY``), where nothing is fetched.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from newscrawl.crawling import keys

__all__ = [
    "ADDRESS_REFUSED_STAT",
    "ALLOWED_ADDRESSES_SETTING",
    "AddressCheckMiddleware",
    "AddressPolicy",
    "AddressRefused",
    "classify_address",
]

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_ADDRESSES_SETTING = "NEWSCRAWL_ALLOWED_ADDRESSES"
ADDRESS_CHECK_SETTING = "NEWSCRAWL_ADDRESS_CHECK"
#: Stats: refusals in all, and ``<ADDRESS_REFUSED_STAT>/<reason>`` by reason.
ADDRESS_REFUSED_STAT = keys.STAT_ADDRESS_REFUSED

#: Cloud instance-metadata services (AWS, GCP, Azure, OpenStack, Huawei; AWS ECS; Tencent
#: Cloud; Alibaba Cloud; AWS over IPv6).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.0.23",
        "100.100.100.200",
        "fd00:ec2::254",
    )
)

_NETWORKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unspecified", ("0.0.0.0/8", "::/128")),
    ("loopback", ("127.0.0.0/8", "::1/128")),
    ("link_local", ("169.254.0.0/16", "fe80::/10")),
    ("private", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10")),
    ("shared", ("100.64.0.0/10",)),
    ("multicast", ("224.0.0.0/4", "ff00::/8")),
    ("broadcast", ("255.255.255.255/32",)),
)
_CLASSES = tuple(
    (reason, tuple(ipaddress.ip_network(n) for n in networks)) for reason, networks in _NETWORKS
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _without_zone(address: IPAddress) -> IPAddress:
    """``fe80::1%eth0`` → ``fe80::1``; other addresses unchanged."""
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return ipaddress.IPv6Address(int(address))
    return address


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    plain = _without_zone(address)
    if plain in _NAT64 or (plain in _IPV4_COMPATIBLE and int(plain) > 1):
        return ipaddress.IPv4Address(int(plain) & 0xFFFFFFFF)
    return None


def classify_address(address: IPAddress | str) -> str | None:
    """Why a crawl must not connect to ``address`` (``"loopback"``, ``"private"`` …), or None.

    Reasons: ``metadata``, ``unspecified``, ``loopback``, ``link_local``, ``private``,
    ``shared``, ``multicast``, ``broadcast``, ``reserved`` (any other address that is
    not globally routable: documentation, benchmarking, 240/4 …). An IPv6 address
    carrying an IPv4 address is judged by the IPv4 address.
    """
    if isinstance(address, str):
        address = ipaddress.ip_address(address)
    inner = embedded_ipv4(address)
    if inner is not None:
        return classify_address(inner)
    plain = _without_zone(address)
    if plain in METADATA_ADDRESSES:
        return "metadata"
    for reason, networks in _CLASSES:
        if any(plain in network for network in networks):
            return reason
    return None if plain.is_global else "reserved"


@dataclass(frozen=True)
class _Allowed:
    network: IPNetwork | None
    host: str | None
    port: int | None


_HOST_PORT = re.compile(r"^(?P<host>[^:\[\]]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>\d{1,5}))?$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$")


def _parse_entry(entry: str) -> _Allowed:
    text = entry.strip()
    try:
        return _Allowed(ipaddress.ip_network(text, strict=False), None, None)
    except ValueError:
        pass
    match = _HOST_PORT.match(text)
    if match is not None:
        host, port = match["host"].strip("[]"), match["port"]
        port_number = int(port) if port is not None else None
        if port_number is None or 0 < port_number < 65536:
            try:
                return _Allowed(ipaddress.ip_network(host), None, port_number)
            except ValueError:
                numeric = host.rsplit(".", 1)[-1].isdigit()  # a bad address, not a name
                if _HOSTNAME.match(host) and not numeric and not match["host"].startswith("["):
                    return _Allowed(None, host.lower().rstrip("."), port_number)
    raise ValueError(
        f"{ALLOWED_ADDRESSES_SETTING}: {entry!r} is not an address, a network (CIDR), "
        "a host name, or one of these with :PORT"
    )


class AddressPolicy:
    """Which hosts and addresses a crawl may connect to (all public ones, plus those allowed)."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = tuple(_parse_entry(entry) for entry in allowed if entry.strip())

    def allows_host(self, host: str, port: int) -> bool:
        """True when ``host`` (a name) is allowed as such, on ``port``."""
        name = host.lower().rstrip(".")
        return any(a.host == name and (a.port is None or a.port == port) for a in self.allowed)

    def refusal(self, address: IPAddress | str, port: int) -> str | None:
        """The reason ``address``:``port`` is refused, or None when it may be used."""
        if isinstance(address, str):
            address = ipaddress.ip_address(address)
        reason = classify_address(address)
        if reason is None:
            return None
        candidates = {_without_zone(address)}
        inner = embedded_ipv4(address)
        if inner is not None:
            candidates.add(inner)
        for a in self.allowed:
            if a.network is None or (a.port is not None and a.port != port):
                continue
            if any(c.version == a.network.version and c in a.network for c in candidates):
                return None
        return reason


class AddressRefused(IgnoreRequest):
    """A request refused because its host resolves to an address a crawl must not reach."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address} ({reason} address)")
        self.host = host
        self.address = address
        self.reason = reason


Resolver = Callable[[str, int], Awaitable[list[str]]]
_DEFAULT_PORTS = {"http": 80, "https": 443}


async def _reactor_resolve(host: str, port: int) -> list[str]:
    """The address the downloader will connect to, from the reactor's (caching) resolver."""
    from twisted.internet import reactor

    return [await maybe_deferred_to_future(reactor.resolve(host))]


async def _loop_resolve(host: str, port: int) -> list[str]:
    """Every address ``getaddrinfo`` gives for ``host`` (no Twisted reactor running)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressCheckMiddleware:
    """Downloader middleware: refuse requests whose host resolves to a non-public address."""

    def __init__(self, crawler: Any, policy: AddressPolicy, resolve: Resolver) -> None:
        self.crawler = crawler
        self.policy = policy
        self.resolve = resolve

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressCheckMiddleware:
        settings = crawler.settings
        if not settings.getbool(ADDRESS_CHECK_SETTING, True):
            raise NotConfigured(f"{ADDRESS_CHECK_SETTING} is off")
        if settings.getlist("NEWSCRAWL_REPLAY"):
            raise NotConfigured("replaying archives: nothing is fetched")
        policy = AddressPolicy(settings.getlist(ALLOWED_ADDRESSES_SETTING))
        use_reactor = settings.getbool("TWISTED_REACTOR_ENABLED", True)
        return cls(crawler, policy, _reactor_resolve if use_reactor else _loop_resolve)

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        host = parts.hostname
        if not host or parts.scheme not in _DEFAULT_PORTS:
            return None
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
        if self.policy.allows_host(host, port):
            return None
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a) for a in await self.resolve(host, port)]
            except (OSError, ValueError, DNSLookupError) as exc:
                logger.debug("Address check: %s does not resolve (%s)", host, exc)
                return None
        for address in addresses:
            reason = self.policy.refusal(address, port)
            if reason is not None:
                self._refuse(request, host, str(address), reason)
        return None

    def _refuse(self, request: Request, host: str, address: str, reason: str) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(ADDRESS_REFUSED_STAT)
            stats.inc_value(f"{ADDRESS_REFUSED_STAT}/{reason}")
        logger.warning(
            "Refused %s: %s resolves to %s (%s address; allow it with %s)",
            request.url,
            host,
            address,
            reason,
            ALLOWED_ADDRESSES_SETTING,
        )
        raise AddressRefused(host, address, reason)
