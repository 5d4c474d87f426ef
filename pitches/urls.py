from django.urls import path

from pitches import views

urlpatterns = [
    path("a/<str:token>/pitch/", views.pitch_edit, name="pitch_edit"),
    path("a/<str:token>/wishes/", views.wish_add, name="wish_add"),
    path("a/<str:token>/wishes/remove/", views.wish_remove, name="wish_remove"),
    path("a/<str:token>/wishes/guests/", views.wish_guests, name="wish_guests"),
    path("a/<str:token>/guest-list/", views.guest_listing, name="guest_listing"),
    path("events/<id:event_id>/print/badges/", views.print_badges, name="print_badges"),
]
