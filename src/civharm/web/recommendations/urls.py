"""Pages: the recommendations list, one recommendation, new, edit, and recording a status."""

from django.urls import path

from civharm.web.recommendations import views

urlpatterns = [
    path("", views.recommendation_list, name="recommendations"),
    path("new/", views.recommendation_new, name="recommendation_new"),
    path("<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path("<int:pk>/status/", views.recommendation_status, name="recommendation_status"),
]
