"""The websocket origin check: scheme, host and port, not the host name alone.

Channels' ``AllowedHostsOriginValidator`` compares only the origin's host name with
``ALLOWED_HOSTS``, so a page served from ``http://127.0.0.1:9999`` may open sockets on a server at
``:8103``. Here an origin is accepted when it is the socket's own origin (the scheme of the
connection, ``ws`` → ``http`` and ``wss`` → ``https``, and its ``Host`` header, default ports made
explicit) or one of ``CSRF_TRUSTED_ORIGINS`` (which holds the public address's origin): the same
rule Django's CSRF check applies to a form post. A socket without an ``Origin`` header is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(origin: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an origin such as ``https://example.com``, lower-case with the
    default port filled in; None for anything that is not an http(s) origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def own_origin(scope: dict[str, Any]) -> tuple[str, str, int] | None:
    """The origin a page served by this server over the same connection would have."""
    host = dict(scope.get("headers") or []).get(b"host")
    if not host:
        return None
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return normalize_origin(f"{scheme}://{host.decode('latin-1')}")


def is_allowed_origin(scope: dict[str, Any]) -> bool:
    """Whether a websocket scope's ``Origin`` is its own origin or a trusted one."""
    header = dict(scope.get("headers") or []).get(b"origin")
    if not header:
        return False
    origin = normalize_origin(header.decode("latin-1"))
    if origin is None:
        return False
    if origin == own_origin(scope):
        return True
    trusted = {normalize_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS}
    return origin in trusted


class OriginValidator:
    """ASGI middleware: refuse a websocket whose origin is not allowed (see module docstring)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not is_allowed_origin(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
