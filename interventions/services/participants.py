"""The people taking part: added, invited to the portal, answering, in order."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.people.models import FamilyMember, FamilyRelationship
from continuum.people.services import (
    family_member_add,
)
from continuum.tenancy.services import portal_account_ensure

from ..models import (
    EducationSession,
    Intervention,
    MeetingAnswer,
    Participant,
    ParticipantRole,
    Rsvp,
)
from ._shared import _audit, _link_portal_user, _notify, _portal_path, _require_planning
from .sessions import _remind_day


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
    name, email = name.strip(), email.strip().lower()
    errors = _participant_errors(intervention, name=name, role=role, email=email)
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


def _participant_errors(intervention, *, name, role, email, exclude=None) -> dict:
    errors = {}
    if not name:
        errors["name"] = "Enter the person's name."
    if role not in ParticipantRole.values:
        errors["role"] = "Choose the person's role."
    others = Participant.objects.filter(intervention=intervention, email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if email and others.exists():
        errors["email"] = "This person is already on the team."
    return errors


@transaction.atomic
def participant_update(
    *,
    actor,
    participant: Participant,
    name: str,
    role: str,
    email: str = "",
    relationship: str = "",
    speaking_order: int | None = None,
) -> Participant:
    """Correct a participant's details. Once they have a portal login, their e-mail
    address is their sign-in and is changed on their family record, not here."""
    intervention = participant.intervention
    _require_planning(intervention)
    name, email = name.strip(), email.strip().lower()
    errors = _participant_errors(
        intervention, name=name, role=role, email=email, exclude=participant
    )
    if participant.portal_invited_at and email != participant.email.lower():
        errors["email"] = (
            f"{participant.name} signs in to the family portal with {participant.email}; "
            "change the address on their family record."
        )
    if errors:
        raise ValidationError(errors)
    participant.name = name
    participant.email = email
    participant.role = role
    participant.relationship = relationship.strip()
    participant.speaking_order = speaking_order
    participant.save(update_fields=["name", "email", "role", "relationship", "speaking_order"])
    _audit(
        actor,
        intervention,
        "intervention.participant_updated",
        participant=str(participant.public_id),
    )
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> str:
    """Take someone off the team, with their letter (its author is told on the page
    that confirms the removal). Returns the name, for the page's message."""
    intervention = participant.intervention
    _require_planning(intervention)
    name = participant.name
    letters = participant.letters.count()
    _audit(
        actor,
        intervention,
        "intervention.participant_removed",
        participant=str(participant.public_id),
        letters=letters,
    )
    participant.delete()
    return name


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
                relationship=participant.relationship_kind,
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


def _answer_errors(rsvp: str) -> None:
    if rsvp not in Rsvp.values or rsvp == Rsvp.PENDING:
        raise ValidationError({"rsvp": _("Choose one: will attend, cannot attend, or maybe.")})


def _require_before_the_day(intervention: Intervention) -> None:
    if intervention.outcome:
        raise ValidationError(
            _("The day has taken place, so there is nothing left to answer for it.")
        )


@transaction.atomic
def participant_rsvp(*, actor, participant: Participant, rsvp: str) -> Participant:
    """The participant's answer for the day itself; the time it was given is shown back
    to them as their confirmation and to the interventionist beside the answer."""
    _answer_errors(rsvp)
    _require_before_the_day(participant.intervention)
    participant.rsvp = rsvp
    participant.rsvp_at = timezone.now()
    participant.save(update_fields=["rsvp", "rsvp_at"])
    _audit(actor, participant.intervention, "intervention.rsvp", rsvp=rsvp)
    return participant


@transaction.atomic
def meeting_answer(
    *, actor, participant: Participant, session: EducationSession, rsvp: str
) -> MeetingAnswer:
    """The participant's answer to one family meeting. A later answer replaces the
    earlier one; a meeting that has started can no longer be answered."""
    _answer_errors(rsvp)
    if session.intervention_id != participant.intervention_id:
        raise ValidationError(_("That meeting belongs to another intervention."))
    if session.starts_at <= timezone.now():
        raise ValidationError(
            _("This meeting has already started, so it can no longer be answered.")
        )
    answer, _created = MeetingAnswer.objects.update_or_create(
        organization_id=participant.organization_id,
        session=session,
        participant=participant,
        defaults={"answer": rsvp, "answered_at": timezone.now()},
    )
    _audit(
        actor,
        participant.intervention,
        "intervention.meeting_answered",
        session=str(session.public_id),
        rsvp=rsvp,
    )
    return answer


@transaction.atomic
def participant_set_order(*, actor, intervention: Intervention, order: list) -> None:
    """Set the speaking order from a list of participant public ids; those left out
    speak after them, in no set order."""
    _require_planning(intervention)
    by_id = {str(p.public_id): p for p in Participant.objects.filter(intervention=intervention)}
    for participant in by_id.values():
        participant.speaking_order = None
    for position, participant_id in enumerate(order, 1):
        participant = by_id.get(str(participant_id))
        if participant is None:
            raise ValidationError("That person is not on this intervention's team.")
        participant.speaking_order = position
    Participant.objects.bulk_update(by_id.values(), ["speaking_order"])
    _audit(actor, intervention, "intervention.speaking_order_set")
