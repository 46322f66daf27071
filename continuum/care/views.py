from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from continuum.audit.mixins import record_row_reads
from continuum.audit.services import audit_read
from continuum.paging import page_number
from continuum.people.models import Client
from continuum.people.selectors import (
    care_team_for,
    client_for_portal_user,
    client_get_for,
    family_for,
)
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.navigation import detail_urls
from continuum.tenancy.permissions import roles_required
from continuum.tenancy.views import add_service_errors

from . import alerts, timeline
from .actions import actions_for
from .forms import EpisodeOpenForm, TransitionForm
from .models import Phase, TaskStatus
from .selectors import (
    client_directory,
    client_directory_page,
    episode_current,
    episode_get_for,
    handoff_run_get,
    handoff_runs_failed,
    task_get_for,
    task_list_for,
)
from .services import episode_open, episode_transition, handoff_rerun, task_set_status

CLIENTS_PER_PAGE = 25
CARE_TEAM_ROLE_CHOICES = [
    (r.value, r.label) for r in Role if r in STAFF_ROLES and r != Role.ORG_ADMIN
]


def _page_number(request) -> int:
    return page_number(request.GET.get("page"))


@roles_required(*STAFF_ROLES)
def client_list(request, org):
    text = request.GET.get("q", "").strip()[:100]
    phase = request.GET.get("phase", "")
    phase = phase if phase in Phase.values or phase == "none" else ""
    role = request.GET.get("role", "")
    role = role if role in dict(CARE_TEAM_ROLE_CHOICES) else ""
    clients = client_directory(
        membership=request.membership, text=text, phase=phase, care_team_role=role
    )
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = client_directory_page(page.object_list)
    record_row_reads(request, Client, [(row["public_id"], row["public_id"]) for row in rows])
    urls = detail_urls(
        "staff:client_detail", [row["public_id"] for row in rows], id_kwarg="client_id", org=org
    )
    for row, url in zip(rows, urls, strict=True):
        row["url"] = url
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "care/client_list.html",
        {
            "page": page,
            "rows": rows,
            "q": text,
            "phase": phase,
            "role": role,
            "phases": Phase.choices,
            "roles": CARE_TEAM_ROLE_CHOICES,
            "query": query.urlencode(),
        },
    )


@roles_required(*STAFF_ROLES)
def client_detail(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    audit_read(actor=request.user, organization=request.organization, obj=client)
    episode = episode_current(client=client)
    context = {
        "client": client,
        "care_team": care_team_for(client=client),
        "family": family_for(client=client),
        "episode": episode,
        "timeline": timeline.client_timeline(
            client=client, organization=request.organization, page=_page_number(request)
        ),
        "can_manage_team": request.membership.has_role(Role.ORG_ADMIN, Role.INTAKE_COORDINATOR),
        "client_actions": actions_for(
            membership=request.membership, organization=request.organization, client=client
        ),
    }
    if episode is not None and episode.is_open:
        context["transition_form"] = TransitionForm(episode=episode)
    else:
        context["open_form"] = EpisodeOpenForm()
    return render(request, "care/client_detail.html", context)


@roles_required(*STAFF_ROLES)
def episode_open_view(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    form = EpisodeOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episode_open(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Episode opened for {client.display_name}.")
            return redirect("staff:client_detail", org=org, client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "care/episode_open.html", {"form": form, "client": client}, status=status
    )


@roles_required(*STAFF_ROLES)
def episode_transition_view(request, org, episode_id):
    episode = episode_get_for(membership=request.membership, episode_id=episode_id)
    form = TransitionForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            transition = episode_transition(
                actor=request.user,
                episode=episode,
                to_phase=form.cleaned_data["to_phase"],
                reason=form.cleaned_data["reason"],
                **form.service_details(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            label = Phase(transition.to_phase).label
            messages.success(request, f"{episode.client.display_name} moved to {label}.")
            return redirect("staff:client_detail", org=org, client_id=episode.client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "care/episode_transition.html", {"form": form, "episode": episode}, status=status
    )


@roles_required(*STAFF_ROLES)
def my_work(request, org):
    tasks = list(task_list_for(membership=request.membership))
    return render(
        request,
        "care/my_work.html",
        {
            "tasks": tasks,
            "now": timezone.now(),
            "alerts": alerts.alerts_for(membership=request.membership),
        },
    )


@roles_required(*STAFF_ROLES)
@require_POST
def task_done(request, org, task_id):
    task = task_get_for(membership=request.membership, task_id=task_id)
    task_set_status(actor=request.user, task=task, status=TaskStatus.DONE)
    if request.htmx:
        # The row swaps itself for a confirmation; the rest of the list stays put.
        return render(request, "care/partials/task_done_row.html", {"task": task})
    messages.success(request, f"Done: {task.title}")
    return redirect("staff:my_work", org=org)


@roles_required(Role.ORG_ADMIN)
def handoff_failures(request, org):
    runs = handoff_runs_failed(organization=request.organization)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    return render(request, "care/handoff_failures.html", {"page": page})


@roles_required(Role.ORG_ADMIN)
@require_POST
def handoff_rerun_view(request, org, handoff_run_id):
    run = handoff_run_get(organization=request.organization, handoff_run_id=handoff_run_id)
    try:
        handoff_rerun(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{run.name} will run again shortly.")
    return redirect("staff:handoff_failures", org=org)


# --- portal ---------------------------------------------------------------------------


@roles_required(Role.CLIENT)
def portal_my_care(request, org):
    """A client's own phase and who is on their care team."""
    client = client_for_portal_user(membership=request.membership)
    context = {"client": client, "episode": None, "care_team": []}
    if client is not None:
        audit_read(actor=request.user, organization=request.organization, obj=client)
        context["episode"] = episode_current(client=client)
        context["care_team"] = care_team_for(client=client)
    return render(request, "care/portal_my_care.html", context)
