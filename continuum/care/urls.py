from django.urls import path

from . import api, views

staff_urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/<uuid:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<uuid:client_id>/episodes/new/", views.episode_open_view, name="episode_open"),
    path(
        "episodes/<uuid:episode_id>/transition/",
        views.episode_transition_view,
        name="episode_transition",
    ),
    path("my-work/", views.my_work, name="my_work"),
    path("tasks/<uuid:task_id>/done/", views.task_done, name="task_done"),
    path("handoffs/failed/", views.handoff_failures, name="handoff_failures"),
    path("safety/<uuid:safety_event_id>/", views.safety_event_detail, name="safety_event"),
    path(
        "safety/<uuid:safety_event_id>/acknowledge/",
        views.safety_event_acknowledge_view,
        name="safety_event_acknowledge",
    ),
    path("settings/on-call/", views.on_call_rota, name="on_call_rota"),
    path("handoffs/<uuid:handoff_run_id>/rerun/", views.handoff_rerun_view, name="handoff_rerun"),
]

portal_urlpatterns = [
    path("my-care/", views.portal_my_care, name="my_care"),
]

api_urlpatterns = [
    path("episodes/", api.EpisodeListView.as_view(), name="episode_list"),
    path("episodes/<uuid:episode_id>/", api.EpisodeDetailView.as_view(), name="episode_detail"),
    path(
        "episodes/<uuid:episode_id>/transitions/",
        api.EpisodeTransitionView.as_view(),
        name="episode_transitions",
    ),
    path("tasks/", api.TaskListView.as_view(), name="task_list"),
    path("tasks/<uuid:task_id>/", api.TaskDetailView.as_view(), name="task_detail"),
]
