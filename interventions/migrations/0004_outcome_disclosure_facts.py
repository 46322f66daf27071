"""Disclosures of an intervention's outcome to a family member were accounted with a
sentence naming the outcome in the language of the family member who opened it
("... shown in the family portal: Aceptó el tratamiento"), and found again by that
sentence, so the same outcome read in another language was accounted twice. Each such
row whose outcome label is one the product has written, in English or Spanish, gets its
kind and facts (the intervention's id and the outcome's code) and its description in
English; it is then shown in each reader's language and found again by its facts.

Rows whose sentence does not match, or names an outcome by a label the product never
wrote, are left as they are and keep showing their stored sentence."""

import re

from django.db import migrations
from django.utils import translation

from continuum.tenancy.scoping import organization_scope

KIND = "interventions.outcome_shown"
SENTENCE = re.compile(
    r"^Outcome of the intervention \((?P<intervention>[0-9a-f-]{36})\) shown in the family "
    r"portal: (?P<label>.+)$"
)
# The outcome labels as written in the code; their translations are read from the catalogue.
OUTCOMES = {"accepted": "Accepted treatment", "declined": "Declined", "postponed": "Postponed"}


def _codes_by_label() -> dict[str, str]:
    codes = {}
    for language in ("en", "es"):
        with translation.override(language):
            for code, msgid in OUTCOMES.items():
                codes[translation.gettext(msgid)] = code
    return codes


def attach_facts(apps, schema_editor):
    from interventions.models import outcome_disclosure_description

    codes = _codes_by_label()
    organization_model = apps.get_model("tenancy", "Organization")
    disclosure_model = apps.get_model("consent", "Disclosure")
    # Row-level security shows the owner one organization at a time.
    for organization in organization_model.objects.order_by("pk"):
        with organization_scope(organization):
            rows = disclosure_model._base_manager.filter(
                organization=organization,
                kind="",
                description__startswith="Outcome of the intervention (",
            )
            recovered = []
            for disclosure in rows:
                match = SENTENCE.match(disclosure.description.strip())
                code = codes.get(match["label"]) if match else None
                if code is None:
                    continue
                disclosure.kind = KIND
                disclosure.facts = {"intervention": match["intervention"], "outcome": code}
                with translation.override("en"):
                    disclosure.description = outcome_disclosure_description(disclosure.facts)
                recovered.append(disclosure)
            disclosure_model._base_manager.bulk_update(
                recovered, ["kind", "facts", "description"], batch_size=500
            )


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0003_family_portal"),
        ("consent", "0002_disclosure_kind_facts"),
        ("tenancy", "0003_session_and_emergency_settings"),
    ]

    operations = [
        migrations.RunPython(attach_facts, migrations.RunPython.noop),
    ]
