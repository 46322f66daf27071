from continuum.routing import routes

from . import api, views

C = "clients/<uuid:client_id>/case/"
APPOINTMENT = "case/appointments/<uuid:cm_appointment_id>/"
CLIENT = "clients/<uuid:client_id>/"

staff_urlpatterns = routes(
    ("case-management/", views.dashboard, "casemgmt_dashboard"),
    ("case-management/gaps/", views.gaps_board, "casemgmt_gaps"),
    ("case-management/follow-up/", views.followup_report, "casemgmt_followup"),
    (C, views.client_case, "casemgmt_client"),
    (C + "gaps/check/", views.gaps_check, "casemgmt_gaps_check"),
    (C + "plan/open/", views.plan_open, "casemgmt_plan_open"),
    (C + "plan/print/", views.plan_print, "casemgmt_plan_print"),
    (C + "plan/review/", views.plan_review, "casemgmt_plan_review"),
    (C + "goals/new/", views.goal_add, "casemgmt_goal_add"),
    ("case/goals/<uuid:cm_goal_id>/steps/new/", views.step_add, "casemgmt_step_add"),
    ("case/goals/<uuid:cm_goal_id>/notes/new/", views.note_add, "casemgmt_note_add"),
    ("case/steps/<uuid:cm_step_id>/status/", views.step_status, "casemgmt_step_status"),
    (C + "providers/new/", views.provider_add, "casemgmt_provider_add"),
    (C + "contacts/new/", views.contact_add, "casemgmt_contact_add"),
    (C + "appointments/new/", views.appointment_add, "casemgmt_appointment_add"),
    (APPOINTMENT + "status/", views.appointment_status, "casemgmt_appointment_status"),
    (APPOINTMENT + "reschedule/", views.appointment_reschedule, "casemgmt_appointment_reschedule"),
    (C + "medications/new/", views.medication_add, "casemgmt_medication_add"),
    (
        "case/medications/<uuid:cm_medication_id>/refill/",
        views.medication_fill,
        "casemgmt_medication_fill",
    ),
    (C + "assessments/", views.assessment_history, "casemgmt_assessment_history"),
    (C + "assessments/<slug:cm_instrument>/", views.assessment_enter, "casemgmt_assessment_enter"),
)

portal_urlpatterns = routes(
    ("care-plan/", views.portal_plan, "casemgmt_portal_plan"),
    ("care-plan/acknowledge/", views.portal_plan_acknowledge, "casemgmt_portal_plan_acknowledge"),
    ("appointments/", views.portal_appointments, "casemgmt_portal_appointments"),
    ("medications/", views.portal_medications, "casemgmt_portal_medications"),
    ("questionnaires/<slug:cm_instrument>/", views.portal_assessment, "casemgmt_portal_assessment"),
)

api_urlpatterns = routes(
    ("case-management/gaps/", api.GapList.as_view(), "casemgmt_gap_list"),
    ("case-management/follow-up/", api.FollowUpReportView.as_view(), "casemgmt_followup"),
) + routes(
    ("care-plan/", api.PlanDetail.as_view(), "casemgmt_plan"),
    ("providers/", api.provider_list, "casemgmt_provider_list"),
    ("appointments/", api.appointment_list, "casemgmt_appointment_list"),
    ("medications/", api.medication_list, "casemgmt_medication_list"),
    ("assessments/", api.AssessmentList.as_view(), "casemgmt_assessment_list"),
    prefix=CLIENT,
)
