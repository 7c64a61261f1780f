"""Pages: the incident register, one incident, its review actions, map boundaries."""

from django.urls import path

from civharm.web.register import detail, views

urlpatterns = [
    path("", views.incidents, name="incidents"),
    path("export/", views.export_incidents, name="incidents_export"),
    path("boundaries/<int:level>.geojson", views.boundaries, name="boundaries"),
    path("<int:pk>/", detail.incident_detail, name="incident"),
    path(
        "<int:pk>/review/<str:kind>/",
        detail.review_action,
        name="incident_review",
    ),
]
