from urllib.parse import urlencode

from channels.auth import AuthMiddlewareStack
from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)
from config.i18n import SOCKET_LANGUAGE_PARAMETER
from rounds import consumers

# The phone's socket, ``ws/a/<token>/``, is in feedback/routing.py: it also takes card taps.
# Only the organizer's socket reads the session (the login); phones and the projector carry
# their key in the path, so a reconnect storm of phones does not read cookies, sessions and
# users it never uses (docs/benchmarks-storm.md).
websocket_urlpatterns = [
    path(
        "ws/events/<id:event_id>/control/",
        AuthMiddlewareStack(consumers.ControlConsumer.as_asgi()),
        name="ws_control",
    ),
    path("ws/p/<str:key>/", consumers.ProjectorConsumer.as_asgi(), name="ws_projector"),
]


def attendee_socket_path(token: str, *, language: str = "") -> str:
    """The phone's socket path; with ``language`` (the page's, one of ``settings.LANGUAGES``'
    codes) as its ``?lang=``, the language of the refusals the socket sends
    (``config.i18n.socket_language``)."""
    path = f"/ws/a/{token}/"
    return f"{path}?{urlencode({SOCKET_LANGUAGE_PARAMETER: language})}" if language else path


def control_socket_path(event_id: int) -> str:
    return f"/ws/events/{event_id}/control/"


def projector_socket_path(key: str) -> str:
    return f"/ws/p/{key}/"
