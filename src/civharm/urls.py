"""URL configuration: pages (web), accounts, the JSON API, the language switch."""

from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("accounts/", include("civharm.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("civharm.api.urls")),
    path("", include("civharm.web.urls")),
]
