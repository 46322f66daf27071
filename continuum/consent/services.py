import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change
from continuum.logging import client_meta_var

from .descriptions import in_english
from .models import (
    Consent,
    ConsentStatus,
    Disclosure,
    InformationCategory,
    Purpose,
    RecipientKind,
    SignatureMethod,
    missing_elements,
)
from .notice import PART2_NOTICE
from .uploads import sniff_scan

__all__ = [
    "PART2_NOTICE",
    "ConsentRequired",
    "consent_create",
    "consent_record_paper",
    "consent_require",
    "consent_revoke",
    "consent_sign",
    "disclosure_record",
]


class ConsentRequired(ValidationError):
    """A disclosure was refused: no valid consent covers it. `wanted` keeps what was
    asked for, so a page can link to recording exactly the consent that is missing."""

    wanted: dict | None = None


CONTENT_FIELDS = (
    "disclosing_program",
    "information_categories",
    "information_detail",
    "recipient_kind",
    "recipient_name",
    "recipient_family_member",
    "purposes",
    "purpose_detail",
    "expires_on",
    "expiration_event",
)


def _build(*, organization, client, actor, values: dict) -> Consent:
    unknown = set(values) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError(f"Not part of a consent: {', '.join(sorted(unknown))}.")
    consent = Consent(organization=organization, client=client, created_by=actor)
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(consent, name, value)
    consent.information_categories = sorted(set(consent.information_categories or []))
    consent.purposes = sorted(set(consent.purposes or []))
    family = consent.recipient_family_member
    if consent.recipient_kind == RecipientKind.FAMILY_MEMBER and family is not None:
        if not client.family_links.filter(family_member=family).exists():
            raise ValidationError(
                {"recipient_family_member": _("This person is not linked to the client.")}
            )
        consent.recipient_name = family.display_name
    elif consent.recipient_kind != RecipientKind.FAMILY_MEMBER:
        consent.recipient_family_member = None
    if consent.recipient_kind == RecipientKind.TREATING_PROVIDERS and not consent.recipient_name:
        # The record keeps the wording as written in the code, whatever the signer reads.
        with translation.override(None):
            consent.recipient_name = str(RecipientKind.TREATING_PROVIDERS.label)
    if consent.expires_on is not None and consent.expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiration date is in the past.")})
    return consent


def _refuse_if_incomplete(consent: Consent, *, signed: bool) -> None:
    errors = missing_elements(consent, signed=signed)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consent_create(*, actor, organization, client, **values) -> Consent:
    """A complete consent awaiting the client's signature in the portal."""
    consent = _build(organization=organization, client=client, actor=actor, values=values)
    _refuse_if_incomplete(consent, signed=False)
    consent.save()
    audit_change(actor, organization, "consent.created", consent, client.public_id)
    return consent


@transaction.atomic
def consent_sign(
    *, actor, consent: Consent, signed_name: str, revocation_acknowledged: bool
) -> Consent:
    """The client signs their own consent in the portal: typed name, time and IP."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.status != ConsentStatus.AWAITING_SIGNATURE:
        raise ValidationError(_("This consent is not waiting for a signature."))
    consent.signature_method = SignatureMethod.PORTAL
    consent.signed_name = signed_name.strip()
    consent.revocation_acknowledged = bool(revocation_acknowledged)
    _refuse_if_incomplete(consent, signed=True)
    consent.signed_at = timezone.now()
    consent.signed_ip = client_meta_var.get().get("ip")
    consent.save(
        update_fields=[
            "signature_method",
            "signed_name",
            "revocation_acknowledged",
            "signed_at",
            "signed_ip",
        ]
    )
    audit_change(actor, consent.organization, "consent.signed", consent, consent.client.public_id)
    return consent


@transaction.atomic
def consent_record_paper(
    *,
    actor,
    organization,
    client,
    signed_name: str,
    signed_on: date,
    revocation_acknowledged: bool,
    scan,
    **values,
) -> Consent:
    """Staff record a consent the client signed on paper, with the scan as evidence."""
    consent = _build(organization=organization, client=client, actor=actor, values=values)
    consent.signature_method = SignatureMethod.PAPER
    consent.signed_name = (signed_name or "").strip()
    consent.revocation_acknowledged = bool(revocation_acknowledged)
    consent.recorded_by = actor
    errors = missing_elements(consent, signed=True)
    errors.pop("scan", None)
    if scan is None:
        errors["scan"] = "Upload the scan of the signed paper consent."
    else:
        try:
            consent.scan_content_type, extension = sniff_scan(scan)
        except ValidationError as exc:
            errors.update({k: v[0].message for k, v in exc.error_dict.items()})
    if signed_on is None:
        errors["signed_on"] = "Enter the date the client signed."
    elif signed_on > timezone.localdate():
        errors["signed_on"] = "The signature date is in the future."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # The paper carries a date, not a time: an earlier day is recorded at its start (UTC).
    consent.signed_at = (
        now if signed_on == timezone.localdate(now) else datetime.combine(signed_on, time.min, UTC)
    )
    # The stored name is random: the client's name never appears in a path.
    consent.scan.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(scan.read()), save=False)
    consent.save()
    audit_change(actor, organization, "consent.recorded_paper", consent, client.public_id)
    return consent


@transaction.atomic
def consent_revoke(*, actor, consent: Consent) -> Consent:
    """Revocation takes effect at once: the next consent_require already refuses."""
    consent = Consent.objects.select_for_update().select_related("client").get(pk=consent.pk)
    if consent.revoked_at is not None:
        raise ValidationError(_("This consent is already revoked."))
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor
    consent.save(update_fields=["revoked_at", "revoked_by"])
    audit_change(actor, consent.organization, "consent.revoked", consent, consent.client.public_id)
    return consent


def _as_set(information) -> set[str]:
    if isinstance(information, str):
        return {information}
    return set(information)


def _recipient_covered(
    consent: Consent, *, recipient_kind: str, recipient_name: str, recipient_family_member
) -> bool:
    if consent.recipient_kind != recipient_kind:
        return False
    if recipient_kind == RecipientKind.TREATING_PROVIDERS:
        return True
    if recipient_kind == RecipientKind.FAMILY_MEMBER and recipient_family_member is not None:
        return consent.recipient_family_member_id == recipient_family_member.pk
    return consent.recipient_name.strip().casefold() == recipient_name.strip().casefold()


def consent_require(
    *,
    organization,
    client,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    information: str | Iterable[str],
    recipient_family_member=None,
) -> Consent:
    """The one gate in front of every disclosure. Returns the signed, unexpired,
    unrevoked consent that covers this recipient, purpose and information, or raises
    ConsentRequired saying what is missing."""
    wanted = _as_set(information)
    unknown = wanted - set(InformationCategory.values)
    if unknown or purpose not in Purpose.values or recipient_kind not in RecipientKind.values:
        raise ValueError("consent_require was called with an unknown category, purpose or kind.")
    now = timezone.now()
    consents = Consent.objects.filter(organization=organization, client=client).exclude(
        signed_at__isnull=True
    )
    reasons: list[str] = []
    for consent in consents:
        if not _recipient_covered(
            consent,
            recipient_kind=recipient_kind,
            recipient_name=recipient_name,
            recipient_family_member=recipient_family_member,
        ):
            continue
        status = consent.status_on(now)
        if status == ConsentStatus.REVOKED:
            reasons.append(
                f"the consent for this recipient was revoked on {consent.revoked_at:%Y-%m-%d}"
            )
        elif status == ConsentStatus.EXPIRED:
            reasons.append(
                f"the consent for this recipient expired on {consent.expires_on:%Y-%m-%d}"
            )
        elif purpose not in consent.purposes:
            reasons.append(f"the consent does not cover the purpose “{Purpose(purpose).label}”")
        elif not wanted <= set(consent.information_categories):
            missing = ", ".join(
                str(InformationCategory(c).label)
                for c in sorted(wanted - set(consent.information_categories))
            )
            reasons.append(f"the consent does not cover: {missing}")
        else:
            return consent
    why = "; ".join(dict.fromkeys(reasons)) or "there is no signed consent naming this recipient"
    refusal = ConsentRequired(
        f"{client.display_name}'s information cannot be shared with {recipient_name}: {why}. "
        "A signed 42 CFR Part 2 consent that covers it is required.",
        code="consent_required",
    )
    refusal.wanted = {
        "client": client,
        "recipient_kind": recipient_kind,
        "recipient_name": recipient_name,
        "recipient_family_member": recipient_family_member,
        "purpose": purpose,
        "information": sorted(wanted),
    }
    raise refusal


@transaction.atomic
def disclosure_record(
    *,
    actor,
    consent: Consent,
    recipient: str,
    purpose: str,
    description: str = "",
    kind: str = "",
    facts: dict | None = None,
) -> Disclosure:
    """Account for a disclosure made under `consent`. The consent is locked and checked
    again, so a revocation that commits first wins. A registered `kind` with its `facts`
    (consent.descriptions) is shown in each reader's language; its English sentence is
    stored as the description."""
    facts = facts or {}
    if kind:
        description = in_english(kind, facts)
        if not description:
            raise ValueError(f"No disclosure description {kind!r} fits facts {facts!r}.")
    consent = Consent.objects.select_for_update().select_related("client").get(pk=consent.pk)
    status = consent.status
    if status != ConsentStatus.ACTIVE:
        raise ConsentRequired(
            f"This consent is {ConsentStatus(status).label.lower()}: nothing may be disclosed under it.",
            code="consent_required",
        )
    if purpose not in consent.purposes:
        raise ConsentRequired("This consent does not cover that purpose.", code="consent_required")
    errors = {}
    if not recipient.strip():
        errors["recipient"] = "Name the recipient."
    if not description.strip():
        errors["description"] = "Describe what was disclosed."
    if errors:
        raise ValidationError(errors)
    disclosure = Disclosure.objects.create(
        organization=consent.organization,
        client=consent.client,
        consent=consent,
        recipient=recipient.strip()[:200],
        description=description.strip(),
        kind=kind,
        facts=facts,
        purpose=purpose,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        notice=PART2_NOTICE,
    )
    audit_change(
        actor,
        consent.organization,
        "disclosure.recorded",
        disclosure,
        consent.client.public_id,
        detail={"consent": str(consent.public_id)},
    )
    return disclosure
