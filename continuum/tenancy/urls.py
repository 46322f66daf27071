from django.urls import path

from . import api, views

public_urlpatterns = [
    path("", views.landing, name="landing"),
    path("join/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]

portal_urlpatterns = [
    path("", views.portal_home, name="home"),
]

staff_urlpatterns = [
    path("", views.staff_dashboard, name="dashboard"),
    path("team/", views.team, name="team"),
    path("team/invite/", views.team_invite, name="team_invite"),
    path("team/<uuid:member_id>/", views.team_member, name="team_member"),
    path(
        "team/<uuid:member_id>/deactivate/",
        views.team_member_deactivate,
        name="team_member_deactivate",
    ),
    path(
        "team/<uuid:member_id>/reactivate/",
        views.team_member_reactivate,
        name="team_member_reactivate",
    ),
    path(
        "team/invitations/<uuid:invitation_id>/revoke/",
        views.team_invitation_revoke,
        name="team_invitation_revoke",
    ),
    path("settings/", views.organization_settings, name="settings"),
]

api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("members/", api.MemberListView.as_view(), name="member_list"),
    path("members/<uuid:member_id>/", api.MemberDetailView.as_view(), name="member_detail"),
    path(
        "members/<uuid:member_id>/deactivate/",
        api.MemberDeactivateView.as_view(),
        name="member_deactivate",
    ),
    path("invitations/", api.InvitationListView.as_view(), name="invitation_list"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        api.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
]
