"""Every change in the intervention service line: a family's request, triage, the plan,
the day and its outcome, and the family's healing afterwards."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from continuum.audit.services import audit_record
from continuum.care.models import CareEpisode, ClosedReason, Phase
from continuum.care.services import episode_open, episode_transition
from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.selectors import disclosure_list
from continuum.consent.services import consent_require, disclosure_record
from continuum.notifications.services import notification_cancel, notification_schedule
from continuum.people.models import FamilyMember, FamilyRelationship, Relationship
from continuum.people.services import (
    care_team_add,
    client_create,
    family_member_add,
    portal_account_link,
)
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.services import portal_account_ensure
from referrals.selectors import listing_get

from .models import (
    AgendaItem,
    EducationSession,
    Intervention,
    InterventionModel,
    InterventionOutcome,
    InterventionRequest,
    Letter,
    LetterStatus,
    Outcome,
    Participant,
    ParticipantRole,
    RequestStatus,
    ResponsePlan,
    Rsvp,
    SessionKind,
    WellbeingCheckin,
)

logger = logging.getLogger(__name__)

PUBLIC_ACTOR = "public:help-form"
SYSTEM_ACTOR = "system"
MERGE_WINDOW = timedelta(days=1)
REMIND_BEFORE = timedelta(hours=24)
FOLLOW_UP_AFTER = timedelta(days=7)
CLOSE_REASONS = (
    ClosedReason.DECLINED,
    ClosedReason.LOST_TO_CONTACT,
    ClosedReason.OTHER,
)


def _portal_path(organization: Organization, name: str = "portal:interventions", **kw) -> str:
    return reverse(name, kwargs={"org": organization.slug, **kw})


def _audit(actor, intervention_or_request, action: str, **detail):
    obj = intervention_or_request
    audit_record(
        actor=actor,
        actor_email="" if actor else SYSTEM_ACTOR,
        organization=obj.organization,
        action=action,
        obj=obj,
        client_id=obj.client.public_id,
        detail=detail,
    )


def _notify(*, organization, user, template: str, context: dict, key: str, due_at=None, **kw):
    if user is None:
        return None
    return notification_schedule(
        organization=organization,
        recipient=user,
        template=template,
        context=context,
        due_at=due_at,
        dedup_key=key[:200],
        **kw,
    )


def _intake_desk(organization: Organization) -> Membership:
    """Public requests are filed on behalf of the intake desk: an unsaved membership that
    holds the intake role, so the spine's client_create treats the record as everyone
    in intake's (no personal care-team link)."""
    return Membership(organization=organization, roles=[Role.INTAKE_COORDINATOR])


def _triage_staff(organization: Organization):
    return (
        Membership.objects.filter(organization=organization, is_active=True)
        .filter(roles__overlap=[Role.INTAKE_COORDINATOR])
        .select_related("user")
    )


# --- the family portal account ----------------------------------------------------------


def _link_portal_user(family_member: FamilyMember, user, *, actor=None) -> None:
    if family_member.portal_user_id is None:
        portal_account_link(actor=actor, record=family_member, user=user)


# --- the family's request ---------------------------------------------------------------

REQUEST_FIELDS = (
    "relationship",
    "loved_one_age",
    "substances",
    "duration",
    "prior_treatment",
    "recent_events",
    "others_involved",
    "urgency",
    "danger_signs",
    "insurance",
    "preferred_contact_times",
    "consent_to_contact",
)


def _lock(*parts) -> None:
    # Serializes submissions for one requester and loved one, so two clicks of "Send"
    # cannot both open an episode.
    key = ":".join(str(p).lower() for p in parts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


@transaction.atomic
def request_submit(
    *,
    organization: Organization,
    requester_first_name: str,
    requester_last_name: str,
    requester_email: str = "",
    requester_phone: str = "",
    loved_one_first_name: str,
    loved_one_last_name: str,
    preferred_language: str = "",
    **values,
) -> tuple[InterventionRequest, bool]:
    """File a family's request. Returns the request and whether it merged into one sent
    by the same person about the same loved one within the last day."""
    if not organization.intake_open:
        raise ValidationError(_("This organization is not taking requests online right now."))
    unknown = set(values) - set(REQUEST_FIELDS)
    if unknown:
        raise ValidationError(f"Not a request field: {', '.join(sorted(unknown))}.")
    email = requester_email.strip().lower()
    phone = requester_phone.strip()
    first, last = loved_one_first_name.strip(), loved_one_last_name.strip()
    # Staff call back by phone or write by e-mail: one of them is enough.
    same_requester = Q(email__iexact=email) if email else Q(phone=phone)
    values["relationship"] = values.get("relationship") or Relationship.OTHER
    errors = {}
    if not email and not phone:
        errors["requester_phone"] = _(
            "Give us a phone number or an e-mail address, so we can call you back."
        )
    if not values.get("consent_to_contact"):
        errors["consent_to_contact"] = _("Please let us contact you, so we can help.")
    if values["relationship"] not in Relationship.values:
        errors["relationship"] = _("Choose how you are related to your loved one.")
    if errors:
        raise ValidationError(errors)
    danger = sorted(set(values.get("danger_signs") or []))
    values["danger_signs"] = danger
    now = timezone.now()
    _lock(organization.pk, email or phone, first, last)

    existing = (
        InterventionRequest.objects.filter(
            organization=organization,
            requester__in=FamilyMember.objects.filter(same_requester),
            client__first_name__iexact=first,
            client__last_name__iexact=last,
            last_submitted_at__gte=now - MERGE_WINDOW,
        )
        .select_related("client", "requester", "episode")
        .order_by("-last_submitted_at")
        .first()
    )
    if existing is not None:
        return _request_merge(existing, values=values, now=now), True

    family_member = FamilyMember.objects.filter(same_requester, organization=organization).first()
    client = None
    if family_member is not None:
        link = (
            FamilyRelationship.objects.filter(
                family_member=family_member,
                client__first_name__iexact=first,
                client__last_name__iexact=last,
            )
            .select_related("client")
            .first()
        )
        client = link.client if link else None
    if client is None:
        client = client_create(
            actor=None,
            membership=_intake_desk(organization),
            first_name=first,
            last_name=last,
            primary_substances=list((values.get("substances") or "").split(",")),
            risk_flags=danger,
        )
        link_values = {}
        if family_member is None:
            link_values = {
                "first_name": requester_first_name,
                "last_name": requester_last_name,
                "email": email,
                "phone": phone,
            }
        link = family_member_add(
            actor=None,
            client=client,
            relationship=values["relationship"],
            is_primary_contact=True,
            family_member=family_member,
            **link_values,
        )
        family_member = link.family_member
    if preferred_language and family_member.preferred_language != preferred_language:
        # The language the family wrote in is the one we answer in.
        family_member.preferred_language = preferred_language
        family_member.save(update_fields=["preferred_language"])
    if email:
        user = portal_account_ensure(
            organization=organization,
            email=email,
            full_name=f"{requester_first_name} {requester_last_name}".strip(),
        )
        _link_portal_user(family_member, user)

    episode = CareEpisode.objects.filter(client=client).exclude(phase=Phase.CLOSED).first()
    if episode is None:
        episode = episode_open(
            actor=None, client=client, reason="Family request for an intervention"
        )
    request = InterventionRequest.objects.create(
        organization=organization,
        episode=episode,
        client=client,
        requester=family_member,
        is_urgent=bool(danger),
        submitted_at=now,
        last_submitted_at=now,
        **values,
    )
    audit_record(
        actor=None,
        actor_email=PUBLIC_ACTOR,
        organization=organization,
        action="intervention_request.submitted",
        obj=request,
        client_id=client.public_id,
        detail={"urgent": request.is_urgent},
    )
    _request_notify_submitted(
        request, user=family_member.portal_user, newly_urgent=request.is_urgent
    )
    return request, False


def _request_merge(request: InterventionRequest, *, values: dict, now) -> InterventionRequest:
    was_urgent = request.is_urgent
    changed = []
    for name, value in values.items():
        if name == "danger_signs":
            value = sorted(set(request.danger_signs) | set(value))
        if value in (None, "", []) or getattr(request, name) == value:
            continue
        setattr(request, name, value)
        changed.append(name)
    request.is_urgent = bool(request.danger_signs)
    request.submission_count += 1
    request.last_submitted_at = now
    request.save(update_fields=[*changed, "is_urgent", "submission_count", "last_submitted_at"])
    audit_record(
        actor=None,
        actor_email=PUBLIC_ACTOR,
        organization=request.organization,
        action="intervention_request.merged",
        obj=request,
        client_id=request.client.public_id,
        detail={"fields": sorted(changed), "submission": request.submission_count},
    )
    _request_notify_submitted(
        request,
        user=request.requester.portal_user,
        newly_urgent=request.is_urgent and not was_urgent,
    )
    return request


def _request_notify_submitted(request: InterventionRequest, *, user, newly_urgent: bool) -> None:
    organization = request.organization
    _notify(
        organization=organization,
        user=user,
        template="interventions_request_received",
        context={
            "urgent": request.is_urgent,
            "loved_one": request.client.first_name,
            "url": _portal_path(organization),
            "login_url": reverse("account_request_login_code"),
            "response_hours": organization.response_time_hours,
            "reference": request.reference,
        },
        # One confirmation per request: a resubmission merges into it and is not news.
        key=f"interventions:request:{request.public_id}:received",
        channel="email",
        urgent=request.is_urgent,
    )
    if newly_urgent:
        for membership in _triage_staff(organization):
            _notify(
                organization=organization,
                user=membership.user,
                template="interventions_request_urgent",
                context={"url": _staff_request_url(request)},
                key=f"interventions:request:{request.public_id}:urgent:{membership.pk}",
                urgent=True,
            )


def _staff_request_url(request: InterventionRequest) -> str:
    return reverse(
        "staff:intervention_request_detail",
        kwargs={"org": request.organization.slug, "request_id": request.public_id},
    )


def _tell_family(request: InterventionRequest, *, what: str, message: str, **names) -> None:
    """`what` picks the sentence the message template words in the family's language;
    `message` is the English wording, kept with the notification for the record."""
    _notify(
        organization=request.organization,
        user=request.requester.portal_user,
        template="interventions_request_update",
        context={
            "message": message,
            "update": what,
            **names,
            "url": _portal_path(request.organization),
        },
        key=f"interventions:request:{request.public_id}:{what}",
    )


def _require_new(request: InterventionRequest) -> None:
    # The row lock makes two people deciding at once decide one after the other.
    locked = InterventionRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    request.status = locked.status
    if request.status != RequestStatus.NEW:
        raise ValidationError(
            f"This request has already been decided ({request.get_status_display().lower()})."
        )


@transaction.atomic
def request_record_contact(*, actor, request: InterventionRequest) -> InterventionRequest:
    """Someone reached the family for the first time (the clock the families feel)."""
    if request.first_contact_at is None:
        request.first_contact_at = timezone.now()
        request.save(update_fields=["first_contact_at"])
        _audit(actor, request, "intervention_request.contacted")
    return request


def _decide(request: InterventionRequest, *, actor, status: str, note: str, **extra) -> None:
    now = timezone.now()
    request.status = status
    request.decided_at = now
    request.decided_by = actor
    request.decision_note = note.strip()
    request.first_contact_at = request.first_contact_at or now
    fields = ["status", "decided_at", "decided_by", "decision_note", "first_contact_at", *extra]
    for name, value in extra.items():
        setattr(request, name, value)
    request.save(update_fields=fields)
    _audit(actor, request, f"intervention_request.{status}")


@transaction.atomic
def request_accept(
    *, actor, request: InterventionRequest, interventionist: Membership, note: str = ""
) -> Intervention:
    """Accept the request: the interventionist joins the care team, the episode moves to
    pre-treatment, and planning begins with the requester as the first participant."""
    _require_new(request)
    if (
        interventionist.organization_id != request.organization_id
        or not interventionist.is_active
        or not interventionist.has_role(Role.INTERVENTIONIST)
    ):
        raise ValidationError({"interventionist": "Choose an active interventionist."})
    care_team_add(
        actor=actor, client=request.client, membership=interventionist, role=Role.INTERVENTIONIST
    )
    episode_transition(
        actor=actor,
        episode=request.episode,
        to_phase=Phase.PRE_TREATMENT,
        reason="Intervention request accepted",
    )
    _decide(request, actor=actor, status=RequestStatus.ACCEPTED, note=note)
    intervention = Intervention.objects.create(
        organization=request.organization,
        request=request,
        episode=request.episode,
        client=request.client,
        interventionist=interventionist,
    )
    requester = request.requester
    Participant.objects.create(
        organization=request.organization,
        intervention=intervention,
        family_member=requester,
        name=requester.display_name,
        email=requester.email,
        role=ParticipantRole.FAMILY,
        relationship=request.get_relationship_display(),
        invited_at=timezone.now(),
        portal_invited_at=timezone.now() if requester.portal_user_id else None,
    )
    _audit(actor, intervention, "intervention.created", model=intervention.model)
    _tell_family(
        request,
        what="accepted",
        message=(
            f"{interventionist.user.get_full_name()} will be your interventionist and will "
            "contact you to begin planning together."
        ),
        interventionist=interventionist.user.get_full_name(),
    )
    return intervention


@transaction.atomic
def request_refer(
    *, actor, request: InterventionRequest, referred_to: str, note: str = ""
) -> InterventionRequest:
    _require_new(request)
    referred_to = referred_to.strip()
    if not referred_to:
        raise ValidationError({"referred_to": "Say who the family is referred to."})
    episode_transition(
        actor=actor,
        episode=request.episode,
        to_phase=Phase.CLOSED,
        reason=f"Referred to {referred_to}",
        closed_reason=ClosedReason.TRANSFERRED,
    )
    _decide(request, actor=actor, status=RequestStatus.REFERRED, note=note, referred_to=referred_to)
    _tell_family(
        request,
        what="referred",
        message=f"We have referred you to {referred_to}, who can help your family best.",
        referred_to=referred_to,
    )
    return request


@transaction.atomic
def request_close(
    *, actor, request: InterventionRequest, reason: str, note: str = ""
) -> InterventionRequest:
    _require_new(request)
    if reason not in CLOSE_REASONS:
        raise ValidationError({"reason": "Choose why the request is closed."})
    if not note.strip():
        raise ValidationError({"note": "Write a short note the team can read later."})
    episode_transition(
        actor=actor,
        episode=request.episode,
        to_phase=Phase.CLOSED,
        reason=note.strip(),
        closed_reason=reason,
    )
    _decide(request, actor=actor, status=RequestStatus.CLOSED, note=note)
    _tell_family(
        request,
        what="closed",
        message="We have closed your request. You can write to us again at any time.",
    )
    return request


@transaction.atomic
def request_alert_overdue(*, organization: Organization) -> int:
    """Alert intake about requests nobody has answered within the organization's
    response time. Each request alerts once."""
    now = timezone.now()
    cutoff = now - timedelta(hours=organization.response_time_hours)
    overdue = list(
        InterventionRequest.objects.select_for_update(skip_locked=True)
        .filter(
            organization=organization,
            status=RequestStatus.NEW,
            first_contact_at__isnull=True,
            overdue_alerted_at__isnull=True,
            submitted_at__lt=cutoff,
        )
        .select_related("organization")
    )
    staff = list(_triage_staff(organization))
    for request in overdue:
        for membership in staff:
            _notify(
                organization=organization,
                user=membership.user,
                template="interventions_request_overdue",
                context={
                    "url": _staff_request_url(request),
                    "hours": organization.response_time_hours,
                },
                key=f"interventions:request:{request.public_id}:overdue:{membership.pk}",
                urgent=request.is_urgent,
            )
        request.overdue_alerted_at = now
        request.save(update_fields=["overdue_alerted_at"])
    return len(overdue)


# --- planning ---------------------------------------------------------------------------

INTAKE_FIELDS = ("addiction_nature", "family_impact", "history", "risks", "intake_notes")
PLAN_FIELDS = ("model", "arise_level", "scheduled_at", "location", "video_link")
TREATMENT_FIELDS = (
    "program_name",
    "program_listing_id",
    "bed_hold_date",
    "insurance_verification",
    "admission_contact",
)
TRANSPORT_FIELDS = ("transport_provider", "pickup_at", "pickup_place", "escort")


def _require_planning(intervention: Intervention) -> None:
    if intervention.outcome == Outcome.ACCEPTED:
        raise ValidationError("The loved one has accepted treatment; the plan is closed.")


def _update(*, actor, intervention: Intervention, allowed, values: dict, action: str) -> list:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(f"Not a field of this section: {', '.join(sorted(unknown))}.")
    _require_planning(intervention)
    changed = [n for n, v in values.items() if getattr(intervention, n) != v]
    for name in changed:
        setattr(intervention, name, values[name])
    if changed:
        intervention.save(update_fields=changed)
        _audit(actor, intervention, action, fields=sorted(changed))
    return changed


@transaction.atomic
def intervention_intake_update(*, actor, intervention: Intervention, **values) -> Intervention:
    _update(
        actor=actor,
        intervention=intervention,
        allowed=INTAKE_FIELDS,
        values=values,
        action="intervention.intake_updated",
    )
    if intervention.intake_completed_at is None:
        intervention.intake_completed_at = timezone.now()
        intervention.save(update_fields=["intake_completed_at"])
    return intervention


@transaction.atomic
def intervention_plan_update(*, actor, intervention: Intervention, **values) -> Intervention:
    """The model, the date and the place. Moving the date moves everyone's reminders."""
    model = values.get("model", intervention.model)
    if model not in InterventionModel.values:
        raise ValidationError({"model": "Choose an intervention model."})
    level = values.get("arise_level", intervention.arise_level)
    if not 1 <= int(level or 0) <= 3:
        raise ValidationError({"arise_level": "ARISE has levels I to III."})
    when = values.get("scheduled_at")
    if when and when < timezone.now() and when != intervention.scheduled_at:
        raise ValidationError({"scheduled_at": "Choose a time in the future."})
    previous = intervention.scheduled_at
    changed = _update(
        actor=actor,
        intervention=intervention,
        allowed=PLAN_FIELDS,
        values=values,
        action="intervention.plan_updated",
    )
    if "scheduled_at" in changed:
        for participant in _portal_participants(intervention):
            if previous:
                notification_cancel(
                    organization=intervention.organization,
                    dedup_key=_day_reminder_key(intervention, participant, previous),
                )
            _remind_day(intervention, participant)
    return intervention


@transaction.atomic
def intervention_treatment_update(*, actor, intervention: Intervention, **values) -> Intervention:
    listing_id = values.get("program_listing_id")
    if listing_id:
        try:
            listing = listing_get(organization=intervention.organization, listing_id=listing_id)
        except Http404:
            raise ValidationError(
                {"program_listing_id": "Choose a program from the directory."}
            ) from None
        # The directory's name, unless staff wrote their own.
        if not values.get("program_name"):
            values["program_name"] = listing.name
    _update(
        actor=actor,
        intervention=intervention,
        allowed=TREATMENT_FIELDS,
        values=values,
        action="intervention.treatment_updated",
    )
    return intervention


@transaction.atomic
def intervention_transport_update(*, actor, intervention: Intervention, **values) -> Intervention:
    _update(
        actor=actor,
        intervention=intervention,
        allowed=TRANSPORT_FIELDS,
        values=values,
        action="intervention.transport_updated",
    )
    return intervention


@transaction.atomic
def agenda_set(*, actor, intervention: Intervention, items: list[tuple[str, int | None]]):
    """Replace the day's agenda with `items` (title, minutes), in order."""
    _require_planning(intervention)
    cleaned = [(t.strip(), m) for t, m in items if t and t.strip()]
    AgendaItem.objects.filter(intervention=intervention).delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            organization_id=intervention.organization_id,
            intervention=intervention,
            position=i,
            title=title[:200],
            minutes=minutes,
        )
        for i, (title, minutes) in enumerate(cleaned, 1)
    )
    _audit(actor, intervention, "intervention.agenda_set", items=len(cleaned))
    return cleaned


# --- participants -----------------------------------------------------------------------


def _portal_participants(intervention: Intervention):
    return (
        Participant.objects.filter(
            intervention=intervention, family_member__portal_user__isnull=False
        )
        .select_related("family_member__portal_user")
        .order_by("pk")
    )


@transaction.atomic
def participant_add(
    *,
    actor,
    intervention: Intervention,
    name: str,
    role: str,
    email: str = "",
    relationship: str = "",
    speaking_order: int | None = None,
) -> Participant:
    _require_planning(intervention)
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Enter the person's name."
    if role not in ParticipantRole.values:
        errors["role"] = "Choose the person's role."
    email = email.strip().lower()
    if (
        email
        and Participant.objects.filter(intervention=intervention, email__iexact=email).exists()
    ):
        errors["email"] = "This person is already on the team."
    if errors:
        raise ValidationError(errors)
    participant = Participant.objects.create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        name=name,
        email=email,
        role=role,
        relationship=relationship.strip(),
        speaking_order=speaking_order,
        invited_at=timezone.now(),
    )
    _audit(
        actor,
        intervention,
        "intervention.participant_added",
        participant=str(participant.public_id),
    )
    return participant


ROLE_TO_RELATIONSHIP = {
    ParticipantRole.FAMILY: Relationship.OTHER_RELATIVE,
    ParticipantRole.FRIEND: Relationship.FRIEND,
    ParticipantRole.EMPLOYER: Relationship.EMPLOYER,
}


@transaction.atomic
def participant_invite_to_portal(*, actor, participant: Participant) -> Participant:
    """Give a participant a family-portal login (by e-mailed code) so they can RSVP, read
    the materials and draft their letter."""
    intervention = participant.intervention
    organization = intervention.organization
    if not participant.email:
        raise ValidationError({"email": "Add the person's e-mail address first."})
    if participant.family_member_id is None:
        first, _, last = participant.name.partition(" ")
        family_member = FamilyMember.objects.filter(
            organization=organization, email__iexact=participant.email
        ).first()
        if (
            family_member is None
            or not FamilyRelationship.objects.filter(
                client=intervention.client, family_member=family_member
            ).exists()
        ):
            link = family_member_add(
                actor=actor,
                client=intervention.client,
                relationship=ROLE_TO_RELATIONSHIP.get(participant.role, Relationship.OTHER),
                family_member=family_member,
                **(
                    {}
                    if family_member
                    else {"first_name": first, "last_name": last or "-", "email": participant.email}
                ),
            )
            family_member = link.family_member
        participant.family_member = family_member
    user = portal_account_ensure(
        organization=organization, email=participant.email, full_name=participant.name
    )
    _link_portal_user(participant.family_member, user, actor=actor)
    participant.portal_invited_at = timezone.now()
    participant.save(update_fields=["family_member", "portal_invited_at"])
    _audit(
        actor,
        intervention,
        "intervention.participant_invited",
        participant=str(participant.public_id),
    )
    _notify(
        organization=organization,
        user=participant.family_member.portal_user,
        template="interventions_portal_invite",
        context={
            "url": _portal_path(organization),
            "login_url": reverse("account_request_login_code"),
        },
        key=f"interventions:participant:{participant.public_id}:invited",
        channel="email",
    )
    if intervention.scheduled_at:
        _remind_day(intervention, participant)
    return participant


@transaction.atomic
def participant_rsvp(*, actor, participant: Participant, rsvp: str) -> Participant:
    if rsvp not in Rsvp.values or rsvp == Rsvp.PENDING:
        raise ValidationError({"rsvp": "Choose whether you will attend."})
    participant.rsvp = rsvp
    participant.save(update_fields=["rsvp"])
    _audit(actor, participant.intervention, "intervention.rsvp", rsvp=rsvp)
    return participant


@transaction.atomic
def participant_set_order(*, actor, intervention: Intervention, order: list) -> None:
    """Set the speaking order from a list of participant public ids."""
    _require_planning(intervention)
    by_id = {str(p.public_id): p for p in Participant.objects.filter(intervention=intervention)}
    for position, participant_id in enumerate(order, 1):
        participant = by_id.get(str(participant_id))
        if participant is None:
            raise ValidationError("That person is not on this intervention's team.")
        participant.speaking_order = position
    Participant.objects.bulk_update(by_id.values(), ["speaking_order"])
    _audit(actor, intervention, "intervention.speaking_order_set")


# --- reminders --------------------------------------------------------------------------


def _day_reminder_key(intervention, participant, when: datetime) -> str:
    return (
        f"interventions:day:{intervention.public_id}:{participant.public_id}:"
        f"{int(when.timestamp())}"
    )


def _msgid(text) -> str:
    """A label as written in the code (a lazy choice label, too): the message translates
    it when it renders, into its recipient's language."""
    with translation.override(None):
        return str(text)


def _remind(*, intervention, participant, when: datetime, what: str, key: str) -> None:
    due = when - REMIND_BEFORE
    now = timezone.now()
    if when <= now:
        return
    _notify(
        organization=intervention.organization,
        user=participant.family_member.portal_user,
        template="interventions_reminder",
        context={
            "what": _msgid(what),
            "when": when.isoformat(),
            "url": _portal_path(intervention.organization),
        },
        key=key,
        due_at=max(due, now),
    )


def _remind_day(intervention: Intervention, participant: Participant) -> None:
    if not intervention.scheduled_at or participant.family_member_id is None:
        return
    if participant.family_member.portal_user_id is None:
        return
    _remind(
        intervention=intervention,
        participant=participant,
        when=intervention.scheduled_at,
        what=gettext_noop("The intervention"),
        key=_day_reminder_key(intervention, participant, intervention.scheduled_at),
    )


@transaction.atomic
def session_schedule(
    *,
    actor,
    intervention: Intervention,
    kind: str,
    starts_at: datetime,
    topics: str = "",
    materials: str = "",
) -> EducationSession:
    """A planning, education or CRAFT meeting. Every participant with a portal login is
    reminded the day before."""
    errors = {}
    if kind not in SessionKind.values:
        errors["kind"] = "Choose the kind of meeting."
    if starts_at is None or starts_at < timezone.now():
        errors["starts_at"] = "Choose a time in the future."
    if errors:
        raise ValidationError(errors)
    session = EducationSession.objects.create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        kind=kind,
        starts_at=starts_at,
        topics=topics.strip(),
        materials=materials.strip(),
    )
    _audit(actor, intervention, "intervention.session_scheduled", kind=kind)
    for participant in _portal_participants(intervention):
        _remind(
            intervention=intervention,
            participant=participant,
            when=starts_at,
            what=SessionKind(session.kind).label,
            key=f"interventions:session:{session.public_id}:{participant.public_id}",
        )
    return session


@transaction.atomic
def session_record_attendance(*, actor, session: EducationSession, participant_ids) -> int:
    participants = list(
        Participant.objects.filter(intervention=session.intervention, public_id__in=participant_ids)
    )
    session.attendees.set(participants)
    _audit(actor, session.intervention, "intervention.attendance_recorded", count=len(participants))
    return len(participants)


# --- letters ----------------------------------------------------------------------------


@transaction.atomic
def letter_save(*, actor, participant: Participant, body: str, submit: bool = False) -> Letter:
    """The author writes (and may submit) their letter. An approved letter is final."""
    if participant.family_member is None or participant.family_member.portal_user_id != actor.pk:
        raise ValidationError(_("Only the person who will read this letter can write it."))
    letter = Letter.objects.filter(participant=participant).first()
    if letter is not None and letter.status == LetterStatus.APPROVED:
        raise ValidationError(_("This letter has been approved and can no longer be changed."))
    body = body.strip()
    if submit and not body:
        raise ValidationError({"body": _("Write your letter before sending it for review.")})
    now = timezone.now()
    if letter is None:
        letter = Letter(
            organization_id=participant.organization_id, participant=participant, author=actor
        )
    letter.body = body
    letter.updated_at = now
    if submit:
        letter.status = LetterStatus.SUBMITTED
        letter.submitted_at = now
    letter.save()
    _audit(actor, participant.intervention, "letter.submitted" if submit else "letter.saved")
    if submit:
        intervention = participant.intervention
        _notify(
            organization=intervention.organization,
            user=intervention.interventionist.user,
            template="interventions_letter_submitted",
            context={
                "url": reverse(
                    "staff:intervention_letter",
                    kwargs={"org": intervention.organization.slug, "letter_id": letter.public_id},
                )
            },
            key=f"interventions:letter:{letter.public_id}:submitted:{int(now.timestamp())}",
        )
    return letter


@transaction.atomic
def letter_review(*, actor, letter: Letter, approve: bool, comment: str = "") -> Letter:
    intervention = letter.participant.intervention
    if intervention.interventionist.user_id != actor.pk:
        raise ValidationError("Only the interventionist reviews letters.")
    if letter.status != LetterStatus.SUBMITTED:
        raise ValidationError("Only a submitted letter can be reviewed.")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": "Say what you would like changed."})
    letter.status = LetterStatus.APPROVED if approve else LetterStatus.CHANGES_REQUESTED
    letter.reviewer_comment = comment
    letter.approved_at = timezone.now() if approve else None
    letter.save(update_fields=["status", "reviewer_comment", "approved_at"])
    _audit(actor, intervention, f"letter.{letter.status}")
    _notify(
        organization=intervention.organization,
        user=letter.author,
        template="interventions_letter_reviewed",
        context={"approved": approve, "url": _portal_path(intervention.organization)},
        key=f"interventions:letter:{letter.public_id}:reviewed:{int(timezone.now().timestamp())}",
    )
    return letter


# --- the day and the outcome ------------------------------------------------------------


def _follow_up(intervention: Intervention, *, on: date | datetime, label: str) -> None:
    when = on if isinstance(on, datetime) else datetime.combine(on, datetime.min.time())
    if timezone.is_naive(when):
        when = timezone.make_aware(when.replace(hour=15))
    for participant in _portal_participants(intervention):
        _notify(
            organization=intervention.organization,
            user=participant.family_member.portal_user,
            template="interventions_follow_up",
            context={"what": label, "url": _portal_path(intervention.organization)},
            key=f"interventions:follow_up:{intervention.public_id}:{participant.public_id}:{when.date()}",
            due_at=when,
        )


@transaction.atomic
def outcome_record(
    *,
    actor,
    intervention: Intervention,
    outcome: str,
    notes: str = "",
    admission_date: date | None = None,
) -> InterventionOutcome:
    """Record how the day went. Accepted: transport is dispatched and the episode moves
    to residential (its handoffs prepare the program and the aftercare team). Declined:
    the family's response plan comes next and follow-up continues."""
    # The row lock makes a double click record one outcome, not two.
    locked = Intervention.objects.select_for_update(of=("self",)).get(pk=intervention.pk)
    intervention.outcome = locked.outcome
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    if intervention.outcome:
        raise ValidationError(
            {"outcome": "An outcome is already recorded; return to planning first."}
        )
    now = timezone.now()
    if outcome == Outcome.ACCEPTED:
        if not intervention.program_name:
            raise ValidationError({"outcome": "Arrange the treatment program before admission."})
        admission_date = admission_date or timezone.localdate()
        episode_transition(
            actor=actor,
            episode=intervention.episode,
            to_phase=Phase.RESIDENTIAL,
            reason="Accepted treatment at the intervention",
            admission_date=admission_date,
            residential_program=intervention.program_name,
            residential_program_listing_id=intervention.program_listing_id,
        )
        if intervention.transport_provider:
            intervention.transport_dispatched_at = now
    elif admission_date:
        raise ValidationError({"admission_date": "An admission date only applies when accepted."})
    intervention.outcome = outcome
    intervention.save(update_fields=["outcome", "transport_dispatched_at"])
    record = InterventionOutcome.objects.create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        outcome=outcome,
        recorded_at=now,
        recorded_by=actor,
        admission_date=admission_date if outcome == Outcome.ACCEPTED else None,
        notes=notes.strip(),
    )
    _audit(actor, intervention, f"intervention.outcome_{outcome}")
    if outcome != Outcome.ACCEPTED:
        _follow_up(
            intervention,
            on=now + FOLLOW_UP_AFTER,
            label=gettext_noop("A check-in with your family"),
        )
    return record


@dataclass(frozen=True)
class OutcomeForFamily:
    """What a participant may read about the client after the day, under consent."""

    outcome: str
    outcome_label: str
    admission_date: date | None
    program_name: str


@transaction.atomic
def outcome_disclose_to_participant(
    *, actor, intervention: Intervention, participant: Participant
) -> OutcomeForFamily:
    """A participant took part in the day; what happened to the client afterwards
    (accepted, on the way to treatment, where and when) is the client's to share. It
    needs the client's consent naming this family member, and is accounted once per
    consent and outcome. Raises ConsentRequired otherwise."""
    family_member = participant.family_member
    consent = consent_require(
        organization=intervention.organization,
        client=intervention.client,
        recipient_kind=RecipientKind.FAMILY_MEMBER,
        recipient_name=family_member.display_name,
        recipient_family_member=family_member,
        purpose=Purpose.FAMILY_INVOLVEMENT,
        information=[InformationCategory.STATUS],
    )
    record = next(iter(intervention.outcomes.all()), None)
    label = Outcome(intervention.outcome).label
    description = (
        f"Outcome of the intervention ({intervention.public_id}) shown in the family "
        f"portal: {label}"
    )
    already = disclosure_list(client=intervention.client).filter(
        consent=consent, recipient=family_member.display_name[:200], description=description
    )
    if not already.exists():
        disclosure_record(
            actor=actor,
            consent=consent,
            recipient=family_member.display_name,
            description=description,
            purpose=Purpose.FAMILY_INVOLVEMENT,
        )
    accepted = intervention.outcome == Outcome.ACCEPTED
    return OutcomeForFamily(
        outcome=intervention.outcome,
        outcome_label=label,
        admission_date=record.admission_date if record and accepted else None,
        program_name=intervention.program_name if accepted else "",
    )


@transaction.atomic
def intervention_resume_planning(*, actor, intervention: Intervention) -> Intervention:
    """After a decline or postponement, plan again; ARISE escalates one level."""
    if intervention.outcome not in (Outcome.DECLINED, Outcome.POSTPONED):
        raise ValidationError("Only a declined or postponed intervention returns to planning.")
    intervention.outcome = ""
    fields = ["outcome"]
    if intervention.model == InterventionModel.ARISE and intervention.arise_level < 3:
        intervention.arise_level += 1
        fields.append("arise_level")
    intervention.save(update_fields=fields)
    _audit(
        actor, intervention, "intervention.planning_resumed", arise_level=intervention.arise_level
    )
    return intervention


@transaction.atomic
def response_plan_save(
    *,
    actor,
    intervention: Intervention,
    boundaries: str,
    next_checkin_on: date,
    consequences: str = "",
    responsibilities: str = "",
    support_resources: str = "",
    share: bool = False,
) -> ResponsePlan:
    """The family's unified response after a decline; sharing it tells the participants
    and schedules the next family check-in."""
    if intervention.outcome != Outcome.DECLINED:
        raise ValidationError("A response plan follows a declined intervention.")
    errors = {}
    if not boundaries.strip():
        errors["boundaries"] = "Write down the boundaries the family agreed."
    if next_checkin_on is None or next_checkin_on < timezone.localdate():
        errors["next_checkin_on"] = "Choose a check-in date from today on."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    plan, _ = ResponsePlan.objects.update_or_create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        defaults={
            "boundaries": boundaries.strip(),
            "consequences": consequences.strip(),
            "responsibilities": responsibilities.strip(),
            "support_resources": support_resources.strip(),
            "next_checkin_on": next_checkin_on,
            "updated_at": now,
        },
    )
    if share and plan.shared_at is None:
        plan.shared_at = now
        plan.save(update_fields=["shared_at"])
        for participant in _portal_participants(intervention):
            _notify(
                organization=intervention.organization,
                user=participant.family_member.portal_user,
                template="interventions_response_plan",
                context={"url": _portal_path(intervention.organization)},
                key=f"interventions:plan:{plan.public_id}:{participant.public_id}:shared",
            )
    if plan.shared_at:
        _follow_up(intervention, on=next_checkin_on, label=gettext_noop("Your family's check-in"))
    _audit(actor, intervention, "intervention.response_plan_saved", shared=bool(plan.shared_at))
    return plan


@transaction.atomic
def wellbeing_record(
    *,
    actor,
    intervention: Intervention,
    family_member: FamilyMember,
    stress: int,
    sleep: int,
    hope: int,
    note: str = "",
) -> WellbeingCheckin:
    errors = {
        name: _("Choose a number from 1 to 5.")
        for name, value in (("stress", stress), ("sleep", sleep), ("hope", hope))
        if value is None or not 1 <= int(value) <= 5
    }
    if errors:
        raise ValidationError(errors)
    checkin = WellbeingCheckin.objects.create(
        organization_id=intervention.organization_id,
        intervention=intervention,
        family_member=family_member,
        stress=stress,
        sleep=sleep,
        hope=hope,
        note=note.strip(),
    )
    _audit(actor, intervention, "intervention.wellbeing_recorded")
    return checkin
