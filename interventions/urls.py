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

# In the staff area: a request, an intervention, one of its participants and meetings.
REQUEST = "requests/<uuid:request_id>/"
INTERVENTION = "<uuid:intervention_id>/"
PARTICIPANT = INTERVENTION + "participants/<uuid:participant_id>/"
MEETING = INTERVENTION + "meetings/<uuid:session_id>/"

# One URL per use case: every page that changes something has its own form and view.
staff_urlpatterns = routes(
    ("requests/", views.request_queue, "intervention_requests"),
    (REQUEST, views.request_detail, "intervention_request_detail"),
    (REQUEST + "contact/", views.request_contact, "intervention_request_contact"),
    (REQUEST + "accept/", views.request_accept, "intervention_request_accept"),
    (REQUEST + "refer/", views.request_refer, "intervention_request_refer"),
    (REQUEST + "close/", views.request_close, "intervention_request_close"),
    ("", views.intervention_list, "intervention_list"),
    ("measures/", views.measures, "intervention_measures"),
    (INTERVENTION, views.intervention_detail, "intervention_detail"),
    (INTERVENTION + "intake/", views.intervention_intake, "intervention_intake"),
    (INTERVENTION + "plan/", views.intervention_plan, "intervention_plan"),
    (INTERVENTION + "participants/", views.intervention_participants, "intervention_participants"),
    (
        INTERVENTION + "participants/order/",
        views.participant_order,
        "intervention_participant_order",
    ),
    (PARTICIPANT, views.participant_edit, "intervention_participant_edit"),
    (PARTICIPANT + "remove/", views.participant_remove, "intervention_participant_remove"),
    (PARTICIPANT + "invite/", views.participant_invite, "intervention_participant_invite"),
    (INTERVENTION + "meetings/", views.intervention_meetings, "intervention_meetings"),
    (MEETING + "attendance/", views.session_attendance, "intervention_session_attendance"),
    (INTERVENTION + "letters/", views.intervention_letters, "intervention_letters"),
    (INTERVENTION + "treatment/", views.intervention_treatment, "intervention_treatment"),
    (INTERVENTION + "transport/", views.intervention_transport, "intervention_transport"),
    (INTERVENTION + "agenda/", views.intervention_agenda, "intervention_agenda"),
    (INTERVENTION + "outcome/", views.intervention_outcome, "intervention_outcome"),
    (INTERVENTION + "resume/", views.intervention_resume, "intervention_resume"),
    (
        INTERVENTION + "response-plan/",
        views.intervention_response_plan,
        "intervention_response_plan",
    ),
    (INTERVENTION + "family-healing/", views.intervention_healing, "intervention_healing"),
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
