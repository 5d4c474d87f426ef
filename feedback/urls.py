from django.urls import path

import config.converters  # noqa: F401  (registers <id:...> and <key:...>)
from feedback import views

urlpatterns = [
    path(
        "events/<id:event_id>/control/counters/",
        views.control_counters,
        name="control_counters",
    ),
    path("events/<id:event_id>/control/rescue/", views.control_rescue, name="control_rescue"),
    path("a/<str:token>/", views.room, name="room"),
    path("a/<str:token>/cards/", views.card, name="card"),
    path("a/<str:token>/itinerary/", views.room_itinerary, name="room_itinerary"),
    path("a/<str:token>/received/", views.room_received, name="room_received"),
    path("a/<str:token>/leads/", views.leads, name="leads"),
    path(
        "a/<str:token>/introductions/<id:introduction_id>/",
        views.introduction_move,
        name="introduction_move",
    ),
    path("a/<str:token>/details/", views.my_details, name="my_details"),
    path("a/<str:token>/series/memory/", views.series_memory, name="series_memory"),
    path("a/<str:token>/series/confirm/", views.series_confirm, name="series_confirm"),
    path("a/<str:token>/sharing/", views.consent_answer, name="consent_answer"),
    path(
        "a/<str:token>/contacts/<id:person_id>/call.ics",
        views.call_proposal,
        name="call_proposal",
    ),
    path("a/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("a/<str:token>/resubscribe/", views.resubscribe, name="resubscribe"),
    path("a/<str:token>/leads/leads.csv", views.leads_csv, name="leads_csv"),
    path("a/<str:token>/leads/contacts.vcf", views.leads_vcf, name="leads_vcf"),
    path("series/<id:series_id>/", views.series_detail, name="series_detail"),
    path("series/<id:series_id>/people.csv", views.series_export, name="series_export"),
    path("events/<id:event_id>/report/", views.event_report, name="event_report"),
    path("events/<id:event_id>/exports/<slug:kind>.csv", views.event_export, name="event_export"),
    path("a/<str:token>/contacts/<id:person_id>.vcf", views.contact_vcard, name="contact_vcard"),
    path("a/<str:token>/erase/", views.attendee_erase, name="attendee_erase"),
    path("a/<str:token>/confirm/", views.device_confirm, name="device_confirm"),
    path("events/<id:event_id>/erase/", views.event_erase, name="event_erase"),
    path("events/<id:event_id>/invitations/", views.event_invitations, name="event_invitations"),
    path(
        "events/<id:event_id>/attendees/<id:attendee_id>/link/",
        views.attendee_link,
        name="attendee_link",
    ),
    path(
        "events/<id:event_id>/attendees/<id:attendee_id>/invite/",
        views.attendee_invite,
        name="attendee_invite",
    ),
    path(
        "events/<id:event_id>/attendees/<id:attendee_id>/forget-device/",
        views.attendee_forget_device,
        name="attendee_forget_device",
    ),
    path(
        "events/<id:event_id>/attendees/<id:attendee_id>/erase/",
        views.attendee_erase_by_organizer,
        name="attendee_erase_by_organizer",
    ),
    path(
        "events/<id:event_id>/attendees/<id:attendee_id>/remove/",
        views.attendee_remove,
        name="attendee_remove",
    ),
    path("join/<str:code>/my-link/", views.email_my_link, name="email_my_link"),
    path("b/<key:key>/", views.badge, name="badge"),
]
