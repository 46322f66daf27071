import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum import directory
from continuum.audit.mixins import record_read, record_reads
from continuum.care import safety
from continuum.care.selectors import safety_event_latest
from continuum.consent.refusals import record_consent_path
from continuum.consent.services import ConsentRequired
from continuum.forms_views import bind, form_status, form_view, try_save
from continuum.people.selectors import client_for_portal_user, client_get_for
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import roles_required

from . import charts, forms, instruments, selectors, services
from .models import AssessmentSource, StepStatus

# Case work is for the care team; admins and intake see every client anyway.
CASE_ROLES = (Role.CASE_MANAGER, Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.SOBER_COACH)
# The follow-up report is a case manager's and an admin's measure (least privilege).
REPORT_ROLES = (Role.CASE_MANAGER, Role.ORG_ADMIN)
CLIENT_ROLE = (Role.CLIENT,)


def _client(request, client_id):
    return client_get_for(membership=request.membership, client_id=client_id)


def _plan_or_404(client):
    plan = selectors.plan_active_for(client=client)
    if plan is None:
        raise Http404("No active care plan.")
    return plan


def _back(org, client):
    return redirect("staff:casemgmt_client", org=org, client_id=client.public_id)


def _case_form(request, form, save, *, client, title: str, success: str):
    """A case page's form: saved, it goes back to the client's case page."""
    return form_view(
        request,
        form,
        save=save,
        done=_back(request.organization.slug, client),
        template="casemanagement/form.html",
        context={"client": client, "title": title},
        success=success,
    )


def _case_action(request, form, save, *, client, success: str, refused):
    """A button on the case page: saved or refused (`refused(form)` says why), it goes
    back there."""
    saved, _result = try_save(form, save)
    if saved:
        messages.success(request, success)
    else:
        messages.error(request, refused(form))
    return _back(request.organization.slug, client)


# --- staff ------------------------------------------------------------------------------


@roles_required(*CASE_ROLES)
def dashboard(request, org):
    membership = request.membership
    now = timezone.now()
    context = {
        "caseload": list(selectors.caseload_for(membership=membership)),
        "accompany": list(selectors.appointments_to_accompany(membership=membership, now=now)),
        "reviews": list(
            selectors.plans_due_for_review(membership=membership, today=timezone.localdate())
        ),
        "worsening": selectors.worsening_assessments(
            membership=membership, since=now - timezone.timedelta(days=30)
        ),
        "show_report": membership.has_role(*REPORT_ROLES),
    }
    return render(request, "casemanagement/dashboard.html", context)


@roles_required(*CASE_ROLES)
def gaps_board(request, org):
    gaps = list(selectors.gap_list_for(membership=request.membership))
    now = timezone.now()
    for gap in gaps:
        gap.age_days = (now - gap.detected_at).days
    record_reads(request, [(gap, gap.client.public_id) for gap in gaps])
    return render(request, "casemanagement/gaps.html", {"gaps": gaps})


@roles_required(*REPORT_ROLES)
def followup_report(request, org):
    form = forms.FollowUpReportForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "casemanagement/followup.html", {"form": form}, status=400)
    months = (form.cleaned_data.get("months") if request.GET else None) or selectors.REPORT_MONTHS
    report = selectors.followup_report(
        membership=request.membership,
        organization=request.organization,
        today=timezone.localdate(),
        months=months,
    )
    record_reads(request, [(row.episode, row.episode.client.public_id) for row in report.rows])
    return render(request, "casemanagement/followup.html", {"form": form, "report": report})


@roles_required(*CASE_ROLES)
def assessment_history(request, org, client_id):
    """Every assessment the client has answered, charted and listed (the case page
    draws the latest 60)."""
    client = _client(request, client_id)
    assessments = list(selectors.assessments_for(client=client))
    record_reads(request, [(a, client.public_id) for a in assessments])
    context = {
        "client": client,
        "assessments": assessments,
        "charts": [
            charts.trend_chart(t) for t in selectors.assessment_trends(assessments=assessments)
        ],
    }
    return render(request, "casemanagement/assessment_history.html", context)


@roles_required(*CASE_ROLES)
def client_case(request, org, client_id):
    client = _client(request, client_id)
    record_read(request, client)
    assessments = list(selectors.assessments_for(client=client)[:60])
    context = {
        "client": client,
        "plan": selectors.plan_active_for(client=client),
        "providers": list(selectors.providers_for(client=client)),
        "appointments": list(selectors.appointments_for(client=client)[:50]),
        "medications": list(selectors.medications_for(client=client)),
        "assessments": assessments[:10],
        "charts": [
            charts.trend_chart(t) for t in selectors.assessment_trends(assessments=assessments)
        ],
        "contacts": list(selectors.contacts_for(client=client)[:20]),
        "gaps": list(selectors.gaps_for(client=client)),
        "instruments": instruments.INSTRUMENTS.values(),
        "step_statuses": StepStatus.choices,
        "questionnaires": list(selectors.questionnaires_for(client=client)[:20]),
        "today": timezone.localdate(),
        "can_assign": request.membership.has_role(*services.ASSIGNING_ROLES),
    }
    return render(request, "casemanagement/client_case.html", context)


@roles_required(*CASE_ROLES)
def plan_print(request, org, client_id):
    client = _client(request, client_id)
    plan = _plan_or_404(client)
    record_read(request, plan, client_id=client.public_id)
    context = {
        "client": client,
        "plan": plan,
        "providers": list(selectors.providers_for(client=client).filter(is_active=True)),
        "medications": list(selectors.medications_for(client=client)),
    }
    return render(request, "casemanagement/plan_print.html", context)


@roles_required(*CASE_ROLES)
def plan_open(request, org, client_id):
    client = _client(request, client_id)
    form = bind(request, forms.ReviewForm)
    form.fields["summary"].label = "Aftercare recommendations"
    return _case_form(
        request,
        form,
        lambda d: services.careplan_open(
            actor=request.user, client=client, recommendations=d["summary"]
        ),
        client=client,
        title="Open a care plan",
        success="Care plan opened.",
    )


@roles_required(*CASE_ROLES)
def goal_add(request, org, client_id):
    client = _client(request, client_id)
    plan = _plan_or_404(client)
    return _case_form(
        request,
        bind(request, forms.GoalForm),
        lambda d: services.goal_add(actor=request.user, plan=plan, **d),
        client=client,
        title="Add a goal",
        success="Goal added.",
    )


@roles_required(*CASE_ROLES)
def step_add(request, org, cm_goal_id):
    goal = selectors.goal_get_for(membership=request.membership, goal_id=cm_goal_id)
    client = goal.plan.client
    return _case_form(
        request,
        bind(request, forms.StepForm, providers=selectors.providers_for(client=client)),
        lambda d: services.step_add(actor=request.user, goal=goal, **d),
        client=client,
        title=f"Add a step to “{goal.title}”",
        success="Step added.",
    )


@require_POST
@roles_required(*CASE_ROLES)
def step_status(request, org, cm_step_id):
    step = selectors.step_get_for(membership=request.membership, step_id=cm_step_id)
    return _case_action(
        request,
        bind(request, forms.StepStatusForm),
        lambda d: services.step_set_status(actor=request.user, step=step, **d),
        client=step.goal.plan.client,
        success="Step updated.",
        refused=lambda form: "Choose a status for the step.",
    )


@roles_required(*CASE_ROLES)
def note_add(request, org, cm_goal_id):
    goal = selectors.goal_get_for(membership=request.membership, goal_id=cm_goal_id)
    return _case_form(
        request,
        bind(request, forms.NoteForm),
        lambda d: services.progress_note_add(actor=request.user, goal=goal, **d),
        client=goal.plan.client,
        title=f"Progress on “{goal.title}”",
        success="Progress note added.",
    )


@roles_required(*CASE_ROLES)
def plan_review(request, org, client_id):
    client = _client(request, client_id)
    plan = _plan_or_404(client)
    return _case_form(
        request,
        bind(request, forms.ReviewForm),
        lambda d: services.plan_review(actor=request.user, plan=plan, **d),
        client=client,
        title="Review the care plan",
        success="Review recorded.",
    )


# A directory listing's kind, as the provider kind it is on a care plan.
LISTING_PROVIDER_KIND = {
    "therapist": "therapist",
    "psychiatrist": "psychiatrist",
    "iop_php": "iop_php",
    "mat": "moud_prescriber",
    "sober_living": "sober_living",
    "peer_support": "peer_support",
}


@roles_required(*CASE_ROLES)
def provider_add(request, org, client_id):
    """A provider, typed in or picked from the directory: `?q=` searches listings by
    name, `?listing=` fills the form from the one chosen and links it."""
    client = _client(request, client_id)
    query = request.GET.get("q", "").strip()[:100]
    picked = None
    initial = {}
    if request.GET.get("listing"):
        found = directory.listing_pick(
            organization=request.organization, listing_id=_uuid_or_none(request.GET["listing"])
        )
        picked = found[0] if found else None
        if picked is not None:
            initial = {
                "listing_id": picked["id"],
                "name": picked["name"],
                "phone": picked["phone"],
                "email": picked["email"],
                "address": picked["address"],
                "kind": LISTING_PROVIDER_KIND.get(picked["kind_code"], "other"),
            }
    return form_view(
        request,
        bind(request, forms.ProviderForm, initial=initial),
        save=lambda d: services.provider_add(actor=request.user, client=client, **d),
        done=_back(org, client),
        template="casemanagement/provider_form.html",
        context={
            "client": client,
            "title": "Add a provider",
            "q": query,
            "matches": directory.listing_pick(organization=request.organization, text=query)
            if query
            else None,
            "picked": picked,
            "listing_missing": bool(request.GET.get("listing")) and picked is None,
        },
        success="Provider added.",
    )


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@roles_required(*CASE_ROLES)
def contact_add(request, org, client_id):
    client = _client(request, client_id)
    context = {"client": client, "title": "Log a contact"}

    def record(d):
        try:
            return services.contact_record(actor=request.user, client=client, **d)
        except ConsentRequired as refusal:
            # The refusal names the way forward: the consent page, filled in with what
            # this contact needed.
            context["consent_refusal_url"] = record_consent_path(
                organization=request.organization, refusal=refusal
            )
            raise

    return form_view(
        request,
        bind(request, forms.ContactForm, providers=selectors.providers_for(client=client)),
        save=record,
        done=_back(org, client),
        template="casemanagement/form.html",
        context=context,
        success="Contact logged.",
    )


@roles_required(*CASE_ROLES)
def appointment_add(request, org, client_id):
    client = _client(request, client_id)

    def schedule(d):
        accompanies = d.pop("case_manager_accompanies")
        services.appointment_schedule(
            actor=request.user,
            client=client,
            accompanied_by=request.membership if accompanies else None,
            **d,
        )

    return _case_form(
        request,
        bind(request, forms.AppointmentForm, providers=selectors.providers_for(client=client)),
        schedule,
        client=client,
        title="Schedule an appointment",
        success="Appointment scheduled.",
    )


@require_POST
@roles_required(*CASE_ROLES)
def gaps_check(request, org, client_id):
    client = _client(request, client_id)
    counts = services.gaps_recheck(actor=request.user, client=client)
    messages.success(
        request,
        f"Gaps in care checked now: {counts['found']} open, {counts['created']} new, "
        f"{counts['resolved']} closed.",
    )
    return _back(org, client)


def _appointment(request, cm_appointment_id):
    return selectors.appointment_get_for(
        membership=request.membership, appointment_id=cm_appointment_id
    )


@require_POST
@roles_required(*CASE_ROLES)
def appointment_status(request, org, cm_appointment_id):
    appointment = _appointment(request, cm_appointment_id)
    return _case_action(
        request,
        bind(request, forms.AppointmentStatusForm),
        lambda d: services.appointment_set_status(actor=request.user, appointment=appointment, **d),
        client=appointment.client,
        success="Appointment updated.",
        refused=lambda form: (
            " ".join(e for errs in form.errors.values() for e in errs)
            or "Choose attended, missed or cancelled."
        ),
    )


@roles_required(*CASE_ROLES)
def appointment_reschedule(request, org, cm_appointment_id):
    appointment = _appointment(request, cm_appointment_id)
    initial = {"starts_at": appointment.starts_at, "ends_at": appointment.ends_at}
    return _case_form(
        request,
        bind(request, forms.AppointmentRescheduleForm, initial=initial),
        lambda d: services.appointment_reschedule(actor=request.user, appointment=appointment, **d),
        client=appointment.client,
        title="Reschedule the appointment",
        success="Appointment moved; reminders follow the new time.",
    )


@roles_required(*CASE_ROLES)
def medication_add(request, org, client_id):
    client = _client(request, client_id)
    return _case_form(
        request,
        bind(request, forms.MedicationForm, providers=selectors.providers_for(client=client)),
        lambda d: services.medication_add(actor=request.user, client=client, **d),
        client=client,
        title="Add a medication",
        success="Medication added.",
    )


@roles_required(*CASE_ROLES)
def medication_fill(request, org, cm_medication_id):
    medication = selectors.medication_get_for(
        membership=request.membership, medication_id=cm_medication_id
    )
    return _case_form(
        request,
        bind(request, forms.FillForm),
        lambda d: services.medication_fill_record(actor=request.user, medication=medication, **d),
        client=medication.client,
        title=f"Refill of {medication}",
        success="Refill recorded.",
    )


def _assessment_page(request, *, client, code, source, template, extra):
    try:
        form_class = forms.assessment_form_class(code, ask_sex=True)
    except KeyError:
        raise Http404("No such instrument.") from None
    instrument = instruments.INSTRUMENTS[code]

    def record(data):
        data = dict(data)
        sex = data.pop("sex", "")
        return services.assessment_record(
            actor=request.user,
            client=client,
            instrument=code,
            answers={k: v for k, v in data.items() if v is not None},
            source=source,
            sex=sex,
        )

    def result_page(assessment):
        event = safety_event_latest(client=client) if assessment.urgent else None
        return render(
            request,
            template.replace("form", "result"),
            {
                **extra,
                "client": client,
                "assessment": assessment,
                "instrument": instrument,
                # The truth about who was told, for the client and for staff.
                "safety_told": safety.told_sentence(event),
                "staff_told": safety.staff_told_sentence(event),
            },
        )

    return form_view(
        request,
        bind(request, form_class),
        save=record,
        done=result_page,
        template=template,
        context={**extra, "client": client, "instrument": instrument},
    )


@roles_required(*CASE_ROLES)
def assessment_enter(request, org, client_id, cm_instrument):
    client = _client(request, client_id)
    return _assessment_page(
        request,
        client=client,
        code=cm_instrument,
        source=AssessmentSource.STAFF,
        template="casemanagement/assessment_form.html",
        extra={"staff": True},
    )


# --- portal -----------------------------------------------------------------------------


def _own_client(request):
    client = client_for_portal_user(membership=request.membership)
    if client is None:
        raise Http404("No client record.")
    return client


@roles_required(*CLIENT_ROLE)
def portal_plan(request, org):
    client = _own_client(request)
    plan = selectors.plan_active_for(client=client)
    if plan is not None:
        # The client's own reads of their record are in the trail like anyone's.
        record_read(request, plan, client_id=client.public_id)
    return render(request, "casemanagement/portal_plan.html", {"client": client, "plan": plan})


@require_POST
@roles_required(*CLIENT_ROLE)
def portal_plan_acknowledge(request, org):
    client = _own_client(request)
    plan = _plan_or_404(client)
    services.plan_acknowledge(actor=request.user, plan=plan)
    messages.success(request, _("Thank you: your case manager can see you have read your plan."))
    return redirect("portal:casemgmt_portal_plan", org=org)


@roles_required(*CLIENT_ROLE)
def portal_appointments(request, org):
    client = _own_client(request)
    appointments = selectors.appointments_for(client=client).filter(
        starts_at__gte=timezone.now() - timezone.timedelta(days=30)
    )
    appointments = list(appointments)
    record_reads(request, [(a, client.public_id) for a in appointments])
    return render(
        request,
        "casemanagement/portal_appointments.html",
        {"client": client, "appointments": appointments},
    )


@roles_required(*CLIENT_ROLE)
def portal_medications(request, org):
    client = _own_client(request)
    today = timezone.localdate()
    medications = [m for m in selectors.medications_for(client=client) if m.is_current(today)]
    record_reads(request, [(m, client.public_id) for m in medications])
    form = forms.AdherenceForm(request.POST or None)
    if request.method == "POST":
        medication = next(
            (m for m in medications if str(m.public_id) == request.POST.get("medication")), None
        )
        if medication is None:
            form.add_error(None, _("Choose one of your medications."))
        elif form.is_valid():
            week_of = today - timezone.timedelta(days=today.weekday())
            services.adherence_report(
                actor=request.user, medication=medication, week_of=week_of, **form.cleaned_data
            )
            messages.success(request, _("Thanks: your report was saved."))
            return redirect("portal:casemgmt_portal_medications", org=org)
    return render(
        request,
        "casemanagement/portal_medications.html",
        {"client": client, "medications": medications, "form": form},
        status=form_status(request),
    )


@roles_required(*CLIENT_ROLE)
def portal_assessment(request, org, cm_instrument):
    client = _own_client(request)
    return _assessment_page(
        request,
        client=client,
        code=cm_instrument,
        source=AssessmentSource.PORTAL,
        template="casemanagement/portal_assessment_form.html",
        extra={},
    )


# --- questionnaires assigned to answer in the portal --------------------------------------


@roles_required(*services.ASSIGNING_ROLES)
def questionnaire_assign(request, org, client_id):
    """A case manager or coach asks the client to answer an instrument by a day."""
    client = _client(request, client_id)
    today = timezone.localdate()
    form = bind(
        request,
        forms.QuestionnaireAssignForm,
        initial={"due_on": today + timezone.timedelta(days=7)},
    )

    def assigned(assignment):
        name = instruments.INSTRUMENTS[assignment.instrument].short_name
        return (
            f"{name} assigned, due {assignment.due_on:%b %-d, %Y}. {client.display_name} sees "
            "it on the portal home; reminders go out the day before and on that day."
        )

    return form_view(
        request,
        form,
        save=lambda d: services.questionnaire_assign(
            actor=request.user, assigned_by=request.membership, client=client, today=today, **d
        ),
        done=_back(org, client),
        template="casemanagement/questionnaire_assign.html",
        context={"client": client, "title": "Assign a questionnaire"},
        success=assigned,
    )


@roles_required(*CLIENT_ROLE)
def portal_questionnaire(request, org, cm_questionnaire_id):
    """An assigned questionnaire, answered in the portal: scored and checked by the same
    service as any assessment (item 9 of the PHQ-9 tells the responsible person)."""
    client = _own_client(request)
    assignment = selectors.questionnaire_get_for_client(
        client=client, assignment_id=cm_questionnaire_id
    )
    record_read(request, assignment, client_id=client.public_id)
    instrument = instruments.INSTRUMENTS[assignment.instrument]
    result_template = "casemanagement/portal_assessment_result.html"
    if assignment.answered_at is not None:
        messages.info(
            request,
            _("You answered the %(name)s on %(day)s. Thank you.")
            % {
                "name": instrument.short_name,
                "day": formats.date_format(timezone.localdate(assignment.answered_at)),
            },
        )
        return redirect("portal:home", org=org)

    def record(data):
        data = dict(data)
        sex = data.pop("sex", "")
        return services.questionnaire_answer(
            actor=request.user,
            assignment=assignment,
            answers={k: v for k, v in data.items() if v is not None},
            sex=sex,
        )

    def result_page(assessment):
        event = safety_event_latest(client=client) if assessment.urgent else None
        return render(
            request,
            result_template,
            {
                "client": client,
                "assessment": assessment,
                "instrument": instrument,
                "safety_told": safety.told_sentence(event),
                "staff_told": safety.staff_told_sentence(event),
            },
        )

    return form_view(
        request,
        bind(request, forms.assessment_form_class(assignment.instrument, ask_sex=True)),
        save=record,
        done=result_page,
        template="casemanagement/portal_assessment_form.html",
        context={"client": client, "instrument": instrument, "assignment": assignment},
    )
