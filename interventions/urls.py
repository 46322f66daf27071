from django.urls import path

from . import api, views

public_urlpatterns = [
    path("help/", views.help_request, name="intervention_help"),
    path("help/thanks/", views.help_thanks, name="intervention_help_thanks"),
]

portal_urlpatterns = [
    path("interventions/", views.portal_interventions, name="interventions"),
    path(
        "interventions/<uuid:intervention_id>/",
        views.portal_intervention,
        name="intervention_family",
    ),
    path(
        "interventions/<uuid:intervention_id>/letter/",
        views.portal_letter,
        name="intervention_letter",
    ),
]

staff_urlpatterns = [
    path("interventions/requests/", views.request_queue, name="intervention_requests"),
    path(
        "interventions/requests/<uuid:request_id>/",
        views.request_detail,
        name="intervention_request_detail",
    ),
    path("interventions/", views.intervention_list, name="intervention_list"),
    path("interventions/measures/", views.measures, name="intervention_measures"),
    path(
        "interventions/<uuid:intervention_id>/",
        views.intervention_detail,
        name="intervention_detail",
    ),
    path(
        "interventions/letters/<uuid:letter_id>/", views.letter_review, name="intervention_letter"
    ),
]

api_urlpatterns = [
    path("intervention-requests/", api.RequestListView.as_view(), name="intervention_request_list"),
    path(
        "intervention-requests/<uuid:request_id>/",
        api.RequestDetailView.as_view(),
        name="intervention_request_detail",
    ),
    path("interventions/", api.InterventionListView.as_view(), name="intervention_list"),
    path(
        "interventions/<uuid:intervention_id>/",
        api.InterventionDetailView.as_view(),
        name="intervention_detail",
    ),
    path(
        "interventions/<uuid:intervention_id>/participants/",
        api.ParticipantListView.as_view(),
        name="intervention_participants",
    ),
    path(
        "interventions/<uuid:intervention_id>/outcome/",
        api.OutcomeView.as_view(),
        name="intervention_outcome",
    ),
    path(
        "interventions/<uuid:intervention_id>/letters/",
        api.LetterListView.as_view(),
        name="intervention_letters",
    ),
    path(
        "intervention-letters/<uuid:letter_id>/",
        api.LetterDetailView.as_view(),
        name="intervention_letter",
    ),
]
