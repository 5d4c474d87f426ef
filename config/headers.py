"""Response headers every dynamic page gets: Permissions-Policy and ``Cache-Control: no-store``.

(The Content-Security-Policy comes from django-csp, configured in settings.)

- **Permissions-Policy** allows only what the pages use: the screen wake lock and fullscreen on
  our own origin; camera, microphone, geolocation, payment, USB and screen capture for nobody. A
  view that needs more says so with ``@permissions_policy(camera="self")`` (the door scanner).
  Vibration is not a Permissions-Policy feature: phones buzz without one.
- **Cache-Control: no-store** on every response of a view (personal pages, exports, mail links,
  the organizer's pages): none of them may stay in a shared or the phone's disk cache. A view that
  sets its own Cache-Control keeps it. Static files are answered by WhiteNoise before this
  middleware (it is listed after WhiteNoise) and keep their long caching.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY: dict[str, str] = {
    "camera": "",
    "microphone": "",
    "geolocation": "",
    "payment": "",
    "usb": "",
    "display-capture": "",
    "screen-wake-lock": "self",
    "fullscreen": "self",
}


def policy_header(features: dict[str, str]) -> str:
    """``{"camera": "self", "usb": ""}`` → ``camera=(self), usb=()``."""
    return ", ".join(f"{name}=({allow})" for name, allow in features.items())


def permissions_policy(**allow: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view decorator widening the Permissions-Policy for that view only, e.g.
    ``@permissions_policy(camera="self")``. Feature names use ``_`` for ``-``."""
    changes = {name.replace("_", "-"): value for name, value in allow.items()}

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            response = view(*args, **kwargs)
            response.permissions_policy = {**PERMISSIONS_POLICY, **changes}
            return response

        return wrapped

    return decorator


class SecurityHeadersMiddleware:
    """Adds the two headers above to every response that passes through it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        features = getattr(response, "permissions_policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Permissions-Policy", policy_header(features))
        response.headers.setdefault("Cache-Control", "no-store")
        return response
