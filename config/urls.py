from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("events.urls")),
    path("", include("pitches.urls")),
    path("", include("rounds.urls")),
    path("", include("conduct.urls")),
    path("", include("feedback.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
