from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.mixins import record_read, record_reads
from continuum.care import safety
from continuum.care.handoffs import first_contact_person
from continuum.forms_views import bind, form_status, form_view, try_save
from continuum.paging import page_of
from continuum.people.selectors import client_for_portal_request, client_get_for
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import roles_required

from . import forms, milestones, selectors, services
from .models import HelpChoice

# Events are run by the teams alumni know; intake and interventionists do not run them.
EVENT_ROLES = (Role.ORG_ADMIN, Role.CASE_MANAGER, Role.SOBER_COACH)
RECORD_ROLES = (Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.CASE_MANAGER, Role.SOBER_COACH)


def _portal(name: str, org: str, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"org": org, **kwargs})


def _not_alumni(request):
    return render(request, "alumni/portal_not_alumni.html", status=404)


def sobriety_context(profile, today=None) -> dict:
    """Days sober and the next anniversary, for the home and the client record."""
    if profile is None or profile.sobriety_date is None:
        return {"profile": profile}
    today = today or timezone.localdate()
    upcoming = milestones.next_milestone(profile.sobriety_date, today)
    return {
        "profile": profile,
        "days_sober": milestones.days_sober(profile.sobriety_date, today),
        "next_milestone": upcoming,
        "days_to_milestone": (upcoming.on - today).days,
    }


# --- portal -------------------------------------------------------------------------------


@roles_required(Role.CLIENT)
def portal_profile(request, org):
    client = selectors.portal_alumnus(request)
    if client is None:
        return _not_alumni(request)
    profile = services.profile_for(client=client)
    initial = {"milestone_messages": "no", "monthly_checkin": "no"}
    if profile is not None:
        initial = {
            "sobriety_date": profile.sobriety_date,
            "milestone_messages": "yes" if profile.milestone_messages else "no",
            "monthly_checkin": "yes" if profile.monthly_checkin else "no",
        }
    return form_view(
        request,
        bind(request, forms.PortalProfileForm, initial=initial),
        save=lambda d: services.profile_save(actor=request.user, client=client, **d),
        done=_portal("home", org),
        template="alumni/portal_profile.html",
        context={},
        success=_("Saved."),
    )


@roles_required(Role.CLIENT)
def portal_events(request, org):
    client = selectors.portal_alumnus(request)
    if client is None:
        return _not_alumni(request)
    page = page_of(request, selectors.events_upcoming_for_client(client=client), 20)
    return render(request, "alumni/portal_events.html", {"page": page, "events": page})


@roles_required(Role.CLIENT)
def portal_rsvp(request, org, event_id):
    client = selectors.portal_alumnus(request)
    if client is None:
        return _not_alumni(request)
    event = selectors.portal_event_get(client=client, event_id=event_id)
    initial = {"answer": event.my_answer} if event.my_answer else {}
    return form_view(
        request,
        bind(request, forms.RsvpForm, initial=initial),
        save=lambda d: services.rsvp_set(
            actor=request.user, event=event, client=client, answer=d["answer"]
        ),
        done=_portal("alumni_events", org),
        template="alumni/portal_rsvp.html",
        context={"event": event},
        success=lambda r: (
            _("Your answer is saved: %(answer)s.") % {"answer": r.get_answer_display()}
        ),
    )


@roles_required(Role.CLIENT)
def portal_checkin(request, org):
    client = selectors.portal_alumnus(request)
    if client is None:
        return _not_alumni(request)
    done = selectors.checkin_this_month(client=client)
    if done is not None and request.method != "POST":
        return render(request, "alumni/portal_checkin_done.html", {"checkin": done})
    form = bind(request, forms.CheckInForm)
    saved, result = try_save(
        form, lambda d: services.checkin_record(actor=request.user, client=client, **d)
    )
    if saved:
        checkin, event = result
        return render(
            request,
            "alumni/portal_checkin_done.html",
            {
                "checkin": checkin,
                "alerted": event is not None,
                "told": safety.told_sentence(event) if event is not None else "",
            },
        )
    return render(
        request, "alumni/portal_checkin.html", {"form": form}, status=form_status(request)
    )


@roles_required(Role.CLIENT)
def portal_help(request, org):
    client = selectors.portal_alumnus(request)
    if client is None:
        return _not_alumni(request)
    return form_view(
        request,
        bind(request, forms.HelpForm),
        save=lambda d: services.help_ask(actor=request.user, client=client, **d),
        done=lambda r: _portal("alumni_help_next", org, help_request_id=r.public_id),
        template="alumni/portal_help.html",
        context={},
    )


@roles_required(Role.CLIENT)
def portal_help_next(request, org, help_request_id):
    """What happens next, told truthfully: who was alerted by name, or who has the call
    to make (the line's person on the care team, else the intake team)."""
    client = client_for_portal_request(request)
    if client is None:
        return _not_alumni(request)
    help_request = selectors.help_request_get(client=client, help_request_id=help_request_id)
    context = {"help_request": help_request, "struggling": False}
    if help_request.choice == HelpChoice.STRUGGLING:
        context.update(struggling=True, told=safety.told_sentence(help_request.safety_event))
    else:
        person = first_contact_person(help_request.transition)
        context["contact"] = person.user.get_full_name() if person is not None else ""
    return render(request, "alumni/portal_help_next.html", context)


# --- staff --------------------------------------------------------------------------------


@roles_required(*EVENT_ROLES)
def events(request, org):
    upcoming = request.GET.get("past") != "1"
    page = page_of(request, selectors.event_list(upcoming=upcoming), 25)
    return render(request, "alumni/events.html", {"page": page, "upcoming": upcoming})


@roles_required(*EVENT_ROLES)
def event_new(request, org):
    return form_view(
        request,
        bind(request, forms.EventForm),
        save=lambda d: services.event_create(
            actor=request.user, organization=request.organization, **d
        ),
        done=lambda e: reverse("staff:alumni_event", kwargs={"org": org, "event_id": e.public_id}),
        template="alumni/event_form.html",
        context={},
        success="Event created. Alumni see it in the portal now.",
    )


@roles_required(*EVENT_ROLES)
def event_detail(request, org, event_id):
    event = selectors.event_get(event_id=event_id)
    rsvps = list(selectors.event_rsvps_for(membership=request.membership, event=event))
    record_reads(request, [(r, r.client.public_id) for r in rsvps])
    return render(request, "alumni/event.html", {"event": event, "rsvps": rsvps})


@roles_required(*RECORD_ROLES)
def client_alumni(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    profile = services.profile_for(client=client)
    checkins = list(selectors.checkins_for(client=client)[:12])
    help_requests = list(selectors.help_requests_for(client=client)[:12])
    if profile is not None:
        record_read(request, profile, client_id=client.public_id)
    record_reads(request, [(c, client.public_id) for c in checkins])
    context = {
        "client": client,
        "checkins": checkins,
        "help_requests": help_requests,
        **sobriety_context(profile),
    }
    if profile is not None and profile.sobriety_date:
        context["reached"] = milestones.reached(profile.sobriety_date, timezone.localdate())[::-1]
    return render(request, "alumni/client.html", context)


@roles_required(*RECORD_ROLES)
def client_sobriety(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    profile = services.profile_for(client=client)
    back = reverse("staff:alumni_client", kwargs={"org": org, "client_id": client.public_id})
    return form_view(
        request,
        bind(
            request,
            forms.StaffSobrietyForm,
            initial={"sobriety_date": profile.sobriety_date} if profile else {},
        ),
        save=lambda d: services.profile_save(
            actor=request.user, client=client, sobriety_date=d["sobriety_date"]
        ),
        done=back,
        template="alumni/client_sobriety.html",
        context={"client": client, "back": back},
        success="Sobriety date saved.",
    )
