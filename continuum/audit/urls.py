from continuum.routing import routes

from . import api, views

staff_urlpatterns = routes(
    ("audit/", views.audit_list, "audit_list"),
    ("audit/export.csv", views.audit_export, "audit_export"),
)

api_urlpatterns = routes(
    ("audit/events/", api.AuditEventListView.as_view(), "audit_event_list"),
)
