from django.urls import path

from pitches import views

urlpatterns = [
    path("a/<str:token>/pitch/", views.pitch_edit, name="pitch_edit"),
    path("events/<id:event_id>/print/badges/", views.print_badges, name="print_badges"),
]
