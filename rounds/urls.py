from django.urls import path

import config.converters  # noqa: F401  (registers <id:...>)
from rounds import views

urlpatterns = [
    path("events/<id:event_id>/edit/", views.event_edit, name="event_edit"),
    path("events/<id:event_id>/control/", views.control, name="control"),
    path(
        "events/<id:event_id>/attendees/<id:attendee_id>/presence/",
        views.attendee_presence,
        name="attendee_presence",
    ),
    path("events/<id:event_id>/plan/", views.plan, name="plan"),
    path("events/<id:event_id>/plan/size/", views.plan_with_size, name="plan_with_size"),
    path("events/<id:event_id>/plan/sizes/", views.plan_guide_range, name="plan_guide_range"),
    path("p/<str:key>/", views.projector, name="projector"),
    path("p/<str:key>/find/", views.projector_find, name="projector_find"),
    path("p/<str:key>/people/", views.projector_people, name="projector_people"),
    path("events/<id:event_id>/control/act/", views.control_action, name="control_action"),
    path(
        "events/<id:event_id>/print/itineraries/",
        views.print_itineraries,
        name="print_itineraries",
    ),
]
