from django.urls import path

from . import api, views

C = "clients/<uuid:client_id>/case/"

staff_urlpatterns = [
    path("case-management/", views.dashboard, name="casemgmt_dashboard"),
    path("case-management/gaps/", views.gaps_board, name="casemgmt_gaps"),
    path("case-management/follow-up/", views.followup_report, name="casemgmt_followup"),
    path(C, views.client_case, name="casemgmt_client"),
    path(C + "gaps/check/", views.gaps_check, name="casemgmt_gaps_check"),
    path(C + "plan/open/", views.plan_open, name="casemgmt_plan_open"),
    path(C + "plan/print/", views.plan_print, name="casemgmt_plan_print"),
    path(C + "plan/review/", views.plan_review, name="casemgmt_plan_review"),
    path(C + "goals/new/", views.goal_add, name="casemgmt_goal_add"),
    path("case/goals/<uuid:cm_goal_id>/steps/new/", views.step_add, name="casemgmt_step_add"),
    path("case/goals/<uuid:cm_goal_id>/notes/new/", views.note_add, name="casemgmt_note_add"),
    path("case/steps/<uuid:cm_step_id>/status/", views.step_status, name="casemgmt_step_status"),
    path(C + "providers/new/", views.provider_add, name="casemgmt_provider_add"),
    path(C + "contacts/new/", views.contact_add, name="casemgmt_contact_add"),
    path(C + "appointments/new/", views.appointment_add, name="casemgmt_appointment_add"),
    path(
        "case/appointments/<uuid:cm_appointment_id>/status/",
        views.appointment_status,
        name="casemgmt_appointment_status",
    ),
    path(
        "case/appointments/<uuid:cm_appointment_id>/reschedule/",
        views.appointment_reschedule,
        name="casemgmt_appointment_reschedule",
    ),
    path(C + "medications/new/", views.medication_add, name="casemgmt_medication_add"),
    path(
        "case/medications/<uuid:cm_medication_id>/refill/",
        views.medication_fill,
        name="casemgmt_medication_fill",
    ),
    path(C + "assessments/", views.assessment_history, name="casemgmt_assessment_history"),
    path(
        C + "assessments/<slug:cm_instrument>/",
        views.assessment_enter,
        name="casemgmt_assessment_enter",
    ),
]

portal_urlpatterns = [
    path("care-plan/", views.portal_plan, name="casemgmt_portal_plan"),
    path(
        "care-plan/acknowledge/",
        views.portal_plan_acknowledge,
        name="casemgmt_portal_plan_acknowledge",
    ),
    path("appointments/", views.portal_appointments, name="casemgmt_portal_appointments"),
    path("medications/", views.portal_medications, name="casemgmt_portal_medications"),
    path(
        "questionnaires/<slug:cm_instrument>/",
        views.portal_assessment,
        name="casemgmt_portal_assessment",
    ),
]

api_urlpatterns = [
    path("case-management/gaps/", api.GapList.as_view(), name="casemgmt_gap_list"),
    path("case-management/follow-up/", api.FollowUpReportView.as_view(), name="casemgmt_followup"),
    path("clients/<uuid:client_id>/care-plan/", api.PlanDetail.as_view(), name="casemgmt_plan"),
    path(
        "clients/<uuid:client_id>/providers/",
        api.ProviderList.as_view(),
        name="casemgmt_provider_list",
    ),
    path(
        "clients/<uuid:client_id>/appointments/",
        api.AppointmentList.as_view(),
        name="casemgmt_appointment_list",
    ),
    path(
        "clients/<uuid:client_id>/medications/",
        api.MedicationList.as_view(),
        name="casemgmt_medication_list",
    ),
    path(
        "clients/<uuid:client_id>/assessments/",
        api.AssessmentList.as_view(),
        name="casemgmt_assessment_list",
    ),
]
