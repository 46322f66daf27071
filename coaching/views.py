"""Coaching pages: thin, they parse, call one service or selector, and render."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum.audit.mixins import record_mixed_reads, record_read, record_row_reads
from continuum.care import safety
from continuum.care.selectors import safety_event_latest
from continuum.forms_views import action_view, bind, form_view, try_save
from continuum.paging import page_of
from continuum.people.models import client_display_name
from continuum.people.selectors import client_for_portal_user, client_get_for, client_list_for
from continuum.tenancy.models import Role
from continuum.tenancy.navigation import detail_urls
from continuum.tenancy.permissions import roles_required

from . import selectors, services
from .forms import (
    CheckInForm,
    CoachProfileForm,
    ContactForm,
    EngagementForm,
    HighRiskEventForm,
    MeetingForm,
    PlanForm,
    ProposeEngagementForm,
    SobrietyTestForm,
    StatusForm,
)
from .models import Alert, Engagement, EngagementStatus, HighRiskEvent

STAFF = (Role.SOBER_COACH, Role.CASE_MANAGER, Role.ORG_ADMIN)
# Who may change an engagement and write on it: its coach's colleagues in coaching and
# the org admin. Case managers read and acknowledge.
WRITERS = (Role.SOBER_COACH, Role.ORG_ADMIN)
# The dashboard's caseload, highest risk first; the rest are on the following pages.
CASELOAD_PER_PAGE = 50


def _engagement_url(request, engagement) -> str:
    return reverse(
        "staff:coaching_engagement",
        kwargs={"org": request.organization.slug, "engagement_id": engagement.public_id},
    )


def _engagement(request, engagement_id):
    return selectors.engagement_get_for(membership=request.membership, engagement_id=engagement_id)


# --- staff ------------------------------------------------------------------------------


@roles_required(*STAFF)
def dashboard(request, org):
    membership = request.membership
    caseload = selectors.coach_caseload(membership=membership, organization=request.organization)
    page = page_of(request, caseload, CASELOAD_PER_PAGE)
    rows = list(page.object_list)
    urls = detail_urls(
        "staff:coaching_engagement",
        [row["public_id"] for row in rows],
        id_kwarg="engagement_id",
        org=org,
    )
    for row, url in zip(rows, urls, strict=True):
        row["url"] = url
        row["name"] = client_display_name(
            row["client_first_name"], row["client_last_name"], row["client_preferred_name"]
        )
        row["risk_band"], row["risk_severity"] = selectors.risk_band(int(row["risk"]))
        row["risk_parts"] = selectors.risk_parts(row)
    schedule = list(selectors.coach_schedule(membership=membership))
    alerts = list(selectors.coach_open_alerts(membership=membership)[:50])
    # The caseload shows each client's recovery indicators, and alerts and hard days name
    # the client and what is happening to them: each is a read, recorded in one statement.
    record_mixed_reads(
        request,
        [
            *((Engagement, row["public_id"], row["client_public_id"]) for row in rows),
            *((Alert, a.public_id, a.engagement.client.public_id) for a in alerts),
            *((HighRiskEvent, h.public_id, h.engagement.client.public_id) for h in schedule),
        ],
    )
    context = {
        "caseload": rows,
        "page": page,
        "schedule": schedule,
        "alerts": alerts,
        "risk_scale": selectors.RISK_SCALE,
    }
    return render(request, "coaching/dashboard.html", context)


@roles_required(*STAFF)
def engagement_list(request, org):
    engagements = list(
        selectors.engagement_list_for(membership=request.membership).order_by(
            "status", "client__last_name", "client__first_name"
        )[:200]
    )
    record_row_reads(request, Engagement, [(e.public_id, e.client.public_id) for e in engagements])
    return render(request, "coaching/engagement_list.html", {"engagements": engagements})


@roles_required(*STAFF)
def client_coaching(request, org, client_id):
    """The client record's coaching tab: the client's engagements, newest first, and
    their alerts still outstanding."""
    client = client_get_for(membership=request.membership, client_id=client_id)
    engagements = list(
        selectors.engagement_list_for(membership=request.membership)
        .filter(client=client)
        .order_by("-starts_on", "-id")
    )
    alerts = list(
        selectors.alert_list_for(membership=request.membership).filter(engagement__client=client)[
            :50
        ]
    )
    record_mixed_reads(
        request,
        [
            *((Engagement, e.public_id, client.public_id) for e in engagements),
            *((Alert, a.public_id, client.public_id) for a in alerts),
        ],
    )
    return render(
        request,
        "coaching/client_coaching.html",
        {
            "client": client,
            "engagements": engagements,
            "alerts": alerts,
            "propose_url": reverse("staff:coaching_engagement_new", kwargs={"org": org})
            + f"?client={client.public_id}"
            if request.membership.has_role(*WRITERS)
            else "",
        },
    )


@roles_required(*WRITERS)
def engagement_new(request, org):
    membership = request.membership
    clients = client_list_for(membership=membership).order_by("last_name", "first_name")
    coaches = selectors.coach_memberships(organization=request.organization)
    initial = {}
    if request.GET.get("client"):
        client = client_get_for(membership=membership, client_id=request.GET["client"])
        initial["client"] = client
    if membership.has_role(Role.SOBER_COACH):
        initial["coach"] = membership
    form = bind(request, ProposeEngagementForm, initial=initial, clients=clients, coaches=coaches)
    return form_view(
        request,
        form,
        save=lambda d: services.engagement_propose(
            actor=request.user, client=d["client"], coach=d["coach"], **form.settings()
        ),
        done=lambda engagement: _engagement_url(request, engagement),
        template="coaching/form_page.html",
        context={"title": "Propose coaching"},
        success="Engagement proposed.",
    )


@roles_required(*STAFF)
def engagement_detail(request, org, engagement_id):
    engagement = _engagement(request, engagement_id)
    record_read(request, engagement, client_id=engagement.client.public_id)
    today = services.local_now(request.organization).date()
    checkins = list(selectors.checkins_for(engagement=engagement, today=today))
    context = {
        "engagement": engagement,
        "plan": selectors.plan_for(engagement=engagement),
        "contacts": list(selectors.contacts_for(engagement=engagement)[:20]),
        "checkins": checkins[:14],
        "chart": selectors.craving_trend(checkins, today=today),
        "alerts": list(engagement.alerts.select_related("acknowledged_by")[:20]),
        "meetings": list(engagement.meetings.select_related("verified_by")[:10]),
        "tests": list(engagement.sobriety_tests.all()[:10]),
        "events": list(engagement.high_risk_events.all()),
        "report": selectors.engagement_report(engagement=engagement, today=today),
        "status_choices": [
            (value, EngagementStatus(value).label) for value in engagement.allowed_next_statuses
        ],
        "meeting_form": MeetingForm(initial={"attended_on": today}),
        "test_form": SobrietyTestForm(initial={"tested_on": today}),
        "can_write": request.membership.has_role(*WRITERS),
    }
    return render(request, "coaching/engagement_detail.html", context)


@roles_required(*WRITERS)
def engagement_edit(request, org, engagement_id):
    engagement = _engagement(request, engagement_id)
    coaches = selectors.coach_memberships(organization=request.organization)
    form = bind(request, EngagementForm, instance=engagement, coaches=coaches)
    return form_view(
        request,
        form,
        save=lambda d: services.engagement_update(
            actor=request.user, engagement=engagement, coach=d["coach"], **form.settings()
        ),
        done=_engagement_url(request, engagement),
        template="coaching/engagement_edit.html",
        context={
            "engagement": engagement,
            "matches": selectors.coach_suggestions(client=engagement.client),
        },
        success="Engagement updated.",
    )


@require_POST
@roles_required(*WRITERS)
def engagement_status(request, org, engagement_id):
    engagement = _engagement(request, engagement_id)
    form = StatusForm(request.POST)
    done = _engagement_url(request, engagement)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(done)
    status = form.cleaned_data["status"]
    return action_view(
        request,
        lambda: services.engagement_set_status(
            actor=request.user,
            engagement=engagement,
            status=status,
            reason=form.cleaned_data["reason"],
        ),
        done=done,
        success=f"Engagement {EngagementStatus(status).label.lower()}.",
    )


def _record(request, engagement, form, *, service, title, success):
    """A page of the engagement's that saves one form through one service, then returns
    to the engagement."""
    return form_view(
        request,
        form,
        save=lambda d: service(actor=request.user, engagement=engagement, **d),
        done=_engagement_url(request, engagement),
        template="coaching/form_page.html",
        context={"title": title, "engagement": engagement},
        success=success,
    )


@dataclass(frozen=True)
class Record:
    form: type
    service: Callable
    title: str
    success: str


# What a coach adds to an engagement from its page, by the `record` its URL names.
RECORDS = {
    "contact": Record(ContactForm, services.contact_log, "Log a contact", "Contact logged."),
    "meeting": Record(
        MeetingForm, services.meeting_record, "Record a meeting", "Meeting recorded."
    ),
    "test": Record(
        SobrietyTestForm, services.sobriety_test_record, "Record a sobriety test", "Test recorded."
    ),
    "event": Record(
        HighRiskEventForm,
        services.high_risk_event_add,
        "Plan for a high-risk day",
        "High-risk day planned; reminders are scheduled.",
    ),
}


@roles_required(*WRITERS)
def record_new(request, org, engagement_id, record: str):
    kind = RECORDS[record]
    return _record(
        request,
        _engagement(request, engagement_id),
        bind(request, kind.form),
        service=kind.service,
        title=kind.title,
        success=kind.success,
    )


@roles_required(*WRITERS)
def plan_edit(request, org, engagement_id):
    engagement = _engagement(request, engagement_id)
    plan = selectors.plan_for(engagement=engagement)
    initial = {}
    if plan is not None:
        initial = {
            "triggers": "\n".join(plan.triggers),
            "warning_signs": plan.warning_signs,
            "coping_strategies": plan.coping_strategies,
            "people_to_call": plan.people_to_call,
            "reasons_for_recovery": plan.reasons_for_recovery,
        }
    return _record(
        request,
        engagement,
        bind(request, PlanForm, initial=initial),
        service=services.plan_save,
        title="Relapse-prevention plan",
        success="Relapse-prevention plan saved.",
    )


@require_POST
@roles_required(*STAFF)
def alert_acknowledge(request, org, coaching_alert_id):
    alert = selectors.alert_get_for(membership=request.membership, alert_id=coaching_alert_id)
    # `next` comes from the form: only a path on this site is followed.
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = _engagement_url(request, alert.engagement)
    return action_view(
        request,
        lambda: services.alert_acknowledge(actor=request.user, alert=alert),
        done=next_url,
        success="Alert acknowledged.",
    )


@require_POST
@roles_required(*STAFF)
def alert_resolve(request, org, coaching_alert_id):
    alert = selectors.alert_get_for(membership=request.membership, alert_id=coaching_alert_id)
    return action_view(
        request,
        lambda: services.alert_resolve(
            actor=request.user, alert=alert, note=request.POST.get("note", "")
        ),
        done=_engagement_url(request, alert.engagement),
        success="Alert cleared.",
    )


@roles_required(*STAFF)
def coach_list(request, org):
    profiles = selectors.coach_profiles(organization=request.organization)
    return render(request, "coaching/coach_list.html", {"profiles": profiles})


@roles_required(Role.SOBER_COACH)
def coach_profile(request, org):
    membership = request.membership
    profile = (
        selectors.coach_profiles(organization=request.organization)
        .filter(membership=membership)
        .first()
    )
    initial = {
        "capacity": 8,
        "hours_start": "08:00",
        "hours_end": "20:00",
        "languages": "en",
        "accepting_clients": True,
    }
    if profile is not None:
        initial = {
            field: getattr(profile, field)
            for field in CoachProfileForm.base_fields
            if field != "languages"
        }
        initial["languages"] = ", ".join(profile.languages)
    return form_view(
        request,
        bind(request, CoachProfileForm, initial=initial),
        save=lambda d: services.coach_profile_save(actor=request.user, membership=membership, **d),
        done=reverse("staff:coaching_coaches", kwargs={"org": org}),
        template="coaching/form_page.html",
        context={"title": "My coaching profile"},
        success="Profile saved.",
    )


# --- the client's portal ----------------------------------------------------------------


def _portal_engagement(request):
    return selectors.engagement_for_portal(membership=request.membership)


@roles_required(Role.CLIENT)
def portal_home(request, org):
    engagement = _portal_engagement(request)
    context = {"engagement": engagement}
    if engagement is not None:
        record_read(request, engagement, client_id=engagement.client.public_id)
        today = services.local_now(request.organization).date()
        checkins = list(selectors.checkins_for(engagement=engagement, today=today))
        plan = selectors.plan_for(engagement=engagement)
        days = {c.day: c.sober for c in checkins}
        context.update(
            {
                "today_checkin": next((c for c in checkins if c.day == today), None),
                "form": CheckInForm(triggers=plan.triggers if plan else ()),
                "sober": selectors.sober_run(
                    selectors.sober_history(engagement=engagement, today=today), today
                ),
                "checkin_streak": selectors.checkin_streak(set(days), today),
                "chart": selectors.craving_trend(checkins, today=today),
                "events": list(
                    engagement.high_risk_events.filter(starts_at__gte=timezone.now())[:3]
                ),
            }
        )
    return render(request, "coaching/portal_home.html", context)


@require_POST
@roles_required(Role.CLIENT)
def portal_checkin(request, org):
    engagement = _portal_engagement(request)
    if engagement is None:
        messages.error(request, _("You have no coaching engagement to check in to."))
        return redirect("portal:coaching_home", org=org)
    plan = selectors.plan_for(engagement=engagement)
    form = CheckInForm(request.POST, triggers=plan.triggers if plan else ())
    saved, checkin = try_save(
        form,
        lambda d: services.checkin_record(actor=request.user, engagement=engagement, **d),
    )
    if saved:
        if services.checkin_is_safety_event(checkin, engagement):
            # The truth about who was told (or, with nobody to tell, the crisis lines).
            event = safety_event_latest(client=engagement.client)
            told = safety.told_sentence(event)
            level = messages.success if told else messages.error
            level(request, safety.told_or_crisis_sentence(event))
        else:
            messages.success(request, _("Checked in. Thank you, see you tomorrow."))
        return redirect("portal:coaching_home", org=org)
    return render(
        request,
        "coaching/portal_checkin.html",
        {"form": form, "engagement": engagement},
        status=400,
    )


@roles_required(Role.CLIENT)
def portal_plan(request, org):
    engagement = _portal_engagement(request)
    plan = selectors.plan_for(engagement=engagement) if engagement else None
    if plan is not None:
        record_read(request, plan, client_id=engagement.client.public_id)
    return render(request, "coaching/portal_plan.html", {"engagement": engagement, "plan": plan})


def _coach_phone(engagement) -> str:
    if engagement is None or engagement.coach_id is None:
        return ""
    profile = engagement.coach.coach_profiles.first()
    return profile.phone if profile else ""


@roles_required(Role.CLIENT)
def portal_help(request, org):
    """The numbers show at once; pressing the button tells whoever is responsible for
    the client right now (their coach first), and the page says who that is."""
    engagement = _portal_engagement(request)
    client = client_for_portal_user(membership=request.membership)
    alerted, told = False, ""
    if request.method == "POST" and client is not None:
        services.help_request(actor=request.user, client=client, engagement=engagement)
        alerted = True
        told = safety.told_sentence(safety_event_latest(client=client))
    return render(
        request,
        "coaching/portal_help.html",
        {
            "engagement": engagement,
            "client": client,
            "coach_phone": _coach_phone(engagement),
            "alerted": alerted,
            "told": told,
        },
    )


@roles_required(Role.CLIENT)
def portal_event_new(request, org):
    engagement = _portal_engagement(request)
    if engagement is None:
        messages.error(request, _("You have no coaching engagement yet."))
        return redirect("portal:coaching_home", org=org)
    return form_view(
        request,
        bind(request, HighRiskEventForm),
        save=lambda d: services.high_risk_event_add(
            actor=request.user, engagement=engagement, door=safety.Door.PORTAL, **d
        ),
        done=reverse("portal:coaching_home", kwargs={"org": org}),
        template="coaching/portal_form.html",
        context={"title": _("A hard day coming up")},
        success=_("Added. Your coach will plan the day with you."),
    )
