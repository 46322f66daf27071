from continuum.routing import routes

from . import api, views

CLIENT = "clients/<uuid:client_id>/"

staff_urlpatterns = routes(
    ("emergency-access/", views.break_glass_view, "break_glass"),
    ("emergency-access/log/", views.break_glass_log_view, "break_glass_log"),
    ("clients/new/", views.client_create_view, "client_create"),
) + routes(
    ("edit/", views.client_edit, "client_edit"),
    ("family/add/", views.family_member_add_view, "family_member_add"),
    ("care-team/add/", views.care_team_add_view, "care_team_add"),
    ("care-team/<uuid:care_team_member_id>/end/", views.care_team_end_view, "care_team_end"),
    prefix=CLIENT,
)

api_urlpatterns = routes(
    ("clients/", api.ClientListView.as_view(), "client_list"),
    (CLIENT, api.ClientDetailView.as_view(), "client_detail"),
    (CLIENT + "family/", api.ClientFamilyView.as_view(), "client_family"),
)

portal_urlpatterns = routes(("language/", views.portal_language, "language"))
