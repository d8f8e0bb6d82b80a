"""The address check: no request to loopback, private, link-local or metadata addresses.

Address classification and the allow-list are checked with the ipaddress module; the
middleware is checked in real crawls of the replica on 127.0.0.1 (loopback addresses
only), enabled through DOWNLOADER_MIDDLEWARES on the command line.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl import settings as project_settings
from newscrawl.crawling.middlewares.addresses import (
    ADDRESS_REFUSED_STAT,
    AddressPolicy,
    _loop_resolve,
    classify_address,
    embedded_ipv4,
)
from newscrawl.replica import ReplicaServer
from testing.faults import FaultServer
from tests.conftest import run_crawl
from tests.replica_pages import expected_lists

MIDDLEWARE = "newscrawl.crawling.middlewares.addresses.AddressCheckMiddleware"
CHANNEL = "www/news/yw/"
CHANNEL_ARTICLES = expected_lists()["channels"]["/" + CHANNEL]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        # loopback, in every spelling
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:7f00:1", "loopback"),
        ("::127.0.0.1", "loopback"),  # IPv4-compatible (deprecated)
        ("64:ff9b::7f00:1", "loopback"),  # NAT64
        ("2002:7f00:1::1", "loopback"),  # 6to4
        # private networks
        ("10.0.0.1", "private"),
        ("10.255.255.255", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("::ffff:192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fec0::1", "private"),  # site-local (deprecated)
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        # link-local and metadata services
        ("169.254.1.1", "link_local"),
        ("fe80::1", "link_local"),
        ("fe80::1%eth0", "link_local"),
        ("169.254.169.254", "metadata"),
        ("::ffff:169.254.169.254", "metadata"),
        ("169.254.170.2", "metadata"),
        ("100.100.100.200", "metadata"),
        ("fd00:ec2::254", "metadata"),
        # this host, any address
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:0.0.0.0", "unspecified"),
        # other non-public ranges
        ("100.64.0.1", "shared"),
        ("100.127.255.255", "shared"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("192.0.2.1", "reserved"),
        ("198.18.0.1", "reserved"),
        ("240.0.0.1", "reserved"),
        ("2001:db8::1", "reserved"),
        # public
        ("8.8.8.8", None),
        ("172.32.0.1", None),
        ("100.128.0.1", None),
        ("203.0.114.1", None),
        ("2606:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),
    ],
)
def test_classification(address: str, reason: str | None) -> None:
    assert classify_address(address) == reason
    assert classify_address(ipaddress.ip_address(address)) == reason


def test_every_non_global_address_of_the_named_ranges_is_refused() -> None:
    for network in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"):
        net = ipaddress.ip_network(network)
        for address in (net[0], net[1], net[net.num_addresses // 2], net[-1]):
            assert classify_address(address) is not None, address
            mapped = ipaddress.IPv6Address(f"::ffff:{address}")
            assert classify_address(mapped) == classify_address(address)


def test_embedded_ipv4() -> None:
    assert embedded_ipv4(ipaddress.ip_address("::ffff:10.1.2.3")) == ipaddress.ip_address(
        "10.1.2.3"
    )
    assert embedded_ipv4(ipaddress.ip_address("2002:c0a8:101::")) == ipaddress.ip_address(
        "192.168.1.1"
    )
    assert embedded_ipv4(ipaddress.ip_address("::1")) is None
    assert embedded_ipv4(ipaddress.ip_address("::")) is None
    assert embedded_ipv4(ipaddress.ip_address("2606:4700::1")) is None
    assert embedded_ipv4(ipaddress.ip_address("127.0.0.1")) is None


def test_the_allow_list() -> None:
    policy = AddressPolicy(
        ["127.0.0.1:8123", "10.0.0.0/8", "[::1]:9000", "localhost:7000", "Replica.Local", " "]
    )
    assert policy.refusal("127.0.0.1", 8123) is None
    assert policy.refusal("::ffff:127.0.0.1", 8123) is None  # the same address
    assert policy.refusal("127.0.0.1", 8124) == "loopback"  # another port
    assert policy.refusal("127.0.0.2", 8123) == "loopback"
    assert policy.refusal("10.9.8.7", 80) is None
    assert policy.refusal("::1", 9000) is None
    assert policy.refusal("::1", 80) == "loopback"
    assert policy.refusal("169.254.169.254", 80) == "metadata"
    assert policy.refusal("8.8.8.8", 80) is None
    assert policy.allows_host("localhost", 7000)
    assert policy.allows_host("LOCALHOST.", 7000)
    assert not policy.allows_host("localhost", 7001)
    assert policy.allows_host("replica.local", 1)
    assert not policy.allows_host("127.0.0.1", 8123)  # addresses are allowed as addresses
    assert AddressPolicy(["127.0.0.0/8"]).refusal("127.8.9.10", 1) is None
    assert AddressPolicy(["::/0"]).refusal("127.0.0.1", 1) == "loopback"  # versions differ


@pytest.mark.parametrize(
    "entry", ["127.0.0.1:99999", "300.1.1.1", "10.0.0.0/33", "host name", "[localhost]:80", "a:b"]
)
def test_bad_allow_entries_are_refused_with_the_setting_named(entry: str) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"NEWSCRAWL_ALLOWED_ADDRESSES: '{entry}' is not")
    ):
        AddressPolicy([entry])


def test_resolution_without_a_reactor_returns_every_address() -> None:
    addresses = asyncio.run(_loop_resolve("localhost", 80))
    assert "127.0.0.1" in addresses
    assert all(classify_address(a) == "loopback" for a in addresses)


# -- real crawls -------------------------------------------------------------------------


def _paths(records: list[dict]) -> list[str]:
    return sorted(urlsplit(r["url"]).path for r in records)


def test_the_check_is_on_by_default_before_robots_txt() -> None:
    assert project_settings.DOWNLOADER_MIDDLEWARES[MIDDLEWARE] == 60
    assert project_settings.NEWSCRAWL_ADDRESS_CHECK is True
    assert project_settings.NEWSCRAWL_ALLOWED_ADDRESSES == []


def _settings(allowed: list[str] | None = None) -> dict[str, str]:
    """The project's settings (the check registered), allowing only ``allowed``."""
    return {"NEWSCRAWL_ALLOWED_ADDRESSES": ",".join(allowed or [])}


@pytest.fixture(scope="module")
def portal():
    with ReplicaServer() as server:
        yield server


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_portal_is_not_requested_unless_allowed(
    tmp_path: Path, portal: ReplicaServer, host: str
) -> None:
    start = f"http://{host}:{portal.port}/{CHANNEL}"
    crawl = run_crawl(tmp_path, "-a", f"start_urls={start}", server=portal, settings=_settings())
    assert crawl.requested == []  # not even robots.txt
    assert crawl.records == []
    assert crawl.stats[ADDRESS_REFUSED_STAT] == crawl.stats[f"{ADDRESS_REFUSED_STAT}/loopback"]
    assert crawl.stats[ADDRESS_REFUSED_STAT] == 1  # the list page, before robots.txt is asked for
    assert crawl.returncode == 7  # no list page could be read
    assert (
        f"Refused {start}: {host} resolves to 127.0.0.1 (loopback address; allow it with "
        "NEWSCRAWL_ALLOWED_ADDRESSES)" in crawl.log
    )


def test_an_allowed_address_and_port_crawls_as_usual(tmp_path: Path, portal: ReplicaServer) -> None:
    start = f"{portal.url}{CHANNEL}"
    crawl = run_crawl(
        tmp_path,
        "-a",
        f"start_urls={start}",
        server=portal,
        settings=_settings([f"127.0.0.1:{portal.port}"]),
    )
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert _paths(crawl.records) == sorted(CHANNEL_ARTICLES)
    assert ADDRESS_REFUSED_STAT not in crawl.stats


def test_a_redirect_to_another_local_port_is_refused(tmp_path: Path) -> None:
    """Both ports are in the crawl's scope (start URLs on each), only the portal's is
    allowed: the redirect to the other port is refused by the address check, and the
    article counted as failed with that reason."""
    moved = CHANNEL_ARTICLES[0]
    with ReplicaServer() as other, FaultServer() as portal:
        portal.set_faults([f"{moved}$=redirect-port:{other.port}"])
        crawl = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={portal.url}{CHANNEL},{other.url}{CHANNEL}",
            server=portal,
            settings=_settings([f"127.0.0.1:{portal.port}"]),
        )
        assert other.requests == []
        assert [r.status for r in portal.records if r.path == moved] == [302]
    # the other server's channel page and the redirect
    assert crawl.stats[f"{ADDRESS_REFUSED_STAT}/loopback"] == 2
    assert f"Refused http://127.0.0.1:{other.port}{moved}: 127.0.0.1 resolves to" in crawl.log
    assert _paths(crawl.records) == sorted(CHANNEL_ARTICLES[1:])
    failed = {
        (e["kind"], urlsplit(e["url"]).path, e["reason"])
        for e in crawl.stats["newscrawl/failed_urls"]
    }
    assert failed == {
        ("list_page", "/" + CHANNEL, "address_refused"),
        ("article", moved, "address_refused"),
    }
