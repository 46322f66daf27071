from continuum.routing import routes

from . import api, views

EPISODE = "episodes/<uuid:episode_id>/"

staff_urlpatterns = (
    routes(
        ("clients/", views.client_list, "client_list"),
        ("clients/<uuid:client_id>/", views.client_detail, "client_detail"),
        ("clients/<uuid:client_id>/timeline/", views.client_timeline, "client_timeline"),
        ("clients/<uuid:client_id>/episodes/new/", views.episode_open_view, "episode_open"),
        (EPISODE + "transition/", views.episode_transition_view, "episode_transition"),
        ("my-work/", views.my_work, "my_work"),
        ("tasks/<uuid:task_id>/done/", views.task_done, "task_done"),
        ("handoffs/failed/", views.handoff_failures, "handoff_failures"),
    )
    + routes(
        ("", views.safety_event_detail, "safety_event"),
        ("acknowledge/", views.safety_event_acknowledge_view, "safety_event_acknowledge"),
        prefix="safety/<uuid:safety_event_id>/",
    )
    + routes(
        ("settings/on-call/", views.on_call_rota, "on_call_rota"),
        ("handoffs/<uuid:handoff_run_id>/rerun/", views.handoff_rerun_view, "handoff_rerun"),
    )
)

portal_urlpatterns = routes(("my-care/", views.portal_my_care, "my_care"))

api_urlpatterns = routes(
    ("episodes/", api.EpisodeListView.as_view(), "episode_list"),
    (EPISODE, api.EpisodeDetailView.as_view(), "episode_detail"),
    (EPISODE + "transitions/", api.EpisodeTransitionView.as_view(), "episode_transitions"),
    ("tasks/", api.TaskListView.as_view(), "task_list"),
    ("tasks/<uuid:task_id>/", api.TaskDetailView.as_view(), "task_detail"),
)
