from django.urls import path

from . import api, views

T = "messages/<uuid:thread_id>"

staff_urlpatterns = [
    path("messages/", views.staff_inbox, name="messaging_inbox"),
    path("messages/badge/", views.staff_badge, name="messaging_badge"),
    path(f"{T}/", views.staff_thread, name="messaging_thread"),
    path(f"{T}/urgent/", views.thread_urgent, name="messaging_thread_urgent"),
    path(
        "clients/<uuid:client_id>/messages/",
        views.client_threads,
        name="messaging_client_threads",
    ),
    path(
        "clients/<uuid:client_id>/portal-invitation/",
        views.portal_invite,
        name="messaging_portal_invite",
    ),
]

portal_urlpatterns = [
    path("messages/", views.portal_inbox, name="messaging_inbox"),
    path("messages/badge/", views.portal_badge, name="messaging_badge"),
    path("messages/new/<uuid:client_id>/", views.portal_start, name="messaging_start"),
    path(f"{T}/", views.portal_thread, name="messaging_thread"),
]

api_urlpatterns = [
    path("messages/", api.ThreadList.as_view(), name="messaging_threads"),
    path(f"{T}/", api.ThreadDetail.as_view(), name="messaging_thread"),
    path(f"{T}/messages/", api.MessageSend.as_view(), name="messaging_message_send"),
    path(f"{T}/read/", api.ThreadRead.as_view(), name="messaging_thread_read"),
]
