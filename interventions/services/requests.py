"""A family's request for an intervention, and its triage: accept, refer, close, and the alert when one waits too long."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change
from continuum.care.models import CareEpisode, ClosedReason, Phase, Task, TaskStatus
from continuum.care.services import episode_open, episode_transition, task_set_status
from continuum.people.models import FamilyMember, FamilyRelationship, Relationship
from continuum.people.services import (
    care_team_add,
    client_create,
    family_member_add,
)
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.services import portal_account_ensure

from ..models import (
    Intervention,
    InterventionRequest,
    Participant,
    ParticipantRole,
    RequestStatus,
)
from ._shared import _audit, _intake_desk, _link_portal_user, _notify, _portal_path, _triage_staff

PUBLIC_ACTOR = "public:help-form"


MERGE_WINDOW = timedelta(days=1)


CLOSE_REASONS = (
    ClosedReason.DECLINED,
    ClosedReason.LOST_TO_CONTACT,
    ClosedReason.OTHER,
)


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
    audit_change(
        PUBLIC_ACTOR,
        organization,
        "intervention_request.submitted",
        request,
        client.public_id,
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
    audit_change(
        PUBLIC_ACTOR,
        request.organization,
        "intervention_request.merged",
        request,
        request.client.public_id,
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
    if not request.can_decide:
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
    _close_triage(request, actor=actor)


# The spine's task for intake when an inquiry opens (care.handoffs.inquiry_triage).
TRIAGE_TASK_SOURCE = "handoff:care.inquiry_triage"


def _close_triage(request: InterventionRequest, *, actor) -> None:
    """Deciding the request is the triage: its task leaves intake's queue as done."""
    open_triage = Task.objects.filter(
        organization=request.organization_id,
        episode=request.episode_id,
        source=TRIAGE_TASK_SOURCE,
        status=TaskStatus.OPEN,
    )
    for task in open_triage:
        task_set_status(actor=actor, task=task, status=TaskStatus.DONE)


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
        relationship=request.relationship,
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
