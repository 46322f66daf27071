from continuum.routing import routes

from . import views

C = "clients/<uuid:client_id>/"

portal_urlpatterns = routes(
    ("alumni/sobriety/", views.portal_profile, "alumni_profile"),
    ("alumni/events/", views.portal_events, "alumni_events"),
    ("alumni/events/<uuid:event_id>/rsvp/", views.portal_rsvp, "alumni_rsvp"),
    ("alumni/check-in/", views.portal_checkin, "alumni_checkin"),
    ("alumni/help/", views.portal_help, "alumni_help"),
    ("alumni/help/<uuid:help_request_id>/", views.portal_help_next, "alumni_help_next"),
)

staff_urlpatterns = routes(
    ("alumni/events/", views.events, "alumni_events"),
    ("alumni/events/new/", views.event_new, "alumni_event_new"),
    ("alumni/events/<uuid:event_id>/", views.event_detail, "alumni_event"),
    (C + "alumni/", views.client_alumni, "alumni_client"),
    (C + "alumni/sobriety/", views.client_sobriety, "alumni_client_sobriety"),
)
