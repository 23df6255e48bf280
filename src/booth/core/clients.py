"""Which client a request counts under, for the per-client cap on concurrent runs.

By default a client is an IP address: the peer's, or - only when the peer is one of
`BOOTH_TRUSTED_PROXIES` - the first address in `X-Forwarded-For` that is not a trusted proxy
(read right to left, since each proxy appends the address it saw). A forged header from an
untrusted peer is ignored. In trusted session mode every request comes from the trusted frontend,
so its users are told apart by session id instead.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> TrustedProxies:
        """IPs or CIDRs (`10.0.0.0/8`, `::1`); a bad entry is a ValueError naming it."""
        networks = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ValueError(f"BOOTH_TRUSTED_PROXIES: {entry!r} is not an IP or CIDR") from None
        return cls(tuple(networks))

    def trusts(self, text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in net for net in self.networks)


def client_ip(peer: str | None, forwarded_for: str | None, proxies: TrustedProxies) -> str:
    """The client's IP: the peer's, or the nearest untrusted hop that trusted proxies report."""
    if not peer:
        return "unknown"
    if not forwarded_for or not proxies.trusts(peer):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _address(hop) is None:  # a malformed hop: nothing before it can be believed
            return peer
        if not proxies.trusts(hop):
            return hop
    return hops[0] if hops else peer


def client_key(ip: str, session_id: str | None, per_session: bool) -> str:
    """The key the per-client cap counts under: the session in trusted mode, else the IP."""
    if per_session and session_id:
        return f"session:{session_id}"
    return f"ip:{ip}"
