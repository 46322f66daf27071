from continuum.routing import routes

from . import api, views

C = "clients/<uuid:client_id>/"

public_urlpatterns = routes(
    ("follow-up/<str:follow_up_token>/", views.survey_link, "outcomes_survey"),
)

portal_urlpatterns = routes(
    ("follow-up/contact/", views.portal_agreement, "outcomes_portal_agreement"),
    ("follow-up/<uuid:follow_up_id>/", views.portal_answer, "outcomes_portal_answer"),
)

staff_urlpatterns = routes(
    (C + "follow-up/", views.client_outcomes, "outcomes_client"),
    (C + "follow-up/agreement/", views.client_agreement, "outcomes_agreement"),
    ("follow-ups/<uuid:follow_up_id>/phone/", views.phone_entry, "outcomes_phone"),
    ("settings/follow-up/", views.settings_page, "outcomes_settings"),
    ("outcomes/cohort/", views.cohort_page, "outcomes_cohort"),
    ("outcomes/cohort/export.csv", views.cohort_export, "outcomes_cohort_export"),
)

api_urlpatterns = routes(
    (C + "follow-ups/", api.ClientFollowUpList.as_view(), "outcomes_client_follow_ups"),
    ("me/follow-ups/", api.MyFollowUpList.as_view(), "outcomes_my_follow_ups"),
)
