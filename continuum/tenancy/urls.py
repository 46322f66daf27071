from continuum.routing import routes

from . import api, views

MEMBER = "members/<uuid:member_id>/"
INVITATION = "invitations/<uuid:invitation_id>/"

public_urlpatterns = routes(
    ("", views.landing, "landing"),
    ("join/<str:token>/", views.invitation_accept_view, "invitation_accept"),
)

portal_urlpatterns = routes(("", views.portal_home, "home"))

staff_urlpatterns = (
    routes(
        ("", views.staff_dashboard, "dashboard"),
        ("components/", views.components, "components"),
        ("team/", views.team, "team"),
        ("team/invite/", views.team_invite, "team_invite"),
    )
    + routes(
        ("", views.team_member, "team_member"),
        ("deactivate/", views.team_member_deactivate, "team_member_deactivate"),
        ("reactivate/", views.team_member_reactivate, "team_member_reactivate"),
        prefix="team/<uuid:member_id>/",
    )
    + routes(
        ("revoke/", views.team_invitation_revoke, "team_invitation_revoke"),
        prefix="team/invitations/<uuid:invitation_id>/",
    )
    + routes(("settings/", views.organization_settings, "settings"))
)

api_urlpatterns = routes(
    ("me/", api.MeView.as_view(), "me"),
    ("members/", api.MemberListView.as_view(), "member_list"),
    (MEMBER, api.MemberDetailView.as_view(), "member_detail"),
    (MEMBER + "deactivate/", api.MemberDeactivateView.as_view(), "member_deactivate"),
    ("invitations/", api.InvitationListView.as_view(), "invitation_list"),
    (INVITATION + "revoke/", api.InvitationRevokeView.as_view(), "invitation_revoke"),
)
