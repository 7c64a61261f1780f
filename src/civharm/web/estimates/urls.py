"""Pages: the estimates of the latest run (or one run), its CSV, and running a new one."""

from django.urls import path

from civharm.web.estimates import views

urlpatterns = [
    path("", views.estimates_page, name="estimates"),
    path("<int:pk>/", views.estimates_page, name="estimates_run"),
    path("<int:pk>/figures.csv", views.estimates_csv, name="estimates_csv"),
    path("run/", views.run_estimate, name="estimates_new"),
]
