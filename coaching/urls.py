from continuum.routing import routes

from . import api, views

E = "coaching/engagements/<uuid:engagement_id>/"
ALERT = "coaching/alerts/<uuid:coaching_alert_id>/"

staff_urlpatterns = routes(
    ("coaching/", views.dashboard, "coaching_dashboard"),
    ("coaching/engagements/", views.engagement_list, "coaching_engagements"),
    ("coaching/engagements/new/", views.engagement_new, "coaching_engagement_new"),
    (E, views.engagement_detail, "coaching_engagement"),
    (E + "edit/", views.engagement_edit, "coaching_engagement_edit"),
    (E + "status/", views.engagement_status, "coaching_engagement_status"),
    (E + "contacts/new/", views.record_new, "coaching_contact_new", {"record": "contact"}),
    (E + "meetings/new/", views.record_new, "coaching_meeting_new", {"record": "meeting"}),
    (E + "tests/new/", views.record_new, "coaching_test_new", {"record": "test"}),
    (E + "events/new/", views.record_new, "coaching_event_new", {"record": "event"}),
    (E + "plan/", views.plan_edit, "coaching_plan_edit"),
    (ALERT + "acknowledge/", views.alert_acknowledge, "coaching_alert_acknowledge"),
    (ALERT + "resolve/", views.alert_resolve, "coaching_alert_resolve"),
    ("coaching/coaches/", views.coach_list, "coaching_coaches"),
    ("clients/<uuid:client_id>/coaching/", views.client_coaching, "coaching_client"),
    ("coaching/profile/", views.coach_profile, "coaching_profile"),
)

portal_urlpatterns = routes(
    ("", views.portal_home, "coaching_home"),
    ("check-in/", views.portal_checkin, "coaching_checkin"),
    ("plan/", views.portal_plan, "coaching_plan"),
    ("help/", views.portal_help, "coaching_help"),
    ("hard-days/new/", views.portal_event_new, "coaching_event_new"),
    prefix="recovery/",
)

api_urlpatterns = routes(
    ("coaching/engagements/", api.EngagementList.as_view(), "coaching_engagements"),
    (E, api.EngagementDetail.as_view(), "coaching_engagement"),
    (E + "contacts/", api.ContactList.as_view(), "coaching_contacts"),
    (E + "checkins/", api.CheckInList.as_view(), "coaching_checkins"),
    (E + "plan/", api.PlanDetail.as_view(), "coaching_plan"),
    ("coaching/alerts/", api.AlertList.as_view(), "coaching_alerts"),
    (ALERT + "acknowledge/", api.AlertAcknowledge.as_view(), "coaching_alert_acknowledge"),
    ("coaching/my/checkins/", api.MyCheckIns.as_view(), "coaching_my_checkins"),
)
