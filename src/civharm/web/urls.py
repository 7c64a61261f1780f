"""Pages. Each area has its own URL module; names live in the `web` namespace."""

from django.urls import include, path

from civharm.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/", include("civharm.web.register.urls")),
    path("reports/", include("civharm.web.entry.urls")),
    path("audit/", include("civharm.web.audit_trail.urls")),
    path("linkage/", include("civharm.web.linkage.urls")),
    path("estimates/", include("civharm.web.estimates.urls")),
    path("briefs/", include("civharm.web.briefs.urls")),
    path("", include("civharm.web.dashboard.urls")),
    path("recommendations/", include("civharm.web.recommendations.urls")),
    path("research/", include("civharm.web.research.urls")),
    path("training/", include("civharm.web.training.urls")),
]
