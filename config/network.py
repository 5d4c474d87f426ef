"""The laptop's own network: which address phones on the same Wi-Fi can reach it at.

Read once at start-up. The LAN address is the IPv4 address of the interface that carries the
default route (the way out of the venue network), not a guess from host names: a host name often
resolves to 127.0.1.1 or to a virtual bridge. On Linux the kernel's routing table
(``/proc/net/route``) names that interface; elsewhere a connected UDP socket asks the kernel which
source address it would use for an outside address (no packet is sent). The interfaces and their
addresses come from ``ifaddr`` (getifaddrs on every platform).

``local_network`` is the pure decision, testable with a fake interface table; ``detect`` gathers
the real inputs and never raises: with no network it answers no LAN address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import ifaddr

ROUTE_TABLE = Path("/proc/net/route")
RTF_UP = 0x1
# TEST-NET-3 (RFC 5737): never answers, and a UDP connect to it only picks a route.
PROBE_DESTINATION = ("203.0.113.1", 9)


@dataclass(frozen=True)
class LocalNetwork:
    """``lan_address``: the IPv4 address of the default route's interface, or None when the
    laptop has no default route (not connected). ``addresses``: every IPv4 address of the laptop
    that is neither loopback nor unspecified, in interface order, for ALLOWED_HOSTS."""

    lan_address: str | None
    addresses: tuple[str, ...]


def default_route_interface(route_table: str) -> str | None:
    """The interface of the default route in the text of ``/proc/net/route``, or None.

    Only routes that are up with destination and mask 0.0.0.0 count; among several (Wi-Fi and
    Ethernet both connected) the lowest metric wins, as it does in the kernel, then the first
    listed. Lines that cannot be read are skipped.
    """
    best: tuple[int, str] | None = None
    for line in route_table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8:
            continue
        name, destination, flags, metric, mask = (
            fields[0],
            fields[1],
            fields[3],
            fields[6],
            fields[7],
        )
        try:
            is_up = int(flags, 16) & RTF_UP
            is_default = int(destination, 16) == 0 and int(mask, 16) == 0
            rank = int(metric)
        except ValueError:
            continue
        if is_up and is_default and (best is None or rank < best[0]):
            best = (rank, name)
    return best[1] if best else None


def is_usable_ipv4(address: str) -> bool:
    """An IPv4 address another device could use: not loopback, unspecified or link-local."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def local_network(
    *,
    routes: str | None,
    interfaces: Mapping[str, Sequence[str]],
    probe: str | None,
) -> LocalNetwork:
    """Decide the LAN address from what the system says.

    ``routes`` is the text of ``/proc/net/route`` (None where there is none: macOS, Windows);
    ``interfaces`` maps each interface name to its addresses (any family, as text); ``probe`` is
    the source address the kernel picked for an outside destination, or None. With a routing
    table, the default route's interface decides (the probe only breaks a tie between two of its
    addresses); without one, the probe does.
    """
    addresses: list[str] = []
    for names in interfaces.values():
        for address in names:
            if is_usable_ipv4(address) and address not in addresses:
                addresses.append(address)
    probed = probe if probe is not None and is_usable_ipv4(probe) else None
    if routes is None:
        return LocalNetwork(lan_address=probed, addresses=tuple(addresses))
    name = default_route_interface(routes)
    candidates = [a for a in interfaces.get(name, ()) if is_usable_ipv4(a)] if name else []
    lan = probed if probed in candidates else next(iter(candidates), None)
    return LocalNetwork(lan_address=lan, addresses=tuple(addresses))


def probe_source_address() -> str | None:
    """The source address the kernel would use for an outside destination, or None when there
    is no route out. Sends nothing."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(PROBE_DESTINATION)
            return sock.getsockname()[0]
    except OSError:
        return None


def interface_table() -> dict[str, list[str]]:
    """Every interface's addresses as text (IPv6 ones too; the caller filters)."""
    table: dict[str, list[str]] = {}
    try:
        adapters = ifaddr.get_adapters()
    except OSError:
        return table
    for adapter in adapters:
        table[adapter.name] = [ip.ip if isinstance(ip.ip, str) else ip.ip[0] for ip in adapter.ips]
    return table


def detect(*, route_table: Path = ROUTE_TABLE) -> LocalNetwork:
    """This machine's ``LocalNetwork``, read now. Never raises."""
    try:
        routes: str | None = route_table.read_text(encoding="ascii", errors="replace")
    except OSError:
        routes = None
    return local_network(routes=routes, interfaces=interface_table(), probe=probe_source_address())
