from django.urls import path

from rounds import consumers

websocket_urlpatterns = [
    path("ws/a/<str:token>/", consumers.AttendeeConsumer.as_asgi(), name="ws_attendee"),
    path(
        "ws/events/<int:event_id>/control/",
        consumers.ControlConsumer.as_asgi(),
        name="ws_control",
    ),
]
