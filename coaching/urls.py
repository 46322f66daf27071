from django.urls import path

from . import api, views

E = "coaching/engagements/<uuid:engagement_id>"

staff_urlpatterns = [
    path("coaching/", views.dashboard, name="coaching_dashboard"),
    path("coaching/engagements/", views.engagement_list, name="coaching_engagements"),
    path("coaching/engagements/new/", views.engagement_new, name="coaching_engagement_new"),
    path(f"{E}/", views.engagement_detail, name="coaching_engagement"),
    path(f"{E}/edit/", views.engagement_edit, name="coaching_engagement_edit"),
    path(f"{E}/status/", views.engagement_status, name="coaching_engagement_status"),
    path(f"{E}/contacts/new/", views.contact_new, name="coaching_contact_new"),
    path(f"{E}/meetings/new/", views.meeting_new, name="coaching_meeting_new"),
    path(f"{E}/tests/new/", views.test_new, name="coaching_test_new"),
    path(f"{E}/events/new/", views.event_new, name="coaching_event_new"),
    path(f"{E}/plan/", views.plan_edit, name="coaching_plan_edit"),
    path(
        "coaching/alerts/<uuid:coaching_alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="coaching_alert_acknowledge",
    ),
    path(
        "coaching/alerts/<uuid:coaching_alert_id>/resolve/",
        views.alert_resolve,
        name="coaching_alert_resolve",
    ),
    path("coaching/coaches/", views.coach_list, name="coaching_coaches"),
    path("coaching/profile/", views.coach_profile, name="coaching_profile"),
]

portal_urlpatterns = [
    path("recovery/", views.portal_home, name="coaching_home"),
    path("recovery/check-in/", views.portal_checkin, name="coaching_checkin"),
    path("recovery/plan/", views.portal_plan, name="coaching_plan"),
    path("recovery/help/", views.portal_help, name="coaching_help"),
    path("recovery/hard-days/new/", views.portal_event_new, name="coaching_event_new"),
]

api_urlpatterns = [
    path("coaching/engagements/", api.EngagementList.as_view(), name="coaching_engagements"),
    path(f"{E}/", api.EngagementDetail.as_view(), name="coaching_engagement"),
    path(f"{E}/contacts/", api.ContactList.as_view(), name="coaching_contacts"),
    path(f"{E}/checkins/", api.CheckInList.as_view(), name="coaching_checkins"),
    path(f"{E}/plan/", api.PlanDetail.as_view(), name="coaching_plan"),
    path("coaching/alerts/", api.AlertList.as_view(), name="coaching_alerts"),
    path(
        "coaching/alerts/<uuid:coaching_alert_id>/acknowledge/",
        api.AlertAcknowledge.as_view(),
        name="coaching_alert_acknowledge",
    ),
    path("coaching/my/checkins/", api.MyCheckIns.as_view(), name="coaching_my_checkins"),
]
