"""Every websocket route: the room and organizer sockets of rounds, the phone's of feedback."""

from feedback.routing import websocket_urlpatterns as phone_patterns
from rounds.routing import websocket_urlpatterns as room_patterns

websocket_urlpatterns = [*phone_patterns, *room_patterns]
