import csv
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from continuum.audit.mixins import record_read, record_reads
from continuum.audit.services import audit_record
from continuum.care import cohorts, measures
from continuum.forms_views import bind, form_status, form_view, try_save
from continuum.people.selectors import client_get_for
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import public_view, roles_required

from . import charts, cohort, forms, selectors, services
from .models import AgreementSource, Method

# Follow-up is the care team's work; admins and intake see every client anyway.
STAFF_ROLES = (Role.CASE_MANAGER, Role.SOBER_COACH, Role.ORG_ADMIN, Role.INTAKE_COORDINATOR)
SETTINGS_ROLES = (Role.ORG_ADMIN,)
CLIENT_ROLE = (Role.CLIENT,)


def _client_page(org, client) -> str:
    return reverse("staff:outcomes_client", kwargs={"org": org, "client_id": client.public_id})


# --- the signed link (no account) ----------------------------------------------------------


def _link_page(request, template: str, context: dict, *, status: int, language: str | None):
    with translation.override(language or translation.get_language()):
        body = render_to_string(template, context, request=request)
    return HttpResponse(body, status=status)


def _survey_language(request, client) -> str:
    """The language the visitor chose with the switcher, else the client's own."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in {code for code, _name in settings.LANGUAGES}:
        return chosen
    return client.preferred_language or "en"


@public_view
def survey_link(request, org, follow_up_token):
    """The survey from the e-mailed link: the first name and the center's name, nothing
    else of the record, in the client's language."""
    organization = request.organization
    try:
        follow_up = services.follow_up_from_token(organization=organization, token=follow_up_token)
    except services.LinkRefused as exc:
        status = 200 if exc.state == "answered" else 410
        return _link_page(
            request,
            "outcomes/link_refused.html",
            {"state": exc.state},
            status=status,
            language=None,
        )
    language = _survey_language(request, follow_up.client)
    with translation.override(language):
        form = bind(request, forms.SurveyForm)
        try:
            saved, _result = try_save(
                form,
                lambda d: services.follow_up_answer_by_link(
                    organization=organization, token=follow_up_token, answers=d
                ),
            )
        except services.LinkRefused as exc:
            return _link_page(
                request,
                "outcomes/link_refused.html",
                {"state": exc.state},
                status=200,
                language=language,
            )
        if saved:
            return _link_page(request, "outcomes/thanks.html", {}, status=200, language=language)
        context = {
            "form": form,
            "first_name": follow_up.client.preferred_name or follow_up.client.first_name,
            "offset_days": follow_up.offset_days,
        }
        return _link_page(
            request, "outcomes/survey.html", context, status=form_status(request), language=language
        )


# --- portal --------------------------------------------------------------------------------


@roles_required(*CLIENT_ROLE)
def portal_answer(request, org, follow_up_id):
    follow_up = selectors.portal_follow_up_get(
        membership=request.membership, follow_up_id=follow_up_id
    )
    record_read(request, follow_up, client_id=follow_up.client.public_id)
    if not follow_up.is_open and request.method != "POST":
        return render(request, "outcomes/portal_closed.html", {"follow_up": follow_up})
    return form_view(
        request,
        bind(request, forms.SurveyForm),
        save=lambda d: services.follow_up_answer(
            actor=request.user, follow_up=follow_up, answers=d, method=Method.PORTAL
        ),
        done=lambda _f: render(request, "outcomes/thanks.html", {"portal": True}),
        template="outcomes/portal_survey.html",
        context={"follow_up": follow_up, "offset_days": follow_up.offset_days},
    )


@roles_required(*CLIENT_ROLE)
def portal_agreement(request, org):
    client = selectors.portal_client(membership=request.membership)
    if client is None:
        return render(request, "outcomes/portal_no_record.html", status=404)
    agreement = services.agreement_for(client=client)
    initial = {"agreed": "yes" if agreement and agreement.agreed else "no"} if agreement else {}
    return form_view(
        request,
        bind(request, forms.PortalAgreementForm, initial=initial),
        save=lambda d: services.agreement_record(
            actor=request.user, client=client, agreed=d["agreed"], source=AgreementSource.PORTAL
        ),
        done=reverse("portal:outcomes_portal_agreement", kwargs={"org": org}),
        template="outcomes/portal_agreement.html",
        context={"agreement": agreement},
        success=lambda a: (
            _("Saved: we will send you the follow-up questions.")
            if a.agreed
            else _("Saved: we will not contact you for follow-up.")
        ),
    )


# --- staff ---------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def client_outcomes(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    follow_ups = list(selectors.follow_ups_for(client=client))
    record_reads(request, [(f, client.public_id) for f in follow_ups])
    agreement = services.agreement_for(client=client)
    context = {
        "client": client,
        "agreement": agreement,
        "agreement_form": forms.AgreementForm(
            initial={"agreed": "yes" if agreement and agreement.agreed else "no"}
            if agreement
            else None
        ),
        "follow_ups": follow_ups,
        "trend": charts.barc10_trend(
            sorted(
                (f for f in follow_ups if f.completed_at),
                key=lambda f: (f.completed_at, f.pk),
            )
        ),
    }
    # BARC-10 beside the measures other lines record (PHQ-9, craving), on the same days:
    # from the first follow-up's discharge (or a year back) to today.
    today = timezone.localdate()
    start = min((f.due_on - timedelta(days=f.offset_days) for f in follow_ups), default=None)
    start = start or today - timedelta(days=365)
    context["panels"] = charts.measure_panels(
        measures.series_for(client=client, since=start), start=start, end=today
    )
    context["panel_start"], context["panel_end"] = start, today
    return render(request, "outcomes/client.html", context)


@roles_required(*STAFF_ROLES)
def client_agreement(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    return form_view(
        request,
        bind(request, forms.AgreementForm),
        save=lambda d: services.agreement_record(
            actor=request.user, client=client, agreed=d["agreed"], source=AgreementSource.STAFF
        ),
        done=_client_page(org, client),
        template="outcomes/form.html",
        context={"client": client, "title": _("Agreement to follow-up contact")},
        success=lambda a: (
            _("Agreement to follow-up contact recorded.")
            if a.agreed
            else _("Recorded: no follow-up contact. Every follow-up not yet answered is cancelled.")
        ),
    )


@roles_required(*STAFF_ROLES)
def phone_entry(request, org, follow_up_id):
    follow_up = selectors.follow_up_get_for(
        membership=request.membership, follow_up_id=follow_up_id
    )
    client = follow_up.client
    return form_view(
        request,
        bind(request, forms.SurveyForm),
        save=lambda d: services.follow_up_answer(
            actor=request.user, follow_up=follow_up, answers=d, method=Method.PHONE
        ),
        done=_client_page(org, client),
        template="outcomes/phone.html",
        context={"client": client, "follow_up": follow_up},
        success=_("Follow-up answers recorded, marked as by phone."),
    )


@roles_required(*SETTINGS_ROLES)
def settings_page(request, org):
    current = services.outcomes_settings_for(organization=request.organization)
    initial = {
        "offsets_days": current.offsets_days,
        "reminder_days": current.reminder_days,
        "expire_after_days": current.expire_after_days,
    }
    return form_view(
        request,
        bind(request, forms.SettingsForm, initial=initial),
        save=lambda d: services.outcomes_settings_save(
            actor=request.user, organization=request.organization, **d
        ),
        done=reverse("staff:outcomes_settings", kwargs={"org": org}),
        template="outcomes/settings.html",
        context={},
        success=_("Follow-up schedule saved. It applies to clients enrolled from now on."),
    )


# --- what the center learns: the cohort page -----------------------------------------------

COHORT_ROLES = (Role.ORG_ADMIN,)


def admins_only(view):
    """Org admins only; anyone else is told who can see the page (a 403 that names the
    way forward, not a bare refusal)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.membership.has_role(*COHORT_ROLES):
            return render(request, "outcomes/cohort_refused.html", status=403)
        return view(request, *args, **kwargs)

    wrapped.required_roles = frozenset(COHORT_ROLES)
    return wrapped


def _cohort(request):
    """The form over the cohorts on offer and, when it is valid, the cohort's table."""
    membership = request.membership
    today = timezone.localdate()
    lines = cohorts.engaged_lines()
    form = forms.CohortForm(
        request.GET,
        periods=cohort.periods_from(selectors.cohort_months(membership=membership), today=today),
        programs=selectors.cohort_programs(membership=membership),
        lines=lines,
        default_period=cohort.latest_complete_quarter(today).value,
    )
    if not form.is_valid():
        return form, None, None
    period = next(p for p in form.periods if p.value == form.cleaned_data["period"])
    episodes = selectors.cohort_episodes(
        membership=membership,
        start=period.start,
        end=period.end,
        program=form.cleaned_data["program"],
    )
    if form.cleaned_data["line"]:
        episodes = cohorts.narrow(episodes, line_key=form.cleaned_data["line"])
    rows = list(episodes.only("id", "discharge_date"))
    schedule = services.outcomes_settings_for(organization=request.organization)
    table = cohort.cohort_build(
        episodes=rows,
        follow_ups=selectors.cohort_follow_ups(episodes=episodes),
        offsets=sorted(schedule.offsets_days),
        closes_after=schedule.expire_after_days,
        today=today,
        line_figures=cohorts.figures_for(episodes=episodes, today=today),
    )
    for section in table.sections:
        section.chart = charts.cohort_bars(section)
    return form, period, table


@admins_only
def cohort_page(request, org):
    form, period, table = _cohort(request)
    context = {
        "form": form,
        "period": period,
        "cohort": table,
        "export_url": reverse("staff:outcomes_cohort_export", kwargs={"org": org})
        + ("?" + request.GET.urlencode() if request.GET else ""),
    }
    return render(request, "outcomes/cohort.html", context, status=200 if table else 400)


@admins_only
def cohort_export(request, org):
    form, period, table = _cohort(request)
    if table is None:
        return render(request, "outcomes/cohort.html", {"form": form}, status=400)
    # An export of clinical figures is recorded before anything is sent.
    audit_record(
        actor=request.user,
        organization=request.organization,
        action="outcomes.cohort_exported",
        detail={k: str(v) for k, v in form.cleaned_data.items()},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerows(cohort.csv_rows(table, title=period.label))
    response["Content-Disposition"] = (
        f'attachment; filename="outcomes-{org}-{form.cleaned_data["period"]}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
