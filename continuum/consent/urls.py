from django.urls import path

from . import api, views

portal_urlpatterns = [
    path("consents/", views.portal_consent_list, name="consent_list"),
    path("consents/new/", views.portal_consent_new, name="consent_new"),
    path("consents/<uuid:consent_id>/", views.portal_consent_detail, name="consent_detail"),
    path("consents/<uuid:consent_id>/revoke/", views.portal_consent_revoke, name="consent_revoke"),
    path("disclosures/", views.portal_disclosure_list, name="disclosure_list"),
]

staff_urlpatterns = [
    path("clients/<uuid:client_id>/consents/", views.staff_client_consents, name="client_consents"),
    path(
        "clients/<uuid:client_id>/consents/new/", views.staff_consent_new, name="client_consent_new"
    ),
    path(
        "clients/<uuid:client_id>/consents/<uuid:consent_id>/revoke/",
        views.staff_consent_revoke,
        name="client_consent_revoke",
    ),
    path(
        "clients/<uuid:client_id>/consents/<uuid:consent_id>/scan/",
        views.staff_consent_scan,
        name="client_consent_scan",
    ),
]

api_urlpatterns = [
    path(
        "clients/<uuid:client_id>/consents/",
        api.ConsentListView.as_view(),
        name="client_consent_list",
    ),
    path(
        "clients/<uuid:client_id>/consents/<uuid:consent_id>/revoke/",
        api.ConsentRevokeView.as_view(),
        name="client_consent_revoke",
    ),
    path(
        "clients/<uuid:client_id>/disclosures/",
        api.DisclosureListView.as_view(),
        name="client_disclosure_list",
    ),
]
