"""``config.urls`` and ``/test-failure/<token>/``, a view that fails (see
``tests.venue_failing_settings``)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from events.models import Attendee


class FailureForTests(RuntimeError):
    """What the failing view raises."""


def fail(request: HttpRequest, token: str) -> HttpResponse:
    attendee = Attendee.objects.get(token=token)
    email = attendee.email  # a local variable a debug page would show
    raise FailureForTests(f"failing on purpose for {email}")


urlpatterns = [
    path("test-failure/<str:token>/", fail),
    path("", include("config.urls")),
]
