from django.urls import path

from . import api, views

staff_urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]

api_urlpatterns = [
    path("audit/events/", api.AuditEventListView.as_view(), name="audit_event_list"),
]
