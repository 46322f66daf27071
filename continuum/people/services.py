from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from continuum.audit.services import audit_change
from continuum.notifications.services import notification_schedule
from continuum.tenancy.models import STAFF_ROLES, Membership, Role
from continuum.tenancy.selectors import active_admins
from continuum.tenancy.timezones import local_now

from .models import (
    BreakGlassGrant,
    CareTeamMember,
    Client,
    FamilyMember,
    FamilyRelationship,
    Relationship,
)
from .selectors import SEES_ALL_CLIENTS

CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "pronouns",
    "email",
    "phone",
    "zip_code",
    "preferred_language",
    "primary_substances",
    "co_occurring_conditions",
    "risk_flags",
)
FAMILY_FIELDS = ("first_name", "last_name", "email", "phone", "preferred_language")
CARE_TEAM_ROLES = frozenset(STAFF_ROLES)


def _clean_list(values) -> list[str]:
    seen: list[str] = []
    for value in values or []:
        value = str(value).strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _clean_client_values(values: dict) -> dict:
    unknown = set(values) - set(CLIENT_FIELDS)
    if unknown:
        raise ValidationError(f"Not a client field: {', '.join(sorted(unknown))}.")
    cleaned = dict(values)
    for name in ("primary_substances", "co_occurring_conditions", "risk_flags"):
        if name in cleaned:
            cleaned[name] = _clean_list(cleaned[name])
    for name in (
        "first_name",
        "last_name",
        "preferred_name",
        "pronouns",
        "email",
        "phone",
        "zip_code",
    ):
        if name in cleaned and cleaned[name] is not None:
            cleaned[name] = str(cleaned[name]).strip()
    errors = {}
    for name in ("first_name", "last_name"):
        if name in cleaned and not cleaned[name]:
            errors[name] = "This field is required."
    dob = cleaned.get("date_of_birth")
    if dob and dob > timezone.localdate():
        errors["date_of_birth"] = "The date of birth cannot be in the future."
    if dob and dob < date(1900, 1, 1):
        errors["date_of_birth"] = "Please check the year of birth."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def client_create(*, actor, membership: Membership, **values) -> Client:
    """Create a client. A staff member who does not see every client joins the care team,
    so the record they just created stays visible to them."""
    values = _clean_client_values(values)
    for name in ("first_name", "last_name"):
        if name not in values:
            raise ValidationError({name: "This field is required."})
    organization = membership.organization
    client = Client.objects.create(organization=organization, **values)
    audit_change(actor, organization, "client.created", client, client.public_id)
    if not membership.has_role(*SEES_ALL_CLIENTS):
        role = next(r for r in sorted(membership.roles) if r in STAFF_ROLES)
        care_team_add(actor=actor, client=client, membership=membership, role=role)
    return client


@transaction.atomic
def client_update(*, actor, client: Client, **values) -> Client:
    values = _clean_client_values(values)
    changed = [name for name, value in values.items() if getattr(client, name) != value]
    for name in changed:
        setattr(client, name, values[name])
    if changed:
        client.save(update_fields=changed)
        audit_change(
            actor,
            client.organization,
            "client.updated",
            client,
            client.public_id,
            detail={"fields": sorted(changed)},
        )
    return client


@transaction.atomic
def family_member_add(
    *,
    actor,
    client: Client,
    relationship: str,
    is_primary_contact: bool = False,
    family_member: FamilyMember | None = None,
    **values,
) -> FamilyRelationship:
    """Link a new or existing family member to a client (a parent of two siblings is one
    family member with two links). One primary contact per client."""
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": "Choose a relationship."})
    organization = client.organization
    if family_member is None:
        unknown = set(values) - set(FAMILY_FIELDS)
        if unknown:
            raise ValidationError(f"Not a family member field: {', '.join(sorted(unknown))}.")
        values = {k: str(v).strip() for k, v in values.items()}
        errors = {
            n: "This field is required." for n in ("first_name", "last_name") if not values.get(n)
        }
        if errors:
            raise ValidationError(errors)
        family_member = FamilyMember.objects.create(organization=organization, **values)
        audit_change(actor, organization, "family_member.created", family_member, client.public_id)
    elif family_member.organization_id != organization.pk:
        raise ValidationError("This family member belongs to another organization.")
    if FamilyRelationship.objects.filter(client=client, family_member=family_member).exists():
        raise ValidationError(
            f"{family_member.display_name} is already linked to {client.display_name}."
        )
    if is_primary_contact:
        FamilyRelationship.objects.filter(client=client, is_primary_contact=True).update(
            is_primary_contact=False
        )
    link = FamilyRelationship.objects.create(
        organization=organization,
        client=client,
        family_member=family_member,
        relationship=relationship,
        is_primary_contact=is_primary_contact,
    )
    audit_change(
        actor,
        organization,
        "family_member.linked",
        link,
        client.public_id,
        detail={"relationship": relationship, "primary": is_primary_contact},
    )
    return link


@transaction.atomic
def care_team_add(
    *,
    actor,
    client: Client,
    membership: Membership,
    role: str,
    started_on: date | None = None,
    ended_on: date | None = None,
) -> CareTeamMember:
    # The organization's day, whatever zone the caller runs in: access starts by it
    # (active_care_team compares on the organization's clock).
    started_on = started_on or local_now(client.organization).date()
    if membership.organization_id != client.organization_id or not membership.is_active:
        raise ValidationError({"membership": "Choose an active staff member of this organization."})
    if role not in CARE_TEAM_ROLES:
        raise ValidationError({"role": "Choose a staff role."})
    if not membership.has_role(role):
        raise ValidationError(
            {
                "role": f"{membership.user.get_full_name()} does not hold the role {Role(role).label}."
            }
        )
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "The end date cannot be before the start date."})
    try:
        with transaction.atomic():
            link = CareTeamMember.objects.create(
                organization=client.organization,
                client=client,
                membership=membership,
                role=role,
                started_on=started_on,
                ended_on=ended_on,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "membership": f"{membership.user.get_full_name()} already serves this client as "
                f"{Role(role).label}."
            }
        ) from None
    audit_change(
        actor,
        client.organization,
        "care_team.added",
        link,
        client.public_id,
        detail={"membership": str(membership.public_id), "role": role},
    )
    return link


@transaction.atomic
def care_team_end(*, actor, link: CareTeamMember, ended_on: date | None = None) -> CareTeamMember:
    ended_on = ended_on or local_now(link.organization).date()
    if link.ended_on is not None:
        raise ValidationError("This care-team assignment has already ended.")
    if ended_on < link.started_on:
        raise ValidationError({"ended_on": "The end date cannot be before the start date."})
    link.ended_on = ended_on
    link.save(update_fields=["ended_on"])
    audit_change(
        actor,
        link.organization,
        "care_team.ended",
        link,
        link.client.public_id,
        detail={"role": link.role},
    )
    return link


@transaction.atomic
def portal_account_link(*, actor, record: Client | FamilyMember, user) -> Client | FamilyMember:
    """Give a client or family member their portal login (or take it away with None)."""
    if (
        user is not None
        and record.__class__.objects.filter(organization=record.organization_id, portal_user=user)
        .exclude(pk=record.pk)
        .exists()
    ):
        raise ValidationError({"portal_user": "This login already belongs to another record."})
    record.portal_user = user
    record.save(update_fields=["portal_user"])
    client_id = record.public_id if isinstance(record, Client) else None
    audit_change(
        actor,
        record.organization,
        "portal_account.linked",
        record,
        client_id,
        detail={"linked": user is not None},
    )
    return record


# --- emergency access (break-glass) ------------------------------------------------------

BREAK_GLASS_MIN_REASON = 20


def _break_glass_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {
                "reason": (
                    f"Describe the emergency in at least {BREAK_GLASS_MIN_REASON} characters; "
                    "it is reviewed by the organization's administrators."
                )
            }
        )
    return reason[:2000]


@transaction.atomic
def break_glass_open(*, actor, membership: Membership, client_id, reason: str) -> BreakGlassGrant:
    """Open a client record a staff member is not on the care team of, for the
    organization's break-glass period. Audited, and every org admin is notified."""
    if membership is None or not membership.is_active or not membership.is_staff_member:
        raise PermissionDenied("Only staff can use emergency access.")
    reason = _break_glass_reason(reason)
    organization = membership.organization
    client = Client.objects.filter(organization=organization, public_id=client_id).first()
    if client is None:
        raise Http404("No such client.")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        organization=organization,
        membership=membership,
        client=client,
        reason=reason,
        created_at=now,
        expires_at=now + timedelta(minutes=organization.break_glass_minutes),
    )
    audit_change(
        actor,
        organization,
        "client.break_glass",
        grant,
        client.public_id,
        detail={
            "client": str(client.public_id),
            "minutes": organization.break_glass_minutes,
            "expires_at": grant.expires_at.isoformat(),
        },
    )
    admins = active_admins(organization=organization).select_related("user")
    url = reverse("staff:break_glass_log", kwargs={"org": organization.slug})
    staff_name = actor.get_full_name() or actor.email
    for admin in admins:
        notification_schedule(
            organization=organization,
            recipient=admin.user,
            template="break_glass",
            context={
                "staff_name": staff_name,
                "minutes": organization.break_glass_minutes,
                "url": url,
            },
            dedup_key=f"break_glass:{grant.public_id}:{admin.user_id}",
            urgent=True,
            actor=actor,
        )
    return grant


@transaction.atomic
def follow_up_access_grant(
    *, membership: Membership, client: Client, reason: str, hours: int
) -> BreakGlassGrant | None:
    """The platform asked `membership` to follow up on `client` (a safety event): let
    them open the record for `hours`, as emergency access does, listed in the same log
    and audited. None when they can already see the client (a role that sees everyone,
    or a place on the current care team)."""
    from .selectors import active_care_team

    if membership.has_role(*SEES_ALL_CLIENTS):
        return None
    if active_care_team().filter(client=client, membership=membership).exists():
        return None
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        organization_id=client.organization_id,
        membership=membership,
        client=client,
        reason=reason[:2000],
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    audit_change(
        "system",
        client.organization,
        "client.follow_up_access",
        grant,
        client.public_id,
        detail={
            "membership": str(membership.public_id),
            "hours": hours,
            "expires_at": grant.expires_at.isoformat(),
        },
    )
    return grant


@transaction.atomic
def break_glass_refuse(*, actor, membership: Membership, reason: str) -> None:
    """A search that matched no single client: recorded, so emergency access cannot be
    used quietly to find out who is in care here."""
    audit_change(
        actor,
        membership.organization,
        "client.break_glass_no_match",
        None,
        detail={"reason_length": len((reason or "").strip())},
    )


@transaction.atomic
def preferred_language_set(*, actor, organization, language: str) -> int:
    """A family member or client chose the language of their pages; the messages sent to
    them follow it (continuum.notifications.services.recipient_language). Returns how many
    of their records changed."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": "Choose one of the languages offered."})
    changed = 0
    for model in (FamilyMember, Client):
        for person in model.objects.filter(organization=organization, portal_user=actor).exclude(
            preferred_language=language
        ):
            person.preferred_language = language
            person.save(update_fields=["preferred_language"])
            audit_change(
                actor,
                organization,
                f"{model._meta.model_name}.language_changed",
                person,
                person.public_id if model is Client else None,
                detail={"language": language},
            )
            changed += 1
    return changed
