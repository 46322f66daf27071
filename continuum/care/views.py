from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from continuum.audit.mixins import record_read, record_row_reads
from continuum.forms_views import action_view, bind, form_status, form_view, try_save
from continuum.paging import page_number, page_of, query_without_page
from continuum.people.models import Client
from continuum.people.selectors import (
    care_team_for,
    client_for_portal_user,
    client_get_for,
    family_for,
)
from continuum.tenancy.dashboard import cards_for
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.navigation import detail_urls
from continuum.tenancy.permissions import roles_required

from . import safety, timeline, work
from .actions import actions_for
from .forms import (
    EpisodeOpenForm,
    OnCallFallbackForm,
    OnCallShiftFormSet,
    TransitionForm,
    member_choices,
)
from .models import AskedAs, Phase, SafetyStatus, TaskStatus
from .selectors import (
    client_directory,
    client_directory_page,
    episode_current,
    episode_get_for,
    handoff_run_get,
    handoff_runs_failed,
    on_call_candidates,
    on_call_now,
    on_call_shifts,
    safety_alerts_for,
    safety_event_get_for,
    task_get_for,
    task_list_for,
)
from .services import (
    episode_open,
    episode_transition,
    handoff_rerun,
    on_call_rota_save,
    safety_event_acknowledge,
    task_set_status,
)

CLIENTS_PER_PAGE = 25
LATEST_ON_OVERVIEW = 5
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
    page = page_of(request, clients, CLIENTS_PER_PAGE)
    rows = client_directory_page(page.object_list)
    record_row_reads(request, Client, [(row["public_id"], row["public_id"]) for row in rows])
    urls = detail_urls(
        "staff:client_detail", [row["public_id"] for row in rows], id_kwarg="client_id", org=org
    )
    for row, url in zip(rows, urls, strict=True):
        row["url"] = url
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
            "query": query_without_page(request),
        },
    )


@roles_required(*STAFF_ROLES)
def client_detail(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    record_read(request, client)
    episode = episode_current(client=client)
    context = {
        "client": client,
        "care_team": care_team_for(client=client),
        "family": family_for(client=client),
        "episode": episode,
        # The overview shows the latest of the timeline; its tab pages through the rest.
        "timeline": timeline.client_timeline(
            client=client, organization=request.organization, page_size=LATEST_ON_OVERVIEW
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
def client_timeline(request, org, client_id):
    """The record's timeline tab: the whole continuum, newest first, a page at a time."""
    client = client_get_for(membership=request.membership, client_id=client_id)
    record_read(request, client)
    return render(
        request,
        "care/client_timeline.html",
        {
            "client": client,
            "timeline": timeline.client_timeline(
                client=client, organization=request.organization, page=_page_number(request)
            ),
        },
    )


def _client_url(org, client) -> str:
    return reverse("staff:client_detail", kwargs={"org": org, "client_id": client.public_id})


@roles_required(*STAFF_ROLES)
def episode_open_view(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    return form_view(
        request,
        bind(request, EpisodeOpenForm),
        save=lambda d: episode_open(actor=request.user, client=client, **d),
        done=_client_url(org, client),
        template="care/episode_open.html",
        context={"client": client},
        success=f"Episode opened for {client.display_name}.",
    )


@roles_required(*STAFF_ROLES)
def episode_transition_view(request, org, episode_id):
    episode = episode_get_for(membership=request.membership, episode_id=episode_id)
    form = bind(request, TransitionForm, episode=episode)
    return form_view(
        request,
        form,
        save=lambda d: episode_transition(
            actor=request.user,
            episode=episode,
            to_phase=d["to_phase"],
            reason=d["reason"],
            **form.service_details(),
        ),
        done=_client_url(org, episode.client),
        template="care/episode_transition.html",
        context={"episode": episode},
        success=lambda transition: (
            f"{episode.client.display_name} moved to {Phase(transition.to_phase).label}."
        ),
    )


@roles_required(*STAFF_ROLES)
def my_work(request, org):
    """Everything assigned to me: the safety events waiting for me, my open tasks (and my
    roles' queues), then what each line has put in my hands."""
    tasks = list(task_list_for(membership=request.membership))
    return render(
        request,
        "care/my_work.html",
        {
            "tasks": tasks,
            "now": timezone.now(),
            "alerts": safety_alerts_for(membership=request.membership),
            "sections": cards_for(request, work.ASSIGNED),
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
    page = page_of(request, runs, 50)
    return render(request, "care/handoff_failures.html", {"page": page})


@roles_required(Role.ORG_ADMIN)
@require_POST
def handoff_rerun_view(request, org, handoff_run_id):
    run = handoff_run_get(organization=request.organization, handoff_run_id=handoff_run_id)
    return action_view(
        request,
        lambda: handoff_rerun(actor=request.user, run=run),
        done=reverse("staff:handoff_failures", kwargs={"org": org}),
        success=f"{run.name} will run again shortly.",
    )


# --- portal ---------------------------------------------------------------------------


@roles_required(Role.CLIENT)
def portal_my_care(request, org):
    """A client's own phase and who is on their care team."""
    client = client_for_portal_user(membership=request.membership)
    context = {"client": client, "episode": None, "care_team": []}
    if client is not None:
        record_read(request, client)
        context["episode"] = episode_current(client=client)
        context["care_team"] = care_team_for(client=client)
    return render(request, "care/portal_my_care.html", context)


# --- safety events ----------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def safety_event_detail(request, org, safety_event_id):
    """Where every safety message links: which client, who has been asked, and the one
    button that stops the escalation."""
    event = safety_event_get_for(membership=request.membership, safety_event_id=safety_event_id)
    record_read(request, event)
    steps = event.steps.select_related("membership__user").order_by("at", "id")
    kind = safety.KINDS.get(event.latest_kind)
    return render(
        request,
        "care/safety_event.html",
        {
            "event": event,
            "steps": steps,
            "kind_label": kind.label if kind else event.latest_kind,
            "asked_label": AskedAs(event.asked_as).label,
            "is_open": event.status == SafetyStatus.OPEN,
            "escalation_minutes": request.organization.safety_escalation_minutes,
        },
    )


@roles_required(*STAFF_ROLES)
@require_POST
def safety_event_acknowledge_view(request, org, safety_event_id):
    event = safety_event_get_for(membership=request.membership, safety_event_id=safety_event_id)
    # From the dashboard the member goes back to their day; `next` is followed only when
    # it is a path on this site.
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = reverse(
            "staff:safety_event", kwargs={"org": org, "safety_event_id": event.public_id}
        )
    return action_view(
        request,
        lambda: safety_event_acknowledge(actor=request.user, event=event),
        done=next_url,
        success=f"Acknowledged: nobody else will be asked about {event.client.display_name}. "
        "The same-day call is in your work list.",
    )


def _rota_save(request, formset, candidates, fallback):
    shifts = [
        {**form.cleaned_data, "membership": candidates[form.cleaned_data["membership"]]}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    return on_call_rota_save(
        actor=request.user,
        organization=request.organization,
        shifts=shifts,
        fallback=candidates[fallback] if fallback is not None else None,
    )


@roles_required(Role.ORG_ADMIN)
def on_call_rota(request, org):
    """Who is on call, by weekday and hour, and who is asked when nobody is."""
    organization = request.organization
    candidates = {m.pk: m for m in on_call_candidates(organization=organization)}
    choices = member_choices(candidates.values())
    initial = [
        {
            "membership": shift.membership_id,
            "weekday": shift.weekday,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
        }
        for shift in on_call_shifts(organization=organization)
    ]
    data = request.POST if request.method == "POST" else None
    formset = OnCallShiftFormSet(
        data, initial=initial, prefix="shifts", form_kwargs={"choices": choices}
    )
    fallback_form = OnCallFallbackForm(
        data, choices=choices, initial={"fallback": organization.on_call_fallback_id}
    )
    if formset.is_valid():
        saved, _rota = try_save(
            fallback_form, lambda d: _rota_save(request, formset, candidates, d["fallback"])
        )
        if saved:
            messages.success(request, "On-call rota saved.")
            return redirect("staff:on_call_rota", org=org)
    return render(
        request,
        "care/on_call_rota.html",
        {
            "formset": formset,
            "fallback_form": fallback_form,
            "on_call_now": on_call_now(organization=organization),
        },
        status=form_status(request),
    )
