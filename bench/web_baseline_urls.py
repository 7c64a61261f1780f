"""URLs for bench/web.py: the application's own, plus the baseline view it is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from civharm.incidents.models import Incident

COLUMNS = ("id", "date_start", "admin1_name", "admin2_name", "place_name", "interaction_context")


def baseline(request: HttpRequest) -> HttpResponse:
    """The same first page of rows as the register, with no template and no permissions."""
    rows = Incident.objects.order_by("-date_start", "-id").values_list(*COLUMNS)[:50]
    body = "\n".join("\t".join(str(value) for value in row) for row in rows)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/baseline/", baseline),
    path("", include("civharm.urls")),
]
