from django.urls import path

from events import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("join/", views.join_start, name="join_start"),
    path("join/<str:code>/", views.join, name="join"),
]
