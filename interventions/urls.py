from continuum.routing import routes

from . import api, portal_views, views

# One intervention's address, in the portal, the staff area and the API.
ONE = "interventions/<uuid:intervention_id>/"

public_urlpatterns = routes(
    ("help/", views.help_request, "intervention_help"),
    ("help/thanks/", views.help_thanks, "intervention_help_thanks"),
)

portal_urlpatterns = routes(
    ("interventions/", views.portal_interventions, "interventions"),
    (ONE, views.portal_intervention, "intervention_family"),
    (ONE + "letter/", views.portal_letter, "intervention_letter"),
)

# The family portal home's own pages: answering invitations and the family check-in.
portal_urlpatterns += routes(
    (ONE + "answer/", portal_views.answer_day, "intervention_answer"),
    (
        ONE + "meetings/<uuid:session_id>/answer/",
        portal_views.answer_meeting,
        "intervention_meeting_answer",
    ),
    ("family/check-in/", portal_views.checkin, "family_checkin"),
)

staff_urlpatterns = routes(
    ("requests/", views.request_queue, "intervention_requests"),
    ("requests/<uuid:request_id>/", views.request_detail, "intervention_request_detail"),
    ("", views.intervention_list, "intervention_list"),
    ("measures/", views.measures, "intervention_measures"),
    ("<uuid:intervention_id>/", views.intervention_detail, "intervention_detail"),
    ("letters/<uuid:letter_id>/", views.letter_review, "intervention_letter"),
    prefix="interventions/",
)

api_urlpatterns = (
    routes(
        ("", api.RequestListView.as_view(), "intervention_request_list"),
        ("<uuid:request_id>/", api.RequestDetailView.as_view(), "intervention_request_detail"),
        prefix="intervention-requests/",
    )
    + routes(
        ("interventions/", api.InterventionListView.as_view(), "intervention_list"),
        (ONE, api.InterventionDetailView.as_view(), "intervention_detail"),
        (ONE + "participants/", api.ParticipantListView.as_view(), "intervention_participants"),
        (ONE + "outcome/", api.OutcomeView.as_view(), "intervention_outcome"),
        (ONE + "letters/", api.LetterListView.as_view(), "intervention_letters"),
    )
    + routes(
        ("<uuid:letter_id>/", api.LetterDetailView.as_view(), "intervention_letter"),
        prefix="intervention-letters/",
    )
)
