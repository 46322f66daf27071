"""The organization's on-call rota."""

from django.core.exceptions import ValidationError
from django.db import transaction

from continuum.audit.services import audit_change
from continuum.tenancy.models import Membership, Organization

from ..models import (
    OnCallShift,
)


@transaction.atomic
def on_call_rota_save(
    *,
    actor,
    organization: Organization,
    shifts: list[dict],
    fallback: Membership | None,
) -> list[OnCallShift]:
    """Replace the organization's on-call rota: `shifts` of {membership, weekday,
    starts_at, ends_at}, and the person asked when no shift covers the hour."""
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, shift in enumerate(shifts):
        membership = shift.get("membership")
        weekday = shift.get("weekday")
        starts_at, ends_at = shift.get("starts_at"), shift.get("ends_at")
        row = index + 1
        if (
            membership is None
            or membership.organization_id != organization.pk
            or not membership.is_active
            or not membership.is_staff_member
        ):
            errors.setdefault("shifts", []).append(
                f"Shift {row}: choose an active staff member of {organization.name}."
            )
            continue
        if weekday not in range(7):
            errors.setdefault("shifts", []).append(
                f"Shift {row}: choose a weekday from Monday to Sunday."
            )
            continue
        if starts_at is None or ends_at is None:
            errors.setdefault("shifts", []).append(
                f"Shift {row}: give the hour the shift starts and the hour it ends."
            )
            continue
        cleaned.append((membership, weekday, starts_at, ends_at))
    if fallback is not None and (
        fallback.organization_id != organization.pk
        or not fallback.is_active
        or not fallback.is_staff_member
    ):
        errors["fallback"] = [f"Choose an active staff member of {organization.name}."]
    if errors:
        raise ValidationError(errors)
    OnCallShift.objects.filter(organization=organization).delete()
    created = OnCallShift.objects.bulk_create(
        OnCallShift(
            organization=organization,
            membership=membership,
            weekday=weekday,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        for membership, weekday, starts_at, ends_at in cleaned
    )
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    organization.on_call_fallback = fallback
    organization.save(update_fields=["on_call_fallback"])
    audit_change(
        actor,
        organization,
        "on_call_rota.saved",
        organization,
        detail={
            "shifts": len(created),
            "fallback": str(fallback.public_id) if fallback is not None else None,
        },
    )
    return created
