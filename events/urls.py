from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)
from events import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("join/", views.join_start, name="join_start"),
    path("join/<str:code>/", views.join, name="join"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/password_reset/", views.password_reset, name="password_reset"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("series/", views.series_list, name="series_list"),
    path("a/<str:token>/series/", views.series_answer, name="series_answer"),
    path("a/<str:token>/language/", views.attendee_language, name="attendee_language"),
    path("events/<id:event_id>/", views.event_detail, name="event_detail"),
    path("events/<id:event_id>/co-organizers/", views.co_organizers, name="co_organizers"),
    path("events/<id:event_id>/attendees/", views.attendee_list, name="attendee_list"),
    path("events/<id:event_id>/attendees/add/", views.attendee_add, name="attendee_add"),
    path("events/<id:event_id>/attendees/import/", views.attendee_import, name="attendee_import"),
    path("events/<id:event_id>/seating/", views.seating, name="seating"),
    path("events/<id:event_id>/seating/add/", views.pair_rule_add, name="pair_rule_add"),
    path(
        "co-organizers/accept/<str:token>/",
        views.co_organizer_accept,
        name="co_organizer_accept",
    ),
    path(
        "events/<id:event_id>/seating/<id:rule_id>/remove/",
        views.pair_rule_remove,
        name="pair_rule_remove",
    ),
    path("events/<id:event_id>/print/poster/", views.print_poster, name="print_poster"),
    path("events/<id:event_id>/door/", views.door, name="door"),
    path("events/<id:event_id>/door/scan/", views.door_scan, name="door_scan"),
    path("events/<id:event_id>/door/walk-in/", views.door_walk_in, name="door_walk_in"),
]
