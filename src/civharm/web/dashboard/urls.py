"""Pages: the dashboard and its CSV downloads, the training patterns and their export."""

from django.urls import path

from civharm.web.dashboard import patterns, views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/<slug:chart>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("patterns/", patterns.patterns_page, name="patterns"),
    path("patterns/export.<str:fmt>", patterns.patterns_export, name="patterns_export"),
]
