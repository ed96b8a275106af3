"""PrivateNetworkGuard, built through from_crawler; the resolver is injected so no private address is contacted."""

from __future__ import annotations

import asyncio
import socket

import pytest
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from xunjian.crawler.netguard import PrivateAddressRefused, PrivateNetworkGuard, is_address_allowed, is_restricted

# Fake answers for made-up names: the guard must refuse them before any connection is attempted.
# (IPv6 unique-local and loopback addresses only; no IPv4 private range is written down here.)
FAKE_DNS = {"intranet.example": ["fd12:3456:789a::10"], "public.example": ["2400:3200::1"],
            "mixed.example": ["2400:3200::2", "::1"]}


def fake_resolver(host: str) -> list[str]:
    if host not in FAKE_DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return FAKE_DNS[host]


def guard(allow=()):
    crawler = get_crawler(Spider, {"XJ_ALLOW_NETWORKS": list(allow), "XJ_RESOLVER": fake_resolver})
    return PrivateNetworkGuard.from_crawler(crawler), crawler


def run(mw, url):
    return asyncio.run(mw.process_request(Request(url)))


def test_refuses_names_resolving_to_private_addresses():
    mw, crawler = guard()
    with pytest.raises(PrivateAddressRefused) as exc:
        run(mw, "http://intranet.example/oa/")
    assert exc.value.address == "fd12:3456:789a::10"
    assert crawler.stats.get_value("netguard/refused") == 1


def test_refuses_if_any_address_is_private():
    mw, _ = guard()
    with pytest.raises(PrivateAddressRefused):
        run(mw, "http://mixed.example/")


def test_public_name_passes():
    mw, _ = guard()
    assert run(mw, "http://public.example/page.html") is None


def test_loopback_literal_refused_unless_allowed():
    mw, _ = guard()
    with pytest.raises(PrivateAddressRefused):
        run(mw, "http://127.0.0.1:8080/")
    mw, _ = guard(allow=["127.0.0.0/8"])
    assert run(mw, "http://127.0.0.1:8080/") is None


def test_allow_list_is_per_network():
    mw, _ = guard(allow=["fd12:3456:789a::/48"])
    assert run(mw, "http://intranet.example/") is None
    with pytest.raises(PrivateAddressRefused):
        run(mw, "http://[::1]:8080/")


def test_unresolvable_name_is_left_to_the_downloader():
    mw, _ = guard()
    assert run(mw, "http://unknown.example/") is None  # the downloader reports the DNS failure itself


@pytest.mark.parametrize("address,restricted", [
    ("127.0.0.1", True), ("::1", True), ("fe80::1", True), ("fd00::1", True), ("::ffff:127.0.0.1", True),
    ("0.0.0.0", True), ("2001:db8::1", True), ("203.0.113.9", True), ("8.8.8.8", False), ("2400:3200::1", False),
])
def test_is_restricted(address, restricted):
    # 2001:db8::/32 and 203.0.113.0/24 are documentation ranges, which Python also counts as non-global/private
    assert is_restricted(address) is restricted


def test_is_address_allowed():
    assert is_address_allowed("8.8.8.8", [])
    assert not is_address_allowed("127.0.0.5", ["::1/128"])
    assert is_address_allowed("127.0.0.5", ["127.0.0.0/8"])
