"""What a family member records for themselves: their own wellbeing check-in."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from continuum.audit.services import audit_record
from continuum.people.models import FamilyMember

from ..models import FamilyCheckin

NOTE_MAX_LENGTH = 2000


@transaction.atomic
def family_checkin_record(
    *, actor, family_member: FamilyMember, mood: int | None, stress: int | None, note: str = ""
) -> FamilyCheckin:
    """The family member's own check-in. Only they record it, for themselves; it names no
    client, so its audit line carries none."""
    if family_member.portal_user_id != actor.pk:
        raise ValidationError(_("Only you can record your own check-in."))
    errors = {}
    for name, value in (("mood", mood), ("stress", stress)):
        if value is None or not 1 <= int(value) <= 5:
            errors[name] = _("Choose a number from 1 to 5.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note to %(limit)d characters; it has %(count)d.") % {
            "limit": NOTE_MAX_LENGTH,
            "count": len(note),
        }
    if errors:
        raise ValidationError(errors)
    checkin = FamilyCheckin.objects.create(
        organization_id=family_member.organization_id,
        family_member=family_member,
        mood=int(mood),
        stress=int(stress),
        note=note,
    )
    audit_record(
        actor=actor,
        organization=family_member.organization,
        action="family_checkin.recorded",
        obj=checkin,
    )
    return checkin
