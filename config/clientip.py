"""The client's address as this server should believe it, behind zero or more trusted proxies.

``X-Forwarded-For`` is a list each proxy appends its peer to; a client can put anything at its
left end, so the leftmost entry is never believed (daphne's ``--proxy-headers`` takes exactly
that one: do not use it). ``SPEEDNET_TRUSTED_PROXIES`` says which part of the list is ours:

- unset or ``0``: no proxy; the connection's own address (``REMOTE_ADDR``) is the client;
- a number ``N``: N proxies in front of daphne, each appending; the client is the N-th entry from
  the right (the address the outermost of our proxies saw);
- comma-separated addresses or networks (``10.0.0.0/8,192.168.1.5``): starting with
  ``REMOTE_ADDR``, entries from the right are skipped while they are trusted; the first untrusted
  one is the client.

A header shorter than the setting promises (a request that bypassed a proxy) falls back to
``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def read_trusted_proxies(value: str) -> int | tuple[Network, ...]:
    """Parse ``SPEEDNET_TRUSTED_PROXIES``: a count or addresses/networks
    (``ImproperlyConfigured`` for anything else)."""
    value = value.strip()
    if not value:
        return 0
    if value.isdigit():
        return int(value)
    try:
        return tuple(
            ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip()
        )
    except ValueError as error:
        raise ImproperlyConfigured(
            f"SPEEDNET_TRUSTED_PROXIES={value!r}: give the number of proxies in front of daphne "
            f"or their addresses separated by commas ({error})."
        ) from None


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from an ``X-Forwarded-For`` entry: ``1.2.3.4``, ``2001:db8::7``, or with the
    port some proxies append (``1.2.3.4:51234``, ``[2001:db8::7]:443``); None for anything else.
    (Without the port rule such an entry fell back to the proxy's own address: every client
    of every venue one key, for the join and sign-in throttles alike.)"""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address_from(
    remote_addr: str, forwarded_for: str, trusted: int | Sequence[Network]
) -> str:
    """The client's address from the connection's address and the ``X-Forwarded-For`` header."""
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if isinstance(trusted, int):
        if trusted == 0 or len(hops) < trusted:
            return remote_addr
        address = parse_address(hops[-trusted])
        return str(address) if address is not None else remote_addr
    chain = [*hops, remote_addr]
    for hop in reversed(chain):
        address = parse_address(hop)
        if address is None:
            return remote_addr
        if not any(address in network for network in trusted):
            return str(address)
    return remote_addr


def client_address(request: HttpRequest, *args: object) -> str:
    """The client's address of a request (see the module docstring). Extra arguments are
    accepted so that django-ratelimit and django-axes can call it as their key."""
    return client_address_from(
        request.META.get("REMOTE_ADDR", "") or "unknown",
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        settings.SPEEDNET_TRUSTED_PROXIES,
    )


def client_ip_or_none(request: HttpRequest) -> str | None:
    """``client_address`` when it is an IP address, else None (a request built without a
    connection, such as a test client's ``force_login``): for django-axes, which stores it in an
    IP address column."""
    address = client_address(request)
    return address if parse_address(address) is not None else None
