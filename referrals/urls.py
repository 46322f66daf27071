from continuum.routing import routes

from . import api, views

LISTING = "directory/<uuid:listing_id>/"
IMPORT = "directory/import/<uuid:import_id>/"
REFERRAL = "referrals/<uuid:referral_id>/"

public_urlpatterns = routes(
    ("find/", views.find, "find"),
    ("find/api/", views.find_api, "find_api"),
    ("find/<uuid:listing_id>/", views.listing_public, "listing_public"),
    ("referral-response/<str:response_token>/", views.referral_respond, "referral_respond"),
    ("openings/<str:capacity_token>/", views.listing_capacity, "listing_capacity"),
)

portal_urlpatterns = routes(("referrals/", views.portal_referrals, "referrals"))

staff_urlpatterns = routes(
    ("directory/", views.directory_search, "directory_search"),
    ("directory/manage/", views.directory_manage, "directory_manage"),
    ("directory/new/", views.listing_edit, "listing_new"),
    ("directory/import/", views.import_new, "import_new"),
    ("directory/import/template.csv", views.import_template, "import_template"),
    (IMPORT, views.import_detail, "import_detail"),
    (IMPORT + "report.csv", views.import_report_csv, "import_report_csv"),
    ("directory/mapping/", views.taxonomy_mapping, "taxonomy_mapping"),
    (
        "directory/mapping/<uuid:mapping_id>/delete/",
        views.taxonomy_mapping_delete,
        "taxonomy_mapping_delete",
    ),
    ("directory/reclassify/", views.directory_reclassify, "directory_reclassify"),
    ("directory/export.json", views.directory_export, "directory_export_json", {"fmt": "json"}),
    ("directory/export.zip", views.directory_export, "directory_export_zip", {"fmt": "zip"}),
    (LISTING, views.listing_detail, "listing_detail"),
    (LISTING + "edit/", views.listing_edit, "listing_edit"),
    (LISTING + "verify/", views.listing_verify, "listing_verify"),
    (LISTING + "openings-link/", views.listing_capacity_link, "listing_capacity_link"),
    (
        LISTING + "openings-link/send/",
        views.listing_capacity_link_send,
        "listing_capacity_link_send",
    ),
    ("directory/settings/", views.directory_settings, "directory_settings"),
    ("clients/<uuid:client_id>/referrals/", views.client_referrals, "client_referrals"),
    ("clients/<uuid:client_id>/referrals/new/", views.referral_new, "referral_new"),
    ("referrals/", views.referral_list, "referral_list"),
    ("referrals/reports/", views.referral_reports, "referral_reports"),
    (REFERRAL, views.referral_detail, "referral_detail"),
    (REFERRAL + "packet/", views.referral_packet, "referral_packet"),
)

api_urlpatterns = routes(
    ("listings/", api.ListingListView.as_view(), "listing_list"),
    ("listings/<uuid:listing_id>/", api.ListingDetailView.as_view(), "listing_detail"),
    ("referrals/", api.ReferralListView.as_view(), "referral_list"),
    ("directory/hsds/", api.HsdsExportView.as_view(), "directory_hsds"),
) + routes(
    ("", api.ImportCreateView.as_view(), "directory_import_create"),
    ("<uuid:import_id>/", api.ImportDetailView.as_view(), "directory_import_detail"),
    prefix="directory/imports/",
)
