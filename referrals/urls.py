from django.urls import path

from . import api, views

public_urlpatterns = [
    path("find/", views.find, name="find"),
    path("find/api/", views.find_api, name="find_api"),
    path("find/<uuid:listing_id>/", views.listing_public, name="listing_public"),
    path(
        "referral-response/<str:response_token>/", views.referral_respond, name="referral_respond"
    ),
    path("openings/<str:capacity_token>/", views.listing_capacity, name="listing_capacity"),
]

portal_urlpatterns = [
    path("referrals/", views.portal_referrals, name="referrals"),
]

staff_urlpatterns = [
    path("directory/", views.directory_search, name="directory_search"),
    path("directory/manage/", views.directory_manage, name="directory_manage"),
    path("directory/new/", views.listing_edit, name="listing_new"),
    path("directory/import/", views.import_new, name="import_new"),
    path("directory/import/template.csv", views.import_template, name="import_template"),
    path("directory/import/<uuid:import_id>/", views.import_detail, name="import_detail"),
    path(
        "directory/import/<uuid:import_id>/report.csv",
        views.import_report_csv,
        name="import_report_csv",
    ),
    path("directory/mapping/", views.taxonomy_mapping, name="taxonomy_mapping"),
    path(
        "directory/mapping/<uuid:mapping_id>/delete/",
        views.taxonomy_mapping_delete,
        name="taxonomy_mapping_delete",
    ),
    path("directory/reclassify/", views.directory_reclassify, name="directory_reclassify"),
    path(
        "directory/export.json",
        views.directory_export,
        {"fmt": "json"},
        name="directory_export_json",
    ),
    path(
        "directory/export.zip", views.directory_export, {"fmt": "zip"}, name="directory_export_zip"
    ),
    path("directory/<uuid:listing_id>/", views.listing_detail, name="listing_detail"),
    path("directory/<uuid:listing_id>/edit/", views.listing_edit, name="listing_edit"),
    path("directory/<uuid:listing_id>/verify/", views.listing_verify, name="listing_verify"),
    path(
        "directory/<uuid:listing_id>/openings-link/",
        views.listing_capacity_link,
        name="listing_capacity_link",
    ),
    path("directory/settings/", views.directory_settings, name="directory_settings"),
    path("clients/<uuid:client_id>/referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/reports/", views.referral_reports, name="referral_reports"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/packet/", views.referral_packet, name="referral_packet"),
]

api_urlpatterns = [
    path("listings/", api.ListingListView.as_view(), name="listing_list"),
    path("listings/<uuid:listing_id>/", api.ListingDetailView.as_view(), name="listing_detail"),
    path("referrals/", api.ReferralListView.as_view(), name="referral_list"),
    path("directory/hsds/", api.HsdsExportView.as_view(), name="directory_hsds"),
    path("directory/imports/", api.ImportCreateView.as_view(), name="directory_import_create"),
    path(
        "directory/imports/<uuid:import_id>/",
        api.ImportDetailView.as_view(),
        name="directory_import_detail",
    ),
]
