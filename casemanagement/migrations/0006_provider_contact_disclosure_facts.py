"""Disclosures made by logging an outbound provider contact carry their description as a
sentence in the language of whoever logged it ("Registros enviados: Medicamentos, ...").
The contact that made each one still holds its kind and the information shared, so the
disclosure gets them as its kind and facts and is shown in each reader's language; its
description is rewritten in English, the language the accounting stores.

Every such disclosure is recoverable: it is the `disclosure` of exactly one contact.
Disclosures made otherwise (FHIR exports, referral packets, messages, intervention
outcomes) are left as they are; a contact whose kind or information is not one the
product knows is left as it is too, and keeps showing its stored sentence."""

from django.db import migrations
from django.utils import translation

from continuum.tenancy.scoping import organization_scope

KIND = "casemanagement.provider_contact"


def _known(contact) -> bool:
    from casemanagement.models import ContactKind
    from continuum.consent.models import InformationCategory

    information = contact.information
    return (
        contact.kind in ContactKind.values
        and isinstance(information, list)
        and bool(information)
        and set(information) <= set(InformationCategory.values)
    )


def attach_facts(apps, schema_editor):
    from casemanagement.models import provider_contact_description

    organization_model = apps.get_model("tenancy", "Organization")
    contact_model = apps.get_model("casemanagement", "Contact")
    disclosure_model = apps.get_model("consent", "Disclosure")
    # Row-level security shows the owner one organization at a time.
    for organization in organization_model.objects.order_by("pk"):
        with organization_scope(organization):
            contacts = contact_model._base_manager.filter(
                organization=organization, disclosure__isnull=False, disclosure__kind=""
            ).only("kind", "information", "disclosure_id")
            by_disclosure = {c.disclosure_id: c for c in contacts if _known(c)}
            disclosures = list(disclosure_model._base_manager.filter(pk__in=by_disclosure))
            for disclosure in disclosures:
                contact = by_disclosure[disclosure.pk]
                disclosure.kind = KIND
                disclosure.facts = {
                    "contact_kind": contact.kind,
                    "information": sorted(contact.information),
                }
                with translation.override("en"):
                    disclosure.description = provider_contact_description(disclosure.facts)
            disclosure_model._base_manager.bulk_update(
                disclosures, ["kind", "facts", "description"], batch_size=500
            )


class Migration(migrations.Migration):
    dependencies = [
        ("casemanagement", "0005_questionnaire_assignments"),
        ("consent", "0002_disclosure_kind_facts"),
        ("tenancy", "0003_session_and_emergency_settings"),
    ]

    operations = [
        migrations.RunPython(attach_facts, migrations.RunPython.noop),
    ]
