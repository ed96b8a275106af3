"""Private-network guard: refuse requests to private, loopback and link-local addresses.

A public government page that links to ``http://10.x.x.x/oa`` or ``http://localhost/`` points
somewhere the public cannot reach (LK005), and a crawler that follows such links can be turned
against the inspection team's own network. This downloader middleware resolves each request's
host (through an injectable resolver, so tests never plant a real private address) and raises
:class:`PrivateAddressRefused` unless the address is inside an allowed network.

Settings: ``XJ_ALLOW_NETWORKS`` (list of CIDRs; from ``crawl.allow_networks`` and
``XUNJIAN_ALLOW_NETWORKS``), ``XJ_RESOLVER`` (a callable ``host -> list[str]``; default
``socket.getaddrinfo`` in a thread). Stats: ``netguard/refused``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

Resolver = Callable[[str], list[str]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PrivateAddressRefused(IgnoreRequest):
    """The request's host resolves to an address the public cannot reach; carries that address."""

    def __init__(self, host: str, address: str):
        super().__init__(f"内网地址 {host} -> {address}")
        self.host = host
        self.address = address


def parse_networks(cidrs: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c and c.strip()]


def is_restricted(address: str) -> bool:
    """True for private, loopback, link-local and unspecified addresses (IPv4, IPv6, mapped IPv4)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified


def is_address_allowed(address: str, allow_networks: Iterable[str | Network]) -> bool:
    """May the crawler connect to ``address``? Public addresses always; restricted ones only if allowed."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return True  # not an address: the downloader will fail on it and report why
    if not is_restricted(address):
        return True
    nets = [n if not isinstance(n, str) else ipaddress.ip_network(n, strict=False) for n in allow_networks]
    return any(ip in net for net in nets if net.version == ip.version)


def system_resolver(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


def restricted_address(host: str, resolver: Resolver, allow: list[Network]) -> str | None:
    """The first resolved address of ``host`` that is not allowed, or None (also when resolution fails)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        addresses = [host.strip("[]")]
    except ValueError:
        try:
            addresses = resolver(host)
        except (OSError, UnicodeError):
            return None
    for address in addresses:
        if not is_address_allowed(address, allow):
            return address
    return None


class PrivateNetworkGuard:
    """Downloader middleware applying :func:`restricted_address` to every request."""

    def __init__(self, allow_networks: Iterable[str], resolver: Resolver | None = None, stats=None):  # noqa: ANN001
        self.allow = parse_networks(allow_networks)
        self.resolver = resolver or system_resolver
        self.stats = stats
        self._cache: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler.settings.getlist("XJ_ALLOW_NETWORKS"),
            crawler.settings.get("XJ_RESOLVER"),
            crawler.stats,
        )

    async def process_request(self, request: Request) -> None:
        host = (urlsplit(request.url).hostname or "").lower()
        if not host:
            return None
        if host not in self._cache:
            if self.resolver is system_resolver:
                self._cache[host] = await asyncio.to_thread(restricted_address, host, self.resolver, self.allow)
            else:
                self._cache[host] = restricted_address(host, self.resolver, self.allow)
        address = self._cache[host]
        if address is not None:
            if self.stats:
                self.stats.inc_value("netguard/refused")
            raise PrivateAddressRefused(host, address)
        return None
