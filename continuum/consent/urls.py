from continuum.routing import routes

from . import api, views

portal_urlpatterns = routes(
    ("consents/", views.portal_consent_list, "consent_list"),
    ("consents/new/", views.portal_consent_new, "consent_new"),
    ("consents/<uuid:consent_id>/", views.portal_consent_detail, "consent_detail"),
    ("consents/<uuid:consent_id>/revoke/", views.portal_consent_revoke, "consent_revoke"),
    ("disclosures/", views.portal_disclosure_list, "disclosure_list"),
)

CLIENT = "clients/<uuid:client_id>/"
CONSENT = "consents/<uuid:consent_id>/"

staff_urlpatterns = routes(
    ("consents/", views.staff_client_consents, "client_consents"),
    ("consents/new/", views.staff_consent_new, "client_consent_new"),
    (CONSENT + "revoke/", views.staff_consent_revoke, "client_consent_revoke"),
    (CONSENT + "scan/", views.staff_consent_scan, "client_consent_scan"),
    prefix=CLIENT,
)

api_urlpatterns = routes(
    ("consents/", api.ConsentListView.as_view(), "client_consent_list"),
    (CONSENT + "revoke/", api.ConsentRevokeView.as_view(), "client_consent_revoke"),
    ("disclosures/", api.DisclosureListView.as_view(), "client_disclosure_list"),
    prefix=CLIENT,
)
