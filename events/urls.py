from django.urls import path

from events import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("join/", views.join_start, name="join_start"),
    path("join/<str:code>/", views.join, name="join"),
    path("accounts/signup/", views.signup, name="signup"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("events/<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:event_id>/co-organizers/", views.co_organizers, name="co_organizers"),
    path("events/<int:event_id>/attendees/", views.attendee_list, name="attendee_list"),
    path("events/<int:event_id>/attendees/add/", views.attendee_add, name="attendee_add"),
    path("events/<int:event_id>/attendees/import/", views.attendee_import, name="attendee_import"),
    path("events/<int:event_id>/seating/", views.seating, name="seating"),
    path("events/<int:event_id>/seating/add/", views.pair_rule_add, name="pair_rule_add"),
    path(
        "events/<int:event_id>/seating/<int:rule_id>/remove/",
        views.pair_rule_remove,
        name="pair_rule_remove",
    ),
    path("events/<int:event_id>/print/poster/", views.print_poster, name="print_poster"),
    path("events/<int:event_id>/print/badges/", views.print_badges, name="print_badges"),
    path("events/<int:event_id>/door/", views.door, name="door"),
    path("events/<int:event_id>/door/scan/", views.door_scan, name="door_scan"),
    path(
        "events/<int:event_id>/attendees/<int:attendee_id>/presence/",
        views.attendee_presence,
        name="attendee_presence",
    ),
]
