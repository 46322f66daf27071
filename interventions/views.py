from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from continuum.audit.mixins import record_read, record_reads
from continuum.consent.services import ConsentRequired
from continuum.directory import family_support_near, treatment_program_choices
from continuum.forms_views import add_service_errors, answer, bind, form_status, try_save
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import public_view, roles_required

from . import selectors, services
from .forms import (
    AcceptForm,
    AgendaForm,
    CloseForm,
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
    TransportForm,
    TreatmentForm,
    program_listing_field,
)
from .models import DangerSign, LetterStatus, Outcome, RequestStatus
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
    membership = request.membership
    help_request = selectors.request_get_for(membership=membership, request_id=request_id)
    interventionists = selectors.interventionist_choices(organization=request.organization)
    forms = {
        "accept": AcceptForm(interventionists=interventionists, prefix="accept"),
        "refer": ReferForm(prefix="refer"),
        "close": CloseForm(prefix="close"),
    }
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "contact":
        services.request_record_contact(actor=request.user, request=help_request)
        messages.success(request, "First contact recorded.")
        return redirect("staff:intervention_request_detail", org=org, request_id=request_id)
    if action in forms:
        if action == "accept":
            form = AcceptForm(request.POST, interventionists=interventionists, prefix="accept")
        else:
            form = type(forms[action])(request.POST, prefix=action)
        forms[action] = form
        if form.is_valid():
            try:
                result = _decide(request, help_request, action, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return result
    elif action is not None:
        raise PermissionDenied("Unknown action.")
    record_read(request, help_request, client_id=help_request.client.public_id)
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(
        request,
        "interventions/request_detail.html",
        {
            "help_request": help_request,
            "forms": forms,
            "age": timezone.now() - help_request.submitted_at,
            "intervention": help_request.interventions.first()
            if help_request.status == RequestStatus.ACCEPTED
            else None,
        },
        status=status,
    )


def _decide(request, help_request, action: str, data: dict):
    org = request.organization.slug
    if action == "accept":
        intervention = services.request_accept(
            actor=request.user,
            request=help_request,
            interventionist=data["interventionist"],
            note=data["note"],
        )
        messages.success(request, "Request accepted; planning can begin.")
        if request.membership.pk == intervention.interventionist_id or request.membership.has_role(
            Role.ORG_ADMIN, Role.INTAKE_COORDINATOR
        ):
            return redirect(
                "staff:intervention_detail", org=org, intervention_id=intervention.public_id
            )
        return redirect("staff:intervention_requests", org=org)
    if action == "refer":
        services.request_refer(actor=request.user, request=help_request, **data)
        messages.success(request, "The family has been referred.")
    else:
        services.request_close(actor=request.user, request=help_request, **data)
        messages.success(request, "Request closed.")
    return redirect("staff:intervention_requests", org=org)


# --- staff: the intervention ------------------------------------------------------------

SECTIONS = {
    "intake": (IntakeForm, services.intervention_intake_update, "Intake saved."),
    "plan": (PlanForm, services.intervention_plan_update, "Plan saved."),
    "treatment": (TreatmentForm, services.intervention_treatment_update, "Treatment saved."),
    "transport": (TransportForm, services.intervention_transport_update, "Transport saved."),
}


@roles_required(*TRIAGE)
def intervention_list(request, org):
    interventions = selectors.intervention_list_for(membership=request.membership)
    return render(
        request, "interventions/intervention_list.html", {"interventions": list(interventions)}
    )


def _section_forms(intervention, organization, bound=None, action=None):
    forms = {}
    for name, (cls, _service, _msg) in SECTIONS.items():
        initial = {f: getattr(intervention, f) for f in cls.base_fields}
        if name == action:
            forms[name] = cls(bound, prefix=name, initial=initial)
        else:
            forms[name] = cls(prefix=name, initial=initial)
    # The program comes from the organization's own directory; its choices limit the
    # answer to listings of this organization.
    forms["treatment"].fields["program_listing_id"] = program_listing_field(
        treatment_program_choices(organization=organization)
    )
    agenda_text = "\n".join(
        f"{a.title} | {a.minutes}" if a.minutes else a.title for a in intervention.agenda.all()
    )
    plan = intervention.response_plan
    forms.update(
        agenda=AgendaForm(
            bound if action == "agenda" else None, prefix="agenda", initial={"items": agenda_text}
        ),
        participant=ParticipantForm(
            bound if action == "participant" else None, prefix="participant"
        ),
        session=SessionForm(bound if action == "session" else None, prefix="session"),
        outcome=OutcomeForm(bound if action == "outcome" else None, prefix="outcome"),
        response_plan=ResponsePlanForm(
            bound if action == "response_plan" else None,
            prefix="response_plan",
            initial={f: getattr(plan, f) for f in ResponsePlanForm._meta.fields} if plan else {},
        ),
    )
    return forms


@roles_required(*TRIAGE)
def intervention_detail(request, org, intervention_id):
    membership = request.membership
    intervention = selectors.intervention_detail_for(
        membership=membership, intervention_id=intervention_id
    )
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _section_forms(intervention, request.organization, request.POST, action)
    if action is not None:
        try:
            done = _act(request, intervention, action, forms)
        except ValidationError as exc:
            form = forms.get(action)
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect(
                    "staff:intervention_detail", org=org, intervention_id=intervention_id
                )
            add_service_errors(form, exc)
            done = None
        if done:
            messages.success(request, done)
            return redirect("staff:intervention_detail", org=org, intervention_id=intervention_id)
    record_read(request, intervention, client_id=intervention.client.public_id)
    letters = {
        letter.participant_id: letter
        for letter in selectors.letter_list_for(membership=membership, intervention=intervention)
    }
    for participant in intervention.participants.all():
        participant.visible_letter = letters.get(participant.pk)
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(
        request,
        "interventions/intervention_detail.html",
        {
            "intervention": intervention,
            "forms": forms,
            "is_interventionist": intervention.interventionist_id == membership.pk,
            "Outcome": Outcome,
            "resources": FAMILY_RESOURCES,
            "local_resources": family_support_near(
                organization=request.organization, zip_code=intervention.client.zip_code
            ),
        },
        status=status,
    )


def _act(request, intervention, action: str, forms) -> str | None:
    """Run one of the page's actions; return the success message, or None when the
    form did not validate."""
    actor = request.user
    if action in SECTIONS:
        _cls, service, message = SECTIONS[action]
        form = forms[action]
        if not form.is_valid():
            return None
        service(actor=actor, intervention=intervention, **form.cleaned_data)
        return message
    if action == "agenda":
        if not forms["agenda"].is_valid():
            return None
        services.agenda_set(
            actor=actor, intervention=intervention, items=forms["agenda"].cleaned_data["items"]
        )
        return "Agenda saved."
    if action == "participant":
        form = forms["participant"]
        if not form.is_valid():
            return None
        participant = services.participant_add(
            actor=actor, intervention=intervention, **form.cleaned_data
        )
        return f"{participant.name} added."
    if action == "invite":
        participant = selectors.participant_get(
            intervention=intervention, participant_id=request.POST.get("participant")
        )
        services.participant_invite_to_portal(actor=actor, participant=participant)
        return f"{participant.name} was invited to the family portal."
    if action == "session":
        form = forms["session"]
        if not form.is_valid():
            return None
        services.session_schedule(actor=actor, intervention=intervention, **form.cleaned_data)
        return "Meeting scheduled; participants will be reminded the day before."
    if action == "attendance":
        session = selectors.session_get(
            intervention=intervention, session_id=request.POST.get("session")
        )
        services.session_record_attendance(
            actor=actor, session=session, participant_ids=request.POST.getlist("attended")
        )
        return "Attendance saved."
    if action == "outcome":
        form = forms["outcome"]
        if not form.is_valid():
            return None
        services.outcome_record(actor=actor, intervention=intervention, **form.cleaned_data)
        return "Outcome recorded."
    if action == "resume":
        services.intervention_resume_planning(actor=actor, intervention=intervention)
        return "Back to planning."
    if action == "response_plan":
        form = forms["response_plan"]
        if not form.is_valid():
            return None
        services.response_plan_save(actor=actor, intervention=intervention, **form.cleaned_data)
        return "Response plan saved."
    raise PermissionDenied("Unknown action.")


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
            _intervention_url(org, intervention),
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
