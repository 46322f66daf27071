"""Every change the alumni line makes: the client's sobriety date and the messages they
asked for, events and their RSVPs, the monthly check-in, asking for help again, and the
daily scan that sends anniversaries, event reminders and check-in invitations."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change
from continuum.care import safety
from continuum.care.models import CareEpisode, Phase, SafetyEvent
from continuum.care.services import episode_transition, safety_event_raise
from continuum.notifications.services import notification_schedule
from continuum.people.models import Client
from continuum.tenancy.models import Organization, Role
from continuum.tenancy.timezones import local_date

from . import milestones
from .models import (
    AlumniEvent,
    AlumniProfile,
    Answer,
    HelpChoice,
    HelpRequest,
    MonthlyCheckIn,
    Rsvp,
)

KIND_HELP_NOW = "alumni_help_now"
KIND_REPORTED_USE = "alumni_reported_use"
MILESTONE_KIND = "alumni_milestone"
EVENT_REMINDER_KIND = "alumni_event_reminder"
CHECKIN_KIND = "alumni_checkin"

RETURN_LINE = {HelpChoice.COACH: Role.SOBER_COACH, HelpChoice.SERVICES: Role.CASE_MANAGER}
RETURN_REASON = {
    HelpChoice.COACH: "Asked from the alumni home for a sober coach again.",
    HelpChoice.SERVICES: "Asked from the alumni home for help with services.",
}


def alumni_episode(client: Client) -> CareEpisode | None:
    """The client's episode while it is in the alumni phase (a client has at most one
    open episode), else None."""
    return CareEpisode.objects.filter(client=client, phase=Phase.ALUMNI).first()


def profile_for(*, client: Client) -> AlumniProfile | None:
    return AlumniProfile.objects.filter(client=client).first()


# --- the sobriety date and the messages asked for ------------------------------------------


@transaction.atomic
def profile_save(
    *,
    actor,
    client: Client,
    sobriety_date: date | None,
    milestone_messages: bool | None = None,
    monthly_checkin: bool | None = None,
) -> AlumniProfile:
    """Record the date the client's sobriety counts from (the client in the portal, or
    staff correcting it) and, from the client only, the messages they want. `None`
    leaves a choice as it is."""
    today = timezone.localdate()
    if sobriety_date is not None and sobriety_date > today:
        raise ValidationError({"sobriety_date": _("The sobriety date cannot be in the future.")})
    if (
        sobriety_date is not None
        and client.date_of_birth is not None
        and sobriety_date < client.date_of_birth
    ):
        raise ValidationError({"sobriety_date": _("The sobriety date cannot be before birth.")})
    if milestone_messages and sobriety_date is None:
        raise ValidationError(
            {"milestone_messages": _("Add your sobriety date first: anniversaries count from it.")}
        )
    profile = (
        AlumniProfile.objects.select_for_update(of=("self",)).filter(client=client).first()
    ) or AlumniProfile(organization_id=client.organization_id, client=client)
    changed = []
    if profile.sobriety_date != sobriety_date:
        profile.sobriety_date = sobriety_date
        changed.append("sobriety_date")
    for name, value in (
        ("milestone_messages", milestone_messages),
        ("monthly_checkin", monthly_checkin),
    ):
        if value is not None and getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    if profile.pk is not None and not changed:
        return profile
    profile.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    profile.updated_at = timezone.now()
    profile.save()
    audit_change(
        actor,
        client.organization,
        "alumni_profile.updated",
        profile,
        client.public_id,
        detail={"changed": changed},
    )
    return profile


# --- events and RSVPs -------------------------------------------------------------------


@transaction.atomic
def event_create(
    *,
    actor,
    organization: Organization,
    title: str,
    starts_at: datetime,
    location: str = "",
    online_url: str = "",
    description: str = "",
    capacity: int | None = None,
) -> AlumniEvent:
    errors = {}
    title, location, online_url = title.strip(), location.strip(), online_url.strip()
    if not title:
        errors["title"] = "Give the event a title."
    if starts_at is None or starts_at <= timezone.now():
        errors["starts_at"] = "The event must start in the future."
    if not location and not online_url:
        errors["location"] = "Say where the event is, or give its online link."
    if capacity is not None and capacity < 1:
        errors["capacity"] = "The capacity is at least 1; leave it empty for no limit."
    if errors:
        raise ValidationError(errors)
    event = AlumniEvent.objects.create(
        organization=organization,
        title=title,
        starts_at=starts_at,
        location=location,
        online_url=online_url,
        description=description.strip(),
        capacity=capacity,
        created_by=actor,
    )
    audit_change(actor, organization, "alumni_event.created", event)
    return event


@transaction.atomic
def rsvp_set(*, actor, event: AlumniEvent, client: Client, answer: str) -> Rsvp:
    """An alumnus's yes, maybe or no, changed as often as they like until the event
    starts. A "yes" past the capacity is refused; maybe stays open."""
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Choose yes, maybe or no.")})
    # The lock makes two last-place answers run one after the other.
    event = AlumniEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)
    if event.starts_at <= timezone.now():
        raise ValidationError(_("This event has started; answers are closed."))
    rsvp = Rsvp.objects.filter(event=event, client=client).first()
    if answer == Answer.YES and event.capacity is not None:
        taken = Rsvp.objects.filter(event=event, answer=Answer.YES).exclude(client=client).count()
        if taken >= event.capacity:
            raise ValidationError(
                {"answer": _("This event is full. Answer maybe and we will keep you in mind.")}
            )
    if rsvp is None:
        rsvp = Rsvp(organization_id=event.organization_id, event=event, client=client)
    rsvp.answer = answer
    rsvp.answered_at = timezone.now()
    rsvp.save()
    audit_change(
        actor,
        event.organization,
        "alumni_rsvp.answered",
        rsvp,
        client.public_id,
        detail={"event": str(event.public_id), "answer": answer},
    )
    return rsvp


# --- the monthly check-in ---------------------------------------------------------------


def this_month(today: date | None = None) -> date:
    return (today or timezone.localdate()).replace(day=1)


@transaction.atomic
def checkin_record(
    *,
    actor,
    client: Client,
    doing: int,
    still_sober: bool,
    unsafe: bool,
    needs: str = "",
    door: str = safety.Door.PORTAL,
) -> tuple[MonthlyCheckIn, SafetyEvent | None]:
    """The alumnus's check-in for this month. Not being safe, or no longer sober since
    their date, raises a safety event at once so a named person calls them."""
    if doing not in range(1, 6):
        raise ValidationError({"doing": _("Choose how you are doing, from 1 to 5.")})
    try:
        with transaction.atomic():
            checkin = MonthlyCheckIn.objects.create(
                organization_id=client.organization_id,
                client=client,
                month=this_month(),
                doing=doing,
                still_sober=still_sober,
                unsafe=unsafe,
                needs=needs.strip(),
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already checked in this month. To talk to someone now, use Ask for help.")
        ) from None
    audit_change(actor, client.organization, "alumni_checkin.recorded", checkin, client.public_id)
    event = None
    if unsafe:
        event = safety_event_raise(actor=actor, client=client, kind=KIND_HELP_NOW, door=door)
    elif not still_sober:
        event = safety_event_raise(actor=actor, client=client, kind=KIND_REPORTED_USE, door=door)
    return checkin, event


# --- asking for help again -----------------------------------------------------------------


@transaction.atomic
def help_ask(*, actor, client: Client, choice: str, note: str = "") -> HelpRequest:
    """The alumnus asks for help again. "Struggling now" raises a safety event; a coach or
    help with services moves the episode back to aftercare with the line asked for, whose
    handoffs open that line."""
    if choice not in HelpChoice.values:
        raise ValidationError({"choice": _("Choose what you would like help with.")})
    episode = alumni_episode(client)
    if episode is None:
        raise ValidationError(
            _(
                "Asking for help again is for alumni; your care team is already with you. "
                "Use Help now to reach them today."
            )
        )
    note = note.strip()
    transition = event = None
    if choice == HelpChoice.STRUGGLING:
        event = safety_event_raise(
            actor=actor, client=client, kind=KIND_HELP_NOW, door=safety.Door.PORTAL
        )
    else:
        reason = RETURN_REASON[choice] + (f" In their words: {note}" if note else "")
        transition = episode_transition(
            actor=actor,
            episode=episode,
            to_phase=Phase.AFTERCARE,
            reason=reason,
            return_line=RETURN_LINE[choice],
        )
    request = HelpRequest.objects.create(
        organization_id=client.organization_id,
        client=client,
        choice=choice,
        transition=transition,
        safety_event=event,
        note=note,
    )
    audit_change(
        actor,
        client.organization,
        "alumni_help.requested",
        request,
        client.public_id,
        detail={"choice": choice},
    )
    return request


# --- the daily scan -----------------------------------------------------------------------


def _portal_url(organization: Organization, name: str = "portal:home") -> str:
    return reverse(name, kwargs={"org": organization.slug})


def _alumni_profiles(**filters):
    in_alumni = CareEpisode.objects.filter(client=OuterRef("client"), phase=Phase.ALUMNI)
    return (
        AlumniProfile.objects.filter(client__portal_user__isnull=False, **filters)
        .filter(Exists(in_alumni))
        .select_related("client")
    )


def _milestone_messages(organization: Organization, today: date) -> int:
    sent = 0
    for profile in _alumni_profiles(milestone_messages=True, sobriety_date__isnull=False):
        milestone = milestones.milestone_on(profile.sobriety_date, today)
        if milestone is None:
            continue
        client = profile.client
        # The date is in the key: a corrected date counts its anniversaries afresh.
        key = (
            f"alumni:milestone:{client.public_id}:{profile.sobriety_date.isoformat()}"
            f":{milestone.key}"
        )
        notification_schedule(
            organization=organization,
            recipient=client.portal_user,
            template=MILESTONE_KIND,
            context={
                "count": milestone.count,
                "unit": milestone.unit,
                "url": _portal_url(organization),
            },
            dedup_key=key,
        )
        sent += 1
    return sent


def _event_reminders(organization: Organization, today: date) -> int:
    tomorrow = today + timedelta(days=1)
    sent = 0
    window = AlumniEvent.objects.filter(
        starts_at__gte=timezone.now(), starts_at__lt=timezone.now() + timedelta(days=2)
    )
    for event in window:
        if local_date(event.starts_at, organization) != tomorrow:
            continue
        yes = Rsvp.objects.filter(
            event=event, answer=Answer.YES, client__portal_user__isnull=False
        ).select_related("client")
        for rsvp in yes:
            notification_schedule(
                organization=organization,
                recipient=rsvp.client.portal_user,
                template=EVENT_REMINDER_KIND,
                context={
                    "title": event.title,
                    "time": timezone.localtime(event.starts_at).strftime("%H:%M"),
                    "url": _portal_url(organization, "portal:alumni_events"),
                },
                dedup_key=f"alumni:event:{event.public_id}:{rsvp.client.public_id}:reminder",
            )
            sent += 1
    return sent


def _checkin_invitations(organization: Organization, today: date) -> int:
    month = this_month(today)
    answered = MonthlyCheckIn.objects.filter(client=OuterRef("client"), month=month)
    sent = 0
    for profile in _alumni_profiles(monthly_checkin=True).exclude(Exists(answered)):
        notification_schedule(
            organization=organization,
            recipient=profile.client.portal_user,
            template=CHECKIN_KIND,
            context={"url": _portal_url(organization, "portal:alumni_checkin")},
            dedup_key=f"alumni:checkin:{profile.client.public_id}:{month:%Y-%m}",
        )
        sent += 1
    return sent


@transaction.atomic
def alumni_scan(*, organization: Organization) -> dict:
    """Today's anniversaries (to those who asked), tomorrow's event reminders (to those
    who said yes) and this month's check-in invitation (to those who asked). Every
    message has a de-duplication key: running the scan again sends nothing twice."""
    today = timezone.localdate()
    result = {
        "milestones": _milestone_messages(organization, today),
        "event_reminders": _event_reminders(organization, today),
        "checkins": _checkin_invitations(organization, today),
    }
    return result
