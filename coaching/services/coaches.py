"""Coaches: their profiles and certifications, and the scan for certifications running out."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from continuum.audit.services import audit_change
from continuum.care.models import Task, TaskKind
from continuum.care.services import (
    task_create,
)
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.timezones import local_now

from ..models import (
    Certification,
    CoachProfile,
    Specialty,
)
from ._shared import _full_clean

CERTIFICATION_WARNING = timedelta(days=30)


@transaction.atomic
def coach_profile_save(*, actor, membership: Membership, **values) -> CoachProfile:
    """Create or update a coach's matching profile."""
    if not membership.has_role(Role.SOBER_COACH):
        raise ValidationError({"membership": "Only sober coaches have a coaching profile."})
    unknown = set(values.get("specialties", [])) - set(Specialty.values)
    if unknown:
        raise ValidationError({"specialties": f"Unknown specialty: {', '.join(sorted(unknown))}."})
    values["languages"] = sorted(
        {code.strip().lower() for code in values.get("languages", []) if code.strip()}
    )
    profile = CoachProfile.objects.filter(membership=membership).first() or CoachProfile(
        organization_id=membership.organization_id, membership=membership
    )
    for field, value in values.items():
        setattr(profile, field, value)
    _full_clean(profile, exclude=("organization", "membership"))
    created = profile.pk is None
    profile.save()
    audit_change(
        actor,
        membership.organization,
        "coach_profile.created" if created else "coach_profile.updated",
        profile,
        detail={"fields": sorted(values)},
    )
    return profile


@transaction.atomic
def certification_add(
    *, actor, coach: CoachProfile, name: str, issuer: str = "", expires_on: date | None = None
) -> Certification:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the certification."})
    certification = Certification.objects.create(
        organization_id=coach.organization_id,
        coach=coach,
        name=name,
        issuer=issuer.strip(),
        expires_on=expires_on,
    )
    audit_change(actor, coach.organization, "certification.added", certification)
    return certification


def certifications_scan(*, organization: Organization, today: date | None = None) -> int:
    """A task for the coach for every certification lapsing within the warning window.
    The dedup key holds the expiry date, so a renewed certification warns again."""
    today = today or local_now(organization).date()
    expiring = Certification.objects.filter(
        organization=organization,
        expires_on__isnull=False,
        expires_on__lte=today + CERTIFICATION_WARNING,
        expires_on__gte=today,
    ).select_related("coach__membership")
    created = 0
    for certification in expiring:
        key = f"coaching:certification:{certification.public_id}:{certification.expires_on}"
        if Task.objects.filter(organization=organization, dedup_key=key).exists():
            continue
        task_create(
            actor=None,
            organization=organization,
            title=f"Renew {certification.name} before {certification.expires_on:%b %-d, %Y}",
            assignee=certification.coach.membership,
            due_at=datetime.combine(
                certification.expires_on, time(9, 0), tzinfo=ZoneInfo(organization.timezone)
            ),
            kind=TaskKind.ROUTINE,
            source="coaching.certification_expiry",
            dedup_key=key,
        )
        created += 1
    return created
