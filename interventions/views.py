import copy

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from continuum.audit.mixins import record_read, record_reads
from continuum.consent.services import ConsentRequired
from continuum.directory import family_support_near, treatment_program_choices
from continuum.forms_views import action_view, answer, bind, form_status, form_view, try_save
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import public_view, roles_required

from . import selectors, services, steps
from .forms import (
    AcceptForm,
    AgendaForm,
    AttendanceForm,
    CloseForm,
    ConfirmForm,
    HelpRequestForm,
    IntakeForm,
    LetterForm,
    LetterReviewForm,
    OutcomeForm,
    ParticipantForm,
    PlanForm,
    ReferForm,
    ResponsePlanForm,
    SessionForm,
    SpeakingOrderForm,
    TransportForm,
    TreatmentForm,
    program_listing_field,
)
from .models import DangerSign, LetterStatus, RequestStatus
from .portal_forms import AnswerForm, FamilyCheckinForm
from .portal_views import HISTORY_ON_HOME
from .resources import FAMILY_RESOURCES

TRIAGE = (Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.INTERVENTIONIST)
THANKS_SESSION_KEY = "interventions_help_thanks"


def _rate() -> str:
    return getattr(settings, "INTERVENTION_REQUEST_RATE", "5/h")


def _intervention_url(org, intervention) -> str:
    return reverse(
        "staff:intervention_detail", kwargs={"org": org, "intervention_id": intervention.public_id}
    )


# --- public -----------------------------------------------------------------------------


@public_view
def help_request(request, org):
    organization = request.organization
    if not organization.intake_open:
        return render(request, "interventions/help_closed.html")
    form = bind(request, HelpRequestForm)
    if request.method == "POST":
        # Counted per IP before anything else, so a flood costs us one cache write each.
        if is_ratelimited(
            request,
            group="interventions.help",
            key="ip",
            rate=_rate(),
            method="POST",
            increment=True,
        ):
            return render(request, "interventions/help_limited.html", status=429)
        if form.is_valid() and form.cleaned_data["website"]:
            return redirect("public:intervention_help_thanks", org=org)
        saved, submitted = try_save(form, lambda d: _submit(request, d))
        if saved:
            help_request_obj, merged = submitted
            request.session[THANKS_SESSION_KEY] = {
                "urgent": help_request_obj.is_urgent,
                "merged": merged,
                "loved_one": help_request_obj.client.first_name,
                "email": help_request_obj.requester.email,
                "reference": help_request_obj.reference,
            }
            return redirect("public:intervention_help_thanks", org=org)
    return render(
        request,
        "interventions/help.html",
        {"form": form, "danger_signs": DangerSign.choices},
        status=form_status(request),
    )


def _submit(request, data):
    # The honeypot field is the form's, not the service's.
    data = {name: value for name, value in data.items() if name != "website"}
    return services.request_submit(
        organization=request.organization, preferred_language=request.LANGUAGE_CODE, **data
    )


@public_view
def help_thanks(request, org):
    sent = request.session.pop(THANKS_SESSION_KEY, None) or {}
    return render(request, "interventions/help_thanks.html", {"sent": sent})


# --- staff: triage ----------------------------------------------------------------------


@roles_required(*TRIAGE)
def request_queue(request, org):
    status = request.GET.get("status", RequestStatus.NEW)
    if status not in RequestStatus.values:
        status = RequestStatus.NEW
    requests = list(selectors.request_list_for(membership=request.membership, status=status))
    now = timezone.now()
    limit = request.organization.response_time_hours * 3600
    rows = [
        {
            "request": r,
            "age": now - r.submitted_at,
            "overdue": r.first_contact_at is None
            and status == RequestStatus.NEW
            and (now - r.submitted_at).total_seconds() > limit,
        }
        for r in requests
    ]
    return render(
        request,
        "interventions/request_queue.html",
        {"rows": rows, "status": status, "statuses": RequestStatus.choices},
    )


@roles_required(*TRIAGE)
def request_detail(request, org, request_id):
    """The family's request, with a form per decision; each posts to its own URL."""
    help_request = selectors.request_get_for(membership=request.membership, request_id=request_id)
    record_read(request, help_request, client_id=help_request.client.public_id)
    return render(
        request,
        "interventions/request_detail.html",
        _request_context(request, help_request, decision=None),
    )


def _request_context(request, help_request, *, decision, form=None) -> dict:
    """The request page's context; `decision` names the form just sent, shown as bound."""
    interventionists = selectors.interventionist_choices(organization=request.organization)
    forms = {
        "accept": AcceptForm(interventionists=interventionists, prefix="accept"),
        "refer": ReferForm(prefix="refer"),
        "close": CloseForm(prefix="close"),
    }
    if decision is not None:
        forms[decision] = form
    return {
        "help_request": help_request,
        "forms": forms,
        "decision": decision,
        "age": timezone.now() - help_request.submitted_at,
        "intervention": help_request.interventions.first()
        if help_request.status == RequestStatus.ACCEPTED
        else None,
    }


def _request_url(org, help_request) -> str:
    return reverse(
        "staff:intervention_request_detail",
        kwargs={"org": org, "request_id": help_request.public_id},
    )


@roles_required(*TRIAGE)
@require_POST
def request_contact(request, org, request_id):
    help_request = selectors.request_get_for(membership=request.membership, request_id=request_id)
    return action_view(
        request,
        lambda: services.request_record_contact(actor=request.user, request=help_request),
        done=_request_url(org, help_request),
        success="First contact recorded.",
    )


def _decision(request, org, request_id, *, name: str, form, save, done, success):
    """A decision on a request: its own URL; refused, the request page comes back with
    this form's errors at the top."""
    help_request = selectors.request_get_for(membership=request.membership, request_id=request_id)
    if request.method == "GET":
        return redirect(_request_url(org, help_request) + f"#{name}-h")
    # A refusal shows the request again: the read is recorded as on its own page.
    record_read(request, help_request, client_id=help_request.client.public_id)
    context = _request_context(request, help_request, decision=name, form=form)
    return form_view(
        request,
        form,
        save=lambda d: save(help_request, d),
        done=done,
        template="interventions/request_detail.html",
        context=context,
        success=success,
    )


@roles_required(*TRIAGE)
def request_accept(request, org, request_id):
    interventionists = selectors.interventionist_choices(organization=request.organization)
    membership = request.membership

    def opened(intervention):
        # Who can see the intervention goes to it; the others back to the queue.
        if membership.pk == intervention.interventionist_id or membership.has_role(
            Role.ORG_ADMIN, Role.INTAKE_COORDINATOR
        ):
            return _intervention_url(org, intervention)
        return reverse("staff:intervention_requests", kwargs={"org": org})

    return _decision(
        request,
        org,
        request_id,
        name="accept",
        form=bind(request, AcceptForm, interventionists=interventionists, prefix="accept"),
        save=lambda help_request, d: services.request_accept(
            actor=request.user, request=help_request, **d
        ),
        done=opened,
        success=lambda intervention: (
            f"Request accepted; {intervention.interventionist.user.get_full_name()} "
            "leads the planning."
        ),
    )


@roles_required(*TRIAGE)
def request_refer(request, org, request_id):
    return _decision(
        request,
        org,
        request_id,
        name="refer",
        form=bind(request, ReferForm, prefix="refer"),
        save=lambda help_request, d: services.request_refer(
            actor=request.user, request=help_request, **d
        ),
        done=reverse("staff:intervention_requests", kwargs={"org": org}),
        success=lambda help_request: f"Referred to {help_request.referred_to}; the family is told.",
    )


@roles_required(*TRIAGE)
def request_close(request, org, request_id):
    return _decision(
        request,
        org,
        request_id,
        name="close",
        form=bind(request, CloseForm, prefix="close"),
        save=lambda help_request, d: services.request_close(
            actor=request.user, request=help_request, **d
        ),
        done=reverse("staff:intervention_requests", kwargs={"org": org}),
        success="Request closed; the family is told.",
    )


# --- staff: the intervention as a task list ---------------------------------------------


@roles_required(*TRIAGE)
def intervention_list(request, org):
    interventions = selectors.intervention_list_for(membership=request.membership)
    return render(
        request, "interventions/intervention_list.html", {"interventions": list(interventions)}
    )


def _intervention(request, intervention_id):
    intervention = selectors.intervention_detail_for(
        membership=request.membership, intervention_id=intervention_id
    )
    record_read(request, intervention, client_id=intervention.client.public_id)
    return intervention


def _step_url(org, intervention, key: str) -> str:
    return reverse(
        steps.STEPS[key].url_name, kwargs={"org": org, "intervention_id": intervention.public_id}
    )


def _task_items(org, intervention, keys=None):
    groups = []
    for heading, entries in steps.task_groups(intervention):
        items = []
        for step, state in entries:
            blocked = state.blocked_by
            items.append(
                {
                    "key": step.key,
                    "label": step.label,
                    "url": None
                    if state.status == steps.CANNOT_START
                    else _step_url(org, intervention, step.key),
                    "status": state.status,
                    "status_label": steps.STATUS_LABELS[state.status],
                    "hint": state.hint,
                    "blocked_url": _step_url(org, intervention, blocked) if blocked else "",
                    "blocked_label": steps.STEPS[blocked].label if blocked else "",
                }
            )
        groups.append({"heading": heading, "items": items})
    return groups


@roles_required(*TRIAGE)
def intervention_detail(request, org, intervention_id):
    """The overview: the chosen model's steps, each with its status."""
    intervention = _intervention(request, intervention_id)
    return render(
        request,
        "interventions/intervention_detail.html",
        {
            "intervention": intervention,
            "groups": _task_items(org, intervention),
            "is_interventionist": intervention.interventionist_id == request.membership.pk,
        },
    )


def _step(request, org, intervention, key: str, form, *, save, success, template=None, **extra):
    """A step's page: its form, saved through one service; back to the task list."""
    return form_view(
        request,
        form,
        save=save,
        done=_intervention_url(org, intervention),
        template=template or "interventions/step_form.html",
        context={
            "intervention": intervention,
            "step": steps.STEPS[key],
            "state": steps.step_state(intervention, key),
            "overview_url": _intervention_url(org, intervention),
            **extra,
        },
        success=success,
    )


def _section(request, org, intervention_id, key, form_class, service, success, **extra):
    intervention = _intervention(request, intervention_id)
    initial = {f: getattr(intervention, f) for f in form_class.base_fields}
    form = bind(request, form_class, initial=initial)
    if form_class is TreatmentForm:
        # The program comes from the organization's own directory; its choices limit
        # the answer to listings of this organization.
        form.fields["program_listing_id"] = program_listing_field(
            treatment_program_choices(organization=request.organization)
        )
    return _step(
        request,
        org,
        intervention,
        key,
        form,
        save=lambda d: service(actor=request.user, intervention=intervention, **d),
        success=success,
        **extra,
    )


@roles_required(*TRIAGE)
def intervention_intake(request, org, intervention_id):
    return _section(
        request,
        org,
        intervention_id,
        "intake",
        IntakeForm,
        services.intervention_intake_update,
        "Intake saved.",
        submit="Save intake",
    )


@roles_required(*TRIAGE)
def intervention_plan(request, org, intervention_id):
    return _section(
        request,
        org,
        intervention_id,
        "plan",
        PlanForm,
        services.intervention_plan_update,
        "Model, date and place saved.",
        submit="Save model, date and place",
    )


@roles_required(*TRIAGE)
def intervention_treatment(request, org, intervention_id):
    return _section(
        request,
        org,
        intervention_id,
        "treatment",
        TreatmentForm,
        services.intervention_treatment_update,
        "Treatment saved.",
        submit="Save treatment",
    )


@roles_required(*TRIAGE)
def intervention_transport(request, org, intervention_id):
    return _section(
        request,
        org,
        intervention_id,
        "transport",
        TransportForm,
        services.intervention_transport_update,
        "Transport saved.",
        submit="Save transport",
    )


@roles_required(*TRIAGE)
def intervention_agenda(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    text = "\n".join(
        f"{a.title} | {a.minutes}" if a.minutes else a.title for a in intervention.agenda.all()
    )
    return form_view(
        request,
        bind(request, AgendaForm, initial={"items": text}),
        save=lambda d: services.agenda_set(
            actor=request.user, intervention=intervention, items=d["items"]
        ),
        done=_step_url(org, intervention, "day"),
        template="interventions/step_form.html",
        context={
            "intervention": intervention,
            "step": steps.STEPS["day"],
            "title": "Agenda for the day",
            "overview_url": _step_url(org, intervention, "day"),
            "back_label": "Back to the day and the outcome",
            "submit": "Save agenda",
        },
        success="Agenda saved.",
    )


# Participants: the team, each person's details, their speaking place, the portal.


def _participant(intervention, participant_id):
    return selectors.participant_get(intervention=intervention, participant_id=participant_id)


def _participants_url(org, intervention) -> str:
    return _step_url(org, intervention, "participants")


@roles_required(*TRIAGE)
def intervention_participants(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    return _step(
        request,
        org,
        intervention,
        "participants",
        bind(request, ParticipantForm),
        save=lambda d: services.participant_add(actor=request.user, intervention=intervention, **d),
        success=lambda participant: f"{participant.name} added to the team.",
        template="interventions/step_participants.html",
        participants=list(intervention.participants.all()),
        submit="Add participant",
    )


@roles_required(*TRIAGE)
def participant_edit(request, org, intervention_id, participant_id):
    intervention = _intervention(request, intervention_id)
    participant = _participant(intervention, participant_id)
    # The form writes its answers onto its instance; the service compares them with
    # the participant as saved.
    form = bind(request, ParticipantForm, instance=copy.copy(participant))
    return form_view(
        request,
        form,
        save=lambda d: services.participant_update(
            actor=request.user, participant=participant, **d
        ),
        done=_participants_url(org, intervention),
        template="interventions/step_form.html",
        context={
            "intervention": intervention,
            "step": steps.STEPS["participants"],
            "title": f"Change {participant.name}'s details",
            "overview_url": _participants_url(org, intervention),
            "back_label": "Back to the participants",
            "submit": "Save changes",
        },
        success=lambda saved: f"{saved.name}'s details saved.",
    )


def _letter_status_label(participant) -> str:
    status = participant.letters.values_list("status", flat=True).first()
    return LetterStatus(status).label.lower() if status else ""


@roles_required(*TRIAGE)
def participant_remove(request, org, intervention_id, participant_id):
    """Asks first: removing someone also removes their letter."""
    intervention = _intervention(request, intervention_id)
    participant = _participant(intervention, participant_id)
    return form_view(
        request,
        bind(request, ConfirmForm),
        save=lambda d: services.participant_remove(actor=request.user, participant=participant),
        done=_participants_url(org, intervention),
        template="interventions/participant_remove.html",
        context={
            "intervention": intervention,
            "participant": participant,
            "letter_status": _letter_status_label(participant),
            "overview_url": _participants_url(org, intervention),
        },
        success=lambda name: f"{name} is no longer on the team.",
    )


@roles_required(*TRIAGE)
@require_POST
def participant_invite(request, org, intervention_id, participant_id):
    intervention = _intervention(request, intervention_id)
    participant = _participant(intervention, participant_id)
    return action_view(
        request,
        lambda: services.participant_invite_to_portal(actor=request.user, participant=participant),
        done=_participants_url(org, intervention),
        success=lambda p: f"{p.name} was e-mailed an invitation to the family portal.",
    )


@roles_required(*TRIAGE)
def participant_order(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    form = bind(request, SpeakingOrderForm, participants=intervention.participants.all())
    return form_view(
        request,
        form,
        save=lambda d: services.participant_set_order(
            actor=request.user, intervention=intervention, order=form.order()
        ),
        done=_participants_url(org, intervention),
        template="interventions/step_form.html",
        context={
            "intervention": intervention,
            "step": steps.STEPS["participants"],
            "title": "Speaking order",
            "intro": "Give each speaker a place, 1 first. Leave it empty for someone who "
            "attends without reading a letter.",
            "overview_url": _participants_url(org, intervention),
            "back_label": "Back to the participants",
            "submit": "Save speaking order",
        },
        success="Speaking order saved.",
    )


# Meetings: education, planning and CRAFT sessions, and who came.


@roles_required(*TRIAGE)
def intervention_meetings(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    participants = list(intervention.participants.all())
    meetings = [
        {
            "session": session,
            "form": AttendanceForm(
                participants=participants,
                initial={"attended": [str(p.public_id) for p in session.attendees.all()]},
                prefix=f"s{session.public_id.hex[:8]}",
            ),
        }
        for session in intervention.sessions.all()
    ]
    return _step(
        request,
        org,
        intervention,
        "meetings",
        bind(request, SessionForm),
        save=lambda d: services.session_schedule(
            actor=request.user, intervention=intervention, **d
        ),
        success="Meeting scheduled; participants with a portal login are reminded the day before.",
        template="interventions/step_meetings.html",
        meetings=meetings,
        participants=participants,
        submit="Schedule the meeting",
    )


@roles_required(*TRIAGE)
def session_attendance(request, org, intervention_id, session_id):
    intervention = _intervention(request, intervention_id)
    session = selectors.session_get(intervention=intervention, session_id=session_id)
    participants = list(intervention.participants.all())
    form = bind(
        request,
        AttendanceForm,
        participants=participants,
        initial={"attended": [str(p.public_id) for p in session.attendees.all()]},
        prefix=f"s{session.public_id.hex[:8]}",
    )
    return form_view(
        request,
        form,
        save=lambda d: services.session_record_attendance(
            actor=request.user, session=session, participant_ids=d["attended"]
        ),
        done=_step_url(org, intervention, "meetings"),
        template="interventions/step_form.html",
        context={
            "intervention": intervention,
            "step": steps.STEPS["meetings"],
            "title": f"Who came to the {session.get_kind_display().lower()} of "
            f"{timezone.localtime(session.starts_at):%b %-d}",
            "overview_url": _step_url(org, intervention, "meetings"),
            "back_label": "Back to the meetings",
            "submit": "Save attendance",
        },
        success=lambda count: f"Attendance saved: {count} of {len(participants)} came.",
    )


@roles_required(*TRIAGE)
def intervention_letters(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    visible = {
        letter.participant_id: letter
        for letter in selectors.letter_list_for(
            membership=request.membership, intervention=intervention
        )
    }
    participants = list(intervention.participants.all())
    for participant in participants:
        participant.visible_letter = visible.get(participant.pk)
    return render(
        request,
        "interventions/step_letters.html",
        {
            "intervention": intervention,
            "step": steps.STEPS["letters"],
            "state": steps.step_state(intervention, "letters"),
            "participants": participants,
            "is_interventionist": intervention.interventionist_id == request.membership.pk,
            "overview_url": _intervention_url(org, intervention),
        },
    )


# The day, its outcome, and what follows.


@roles_required(*TRIAGE)
def intervention_outcome(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    form = bind(request, OutcomeForm, early=intervention.outcome_is_early())
    return _step(
        request,
        org,
        intervention,
        "day",
        form,
        save=lambda d: services.outcome_record(actor=request.user, intervention=intervention, **d),
        success=lambda record: f"Outcome recorded: {record.get_outcome_display()}.",
        template="interventions/step_outcome.html",
        submit="Record the outcome",
    )


@roles_required(*TRIAGE)
@require_POST
def intervention_resume(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    return action_view(
        request,
        lambda: services.intervention_resume_planning(
            actor=request.user, intervention=intervention
        ),
        done=_intervention_url(org, intervention),
        success=lambda i: (
            "Back to planning"
            + (f" at ARISE Level {i.arise_level}." if i.model == "arise" else ".")
        ),
    )


@roles_required(*TRIAGE)
def intervention_response_plan(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    plan = intervention.response_plan
    initial = {f: getattr(plan, f) for f in ResponsePlanForm._meta.fields} if plan else {}
    return _step(
        request,
        org,
        intervention,
        "response_plan",
        bind(request, ResponsePlanForm, initial=initial),
        save=lambda d: services.response_plan_save(
            actor=request.user, intervention=intervention, **d
        ),
        success=lambda saved: (
            "Response plan saved"
            + ("; the participants can read it in the portal." if saved.shared_at else ".")
        ),
        template="interventions/step_response_plan.html",
        plan=plan,
        submit="Save the response plan",
    )


@roles_required(*TRIAGE)
def intervention_healing(request, org, intervention_id):
    intervention = _intervention(request, intervention_id)
    return render(
        request,
        "interventions/step_healing.html",
        {
            "intervention": intervention,
            "step": steps.STEPS["healing"],
            "overview_url": _intervention_url(org, intervention),
            "resources": FAMILY_RESOURCES,
            "local_resources": family_support_near(
                organization=request.organization, zip_code=intervention.client.zip_code
            ),
        },
    )


@roles_required(Role.INTERVENTIONIST)
def letter_review(request, org, letter_id):
    letter = selectors.letter_get_for(membership=request.membership, letter_id=letter_id)
    intervention = letter.participant.intervention
    if intervention.interventionist_id != request.membership.pk:
        # The author's own staff account never reviews their letter.
        raise PermissionDenied("Only the interventionist reviews letters.")
    form = bind(request, LetterReviewForm)
    saved, _result = try_save(
        form,
        lambda d: services.letter_review(
            actor=request.user,
            letter=letter,
            approve=d["decision"] == "approve",
            comment=d["comment"],
        ),
    )
    if saved:
        return answer(
            request,
            _step_url(org, intervention, "letters"),
            success="Review sent to the author.",
        )
    record_read(request, letter, client_id=intervention.client.public_id)
    return render(
        request,
        "interventions/letter_review.html",
        {"letter": letter, "form": form, "intervention": intervention},
        status=form_status(request),
    )


@roles_required(Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.INTERVENTIONIST)
def measures(request, org):
    data = selectors.measures(organization=request.organization)
    peak = max([row["count"] for row in data["by_status"]] + [1])
    for row in data["by_status"]:
        row["width"] = round(300 * row["count"] / peak)
    for i, row in enumerate(data["by_status"]):
        row["y"] = i * 30
    for row in data["acceptance"]:
        row["width"] = round(3 * (row["rate"] or 0))
    for i, row in enumerate(data["acceptance"]):
        row["y"] = i * 30
    return render(request, "interventions/measures.html", {"m": data})


# --- portal -----------------------------------------------------------------------------


@roles_required(Role.FAMILY_MEMBER)
def portal_interventions(request, org):
    interventions = list(selectors.intervention_list_for(membership=request.membership))
    record_reads(request, [(i, i.client.public_id) for i in interventions])
    if len(interventions) == 1:
        return redirect(
            "portal:intervention_family", org=org, intervention_id=interventions[0].public_id
        )
    return render(
        request,
        "interventions/portal_list.html",
        {"interventions": interventions, "resources": FAMILY_RESOURCES},
    )


@require_GET
@roles_required(Role.FAMILY_MEMBER)
def portal_intervention(request, org, intervention_id):
    membership = request.membership
    intervention = selectors.intervention_detail_for(
        membership=membership, intervention_id=intervention_id
    )
    participant = selectors.participant_for_portal(membership=membership, intervention=intervention)
    # Answers and check-ins are sent to their own pages (portal_views).
    plan = intervention.response_plan
    letter = next(
        iter(
            selectors.letter_list_for(membership=membership, intervention=intervention).filter(
                author=request.user
            )
        ),
        None,
    )
    after_the_day = None
    if intervention.outcome:
        try:
            after_the_day = services.outcome_disclose_to_participant(
                actor=request.user, intervention=intervention, participant=participant
            )
        except ConsentRequired:
            after_the_day = None
    record_read(request, intervention, client_id=intervention.client.public_id)
    return render(
        request,
        "interventions/portal_intervention.html",
        {
            "intervention": intervention,
            "participant": participant,
            "after_the_day": after_the_day,
            "day_is_over": bool(intervention.outcome),
            "rsvp_form": AnswerForm(initial={"rsvp": participant.rsvp}),
            "checkin_form": FamilyCheckinForm(),
            "plan": plan if plan and plan.shared_at else None,
            "letter": letter,
            "checkins": list(
                selectors.family_checkin_list_for(membership=membership)[:HISTORY_ON_HOME]
            ),
            "resources": FAMILY_RESOURCES,
            "local_resources": family_support_near(
                organization=request.organization, zip_code=intervention.client.zip_code
            ),
        },
    )


@roles_required(Role.FAMILY_MEMBER)
def portal_letter(request, org, intervention_id):
    membership = request.membership
    intervention = selectors.intervention_get_for(
        membership=membership, intervention_id=intervention_id
    )
    participant = selectors.participant_for_portal(membership=membership, intervention=intervention)
    letter = (
        selectors.letter_list_for(membership=membership, intervention=intervention)
        .filter(author=request.user)
        .first()
    )
    record_read(request, intervention, client_id=intervention.client.public_id)
    submit = "submit" in request.POST
    form = bind(request, LetterForm, initial={"body": letter.body if letter else ""})
    saved, _result = try_save(
        form,
        lambda d: services.letter_save(
            actor=request.user, participant=participant, body=d["body"], submit=submit
        ),
    )
    if saved:
        return answer(
            request,
            reverse(
                "portal:intervention_letter",
                kwargs={"org": org, "intervention_id": intervention_id},
            ),
            success=_("Sent to your interventionist for review.") if submit else _("Draft saved."),
        )
    return render(
        request,
        "interventions/portal_letter.html",
        {
            "intervention": intervention,
            "letter": letter,
            "form": form,
            # After the day a letter is only read again.
            "editable": not intervention.outcome
            and (letter is None or letter.status != LetterStatus.APPROVED),
        },
        status=form_status(request),
    )
