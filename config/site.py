"""The one public address: where phones and mail reach this server.

Every QR code, printed or projected link, join link and mail link is built by ``public_url``, from
``settings.SITE_URL``, which is fixed at start-up by ``read_public_url``:

1. ``SPEEDNET_SITE_URL`` (or ``SITE_URL``) when set: a hosted server, a tunnel, a local HTTPS
   proxy. With DEBUG off it must be set.
2. Otherwise (development) where the local server listens, as told by the command that starts it
   (``make run``, ``make venue``): ``SPEEDNET_BIND`` and ``SPEEDNET_PORT``. Listening on every
   interface (``0.0.0.0``) gives the LAN address of the interface with the default route (see
   ``config.network``); listening on loopback (the default of daphne and runserver) gives
   ``127.0.0.1``, which the organizer's pages then flag as unreachable for phones.

A request's own host is never used: on the organizer's laptop it is ``127.0.0.1``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import env as config_env
from config.network import LocalNetwork

DEFAULT_BIND = "127.0.0.1"
DEFAULT_PORT = 8000
LOOPBACK_NAMES = frozenset({"localhost"})


def read_bind(env: Mapping[str, str]) -> str:
    """``SPEEDNET_BIND``: the address the server listens on, an IP address or ``localhost``;
    ``127.0.0.1`` when unset."""
    raw = env.get("SPEEDNET_BIND", "").strip().strip("[]")
    if not raw:
        return DEFAULT_BIND
    if raw.lower() in LOOPBACK_NAMES:
        return raw.lower()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise ImproperlyConfigured(
            f"SPEEDNET_BIND={env['SPEEDNET_BIND']!r} is not an IP address: use 0.0.0.0 (every "
            "interface), 127.0.0.1, or one of this machine's addresses."
        ) from None


def url_host(address: str) -> str:
    """An address as the host part of a URL: IPv6 literals in brackets."""
    return f"[{address}]" if ":" in address else address


def development_url(*, bind: str, port: int, network: LocalNetwork) -> str:
    """The development server's public address, e.g. ``http://192.168.1.20:8000``.

    ``bind`` unspecified (``0.0.0.0`` or ``::``): the LAN address, or ``127.0.0.1`` when the
    laptop has no network. Any other ``bind``: that address.
    """
    host = bind
    if bind not in LOOPBACK_NAMES and ipaddress.ip_address(bind).is_unspecified:
        host = network.lan_address or DEFAULT_BIND
    return f"http://{url_host(host)}:{port}"


def read_public_url(env: Mapping[str, str], *, debug: bool, network: LocalNetwork) -> str:
    """``settings.SITE_URL``: the configured address, else (DEBUG only) the development server's.

    Raises ``ImproperlyConfigured`` for a malformed value, and when DEBUG is off and no address
    is set (a production server cannot know its public name).
    """
    configured = config_env.read_site_url(env)
    if configured is not None:
        return configured
    if not debug:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off but SPEEDNET_SITE_URL is not set: set it to the address phones "
            "and mail links use, e.g. https://speednet.example.com"
        )
    port = config_env.read_int(env, "SPEEDNET_PORT", default=DEFAULT_PORT, minimum=1)
    if port > 65535:
        raise ImproperlyConfigured(f"SPEEDNET_PORT={port} is not a port number (1–65535).")
    return development_url(bind=read_bind(env), port=port, network=network)


def development_hosts(site_url: str, network: LocalNetwork) -> list[str]:
    """Host names a development server answers to beyond localhost: the public address's host
    and every address of the laptop, so a phone can open any of them."""
    hosts = [urlsplit(site_url).hostname or ""]
    hosts += [a for a in network.addresses if a not in hosts]
    return [url_host(h) for h in hosts if h]


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, without a path prefix (as CSRF origins are)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_unreachable(host: str) -> bool:
    """Whether other devices cannot reach ``host`` (a host name or an IP address, IPv6 with or
    without brackets): ``localhost``, ``*.localhost``, a loopback, unspecified or link-local
    address."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified or ip.is_link_local


LOCAL_SUFFIXES = (".local", ".localdomain", ".lan", ".internal", ".home.arpa", ".localhost")


def numeric_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``host`` as an IP address, including the short IPv4 forms that resolvers accept
    ("127.1", "2130706433", "0x7f.1"), or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(part for part in host.split(".")) and host.replace(".", "").isalnum():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_local_only(host: str) -> bool:
    """Whether ``host`` works only on this machine or this network, so mail that names it (a
    sender, a link) fails for people elsewhere: unreachable (``is_unreachable``), a private
    address in any IPv4 form, a name without a dot, or a local-network suffix (.local, .lan…)."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host or is_unreachable(host):
        return True
    ip = numeric_ip(host)
    if ip is not None:
        return not ip.is_global
    return "." not in host or host.endswith(LOCAL_SUFFIXES)


def unreachable_host(url: str) -> str | None:
    """The host of ``url`` when other devices cannot reach it (loopback, unspecified, link-local,
    ``localhost``), else None."""
    host = (urlsplit(url).hostname or "").lower()
    return host if is_unreachable(host) else None


def check_mail_settings(env: Mapping[str, str], *, debug: bool, site_url: str) -> None:
    """With DEBUG off and ``EMAIL_HOST`` set, mail goes to real people: refuse a sender
    (``DEFAULT_FROM_EMAIL``) that is missing or at this machine, and a public address
    (``site_url``, as ``read_public_url`` gave it) that other devices cannot reach, since every
    mail link is built from it. A missing ``SPEEDNET_SITE_URL`` with DEBUG off is refused by
    ``read_public_url`` already, with or without mail. Raises ``ImproperlyConfigured`` naming
    the variable."""
    if debug or not env.get("EMAIL_HOST", "").strip():
        return
    sender = env.get("DEFAULT_FROM_EMAIL", "").strip()
    if not sender:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off and EMAIL_HOST is set, but DEFAULT_FROM_EMAIL is missing: set "
            "it to the address mail comes from, e.g. speednet <noreply@events.example.com>."
        )
    _name, address = parseaddr(sender)
    _local, at, domain = address.rpartition("@")
    if not at or "\n" in sender or "\r" in sender or not domain or is_local_only(domain):
        raise ImproperlyConfigured(
            f"DEFAULT_FROM_EMAIL={sender!r} is not an address other mail servers accept: use "
            "one at your real domain, e.g. speednet <noreply@events.example.com>."
        )
    if is_local_only(urlsplit(site_url).hostname or ""):
        name = next(
            (n for n in config_env.SITE_URL_NAMES if env.get(n, "").strip()), "SPEEDNET_SITE_URL"
        )
        raise ImproperlyConfigured(
            f"{name}={site_url!r} points at this machine or this network: the links in mail "
            "would not open on anyone's phone at home. Set it to the public address, e.g. "
            "https://speednet.example.com"
        )


def public_url(path: str = "") -> str:
    """The absolute URL phones and mail open for ``path`` (from ``reverse``, starting with ``/``),
    e.g. ``public_url("/join/ABC123/")`` → ``"http://192.168.1.20:8000/join/ABC123/"``."""
    if path and not path.startswith("/"):
        raise ValueError(f"public_url takes an absolute path, not {path!r}")
    return settings.SITE_URL + path


@dataclass(frozen=True)
class PublicAddress:
    """For the organizer's pages: ``url`` (no trailing slash) and ``unreachable_host``, the host
    phones cannot reach when that is the case (the pages warn), else None."""

    url: str
    unreachable_host: str | None


def public_address() -> PublicAddress:
    """The public address and its warning, for a page's ``public_address`` context (read by
    ``templates/partials/address_warning.html``)."""
    return PublicAddress(url=public_url(), unreachable_host=unreachable_host(public_url()))
