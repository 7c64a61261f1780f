"""The JSON API (django-ninja) over the register, with the same permissions as the pages."""

from django.urls import path

from civharm.api.api import api

urlpatterns = [path("", api.urls)]
