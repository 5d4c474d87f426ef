from django.urls import path

from conduct import views

urlpatterns = [
    path("a/<str:token>/conduct/", views.conduct_accept, name="conduct_accept"),
    path("a/<str:token>/report/", views.report_problem, name="report_problem"),
    path("a/<str:token>/apart/", views.apart, name="apart"),
    path("events/<id:event_id>/conduct/", views.conduct_settings, name="conduct_settings"),
    path("events/<id:event_id>/reports/", views.conduct_reports, name="conduct_reports"),
    path("events/<id:event_id>/reports/alerts/", views.conduct_alerts, name="conduct_alerts"),
    path(
        "events/<id:event_id>/reports/<id:report_id>/",
        views.report_update,
        name="report_update",
    ),
    path(
        "events/<id:event_id>/reports/<id:report_id>/action/",
        views.report_action,
        name="report_action",
    ),
]
