"""Pages: file a report by hand, import a file after a preview."""

from django.urls import path

from civharm.web.entry import views

urlpatterns = [
    path("new/", views.report_new, name="report_new"),
    path("new/place/", views.place_suggest, name="place_suggest"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<str:token>/", views.import_preview_page, name="import_preview"),
    path("import/<str:token>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<str:token>/cancel/", views.import_cancel, name="import_cancel"),
]
