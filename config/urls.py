from django.contrib import admin
from django.urls import include, path

from events import views as event_views

urlpatterns = [
    path("", event_views.home, name="home"),
    path("healthz", event_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("rounds.urls")),
]
