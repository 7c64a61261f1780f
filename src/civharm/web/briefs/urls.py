"""Pages: the briefs (form and list), and each brief's PDF or HTML."""

from django.urls import path

from civharm.web.briefs import views

urlpatterns = [
    path("", views.briefs_page, name="briefs"),
    path("new/", views.make_brief_view, name="brief_new"),
    path("<int:pk>.<str:kind>", views.brief_download, name="brief_download"),
]
