"""The client's IP address behind a reverse proxy (``TRUSTED_PROXIES``).

Rate limits and the login lock-out count per client IP. Behind a reverse proxy every
request comes from the proxy, so the client's address must be read from
``X-Forwarded-For``, but only when the request really comes from a configured proxy:
anyone else can send that header with any address in it.
"""

from __future__ import annotations

import ipaddress
from typing import Union

__all__ = ["IPNetwork", "parse_trusted_proxies", "resolve_client_ip"]

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]  # noqa: UP007


def parse_trusted_proxies(raw: str) -> tuple[IPNetwork, ...]:
    """Parse a comma-separated list of IP addresses and CIDR networks.

    Raises:
        ValueError: If an entry is neither; the message names it.
    """
    networks: list[IPNetwork] = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network; use e.g. 10.0.0.5, "
                "10.0.0.0/24 or ::1, separated by commas."
            ) from None
    return tuple(networks)


def resolve_client_ip(peer: str, forwarded_for: list[str], trusted: tuple[IPNetwork, ...]) -> str:
    """The client's address: the peer's, or, from a trusted proxy, the forwarded one.

    Only when the peer (the TCP connection's address) is a trusted proxy is
    ``X-Forwarded-For`` read, from the right: proxies append the address they saw, so the
    right-most address that is not itself a trusted proxy is the client's. Anyone else's
    header is ignored, since a client can send any header it likes.

    Args:
        peer: The address of the TCP peer.
        forwarded_for: The values of all ``X-Forwarded-For`` headers, in order.
        trusted: The trusted proxies (``TRUSTED_PROXIES``).
    """
    if not _in_networks(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        if not _valid_ip(hop):
            return peer  # a malformed chain: fall back to what is known for sure
        if not _in_networks(hop, trusted):
            return str(ipaddress.ip_address(hop))
    return peer  # the header is missing or names only proxies


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _in_networks(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in networks)
