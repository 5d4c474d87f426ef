from django.urls import path

from feedback import views

urlpatterns = [
    path("a/<str:token>/", views.room, name="room"),
    path("a/<str:token>/cards/", views.card, name="card"),
]
