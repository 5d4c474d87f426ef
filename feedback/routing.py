from django.urls import path

from feedback import consumers

websocket_urlpatterns = [
    path("ws/a/<str:token>/", consumers.PhoneConsumer.as_asgi(), name="ws_attendee"),
]
