"""Pages: the audit trail (administrators)."""

from django.urls import path

from civharm.web.audit_trail import views

urlpatterns = [path("", views.audit_log, name="audit")]
