from django.urls import path

from . import api, views

staff_urlpatterns = [
    path("emergency-access/", views.break_glass_view, name="break_glass"),
    path("emergency-access/log/", views.break_glass_log_view, name="break_glass_log"),
    path("clients/new/", views.client_create_view, name="client_create"),
    path("clients/<uuid:client_id>/edit/", views.client_edit, name="client_edit"),
    path(
        "clients/<uuid:client_id>/family/add/",
        views.family_member_add_view,
        name="family_member_add",
    ),
    path("clients/<uuid:client_id>/care-team/add/", views.care_team_add_view, name="care_team_add"),
    path(
        "clients/<uuid:client_id>/care-team/<uuid:care_team_member_id>/end/",
        views.care_team_end_view,
        name="care_team_end",
    ),
]

api_urlpatterns = [
    path("clients/", api.ClientListView.as_view(), name="client_list"),
    path("clients/<uuid:client_id>/", api.ClientDetailView.as_view(), name="client_detail"),
    path("clients/<uuid:client_id>/family/", api.ClientFamilyView.as_view(), name="client_family"),
]

portal_urlpatterns = [
    path("language/", views.portal_language, name="language"),
]
