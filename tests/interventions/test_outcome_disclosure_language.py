"""An intervention's outcome shown to a family member is accounted as codes, so the
client reads the accounting in their own language; rows saved as a sentence in the
family member's language get their codes back."""

import uuid
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from continuum.consent.services import disclosure_record
from continuum.tenancy.models import Role
from interventions.models import OUTCOME_DISCLOSURE
from tests.consent.factories import ConsentFactory
from tests.people.factories import ClientFactory

migration = import_module("interventions.migrations.0004_outcome_disclosure_facts")


def _disclosures(client, org, user, language) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("portal:disclosure_list", kwargs={"org": org.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_an_outcome_saved_in_spanish_reads_in_each_readers_language(client, in_org, members):
    person = ClientFactory(organization=in_org, portal_user=members[Role.CLIENT])
    consent = ConsentFactory(client=person)
    intervention_id = str(uuid.uuid4())
    shown_in_spanish = disclosure_record(
        actor=members[Role.FAMILY_MEMBER],
        consent=consent,
        recipient="Ana Ruiz",
        description=f"Outcome of the intervention ({intervention_id}) shown in the family "
        "portal: Aceptó el tratamiento",
        purpose="care_coordination",
    )
    unknown = disclosure_record(
        actor=members[Role.FAMILY_MEMBER],
        consent=consent,
        recipient="Ana Ruiz",
        description=f"Outcome of the intervention ({intervention_id}) shown in the family "
        "portal: Moved away",
        purpose="care_coordination",
    )
    migration.attach_facts(apps, None)
    shown_in_spanish.refresh_from_db()
    unknown.refresh_from_db()
    assert shown_in_spanish.kind == OUTCOME_DISCLOSURE
    assert shown_in_spanish.facts == {"intervention": intervention_id, "outcome": "accepted"}
    english = (
        f"Outcome of the intervention ({intervention_id}) shown in the family portal: "
        "Accepted treatment"
    )
    spanish = (
        f"Resultado de la intervención ({intervention_id}) mostrado en el portal familiar: "
        "Aceptó el tratamiento"
    )
    assert shown_in_spanish.description == english
    # A label the product never wrote: left as it was.
    assert (unknown.kind, unknown.facts) == ("", {})

    page = _disclosures(client, in_org, members[Role.CLIENT], "en")
    assert english in page and spanish not in page and "portal: Moved away" in page
    page = _disclosures(client, in_org, members[Role.CLIENT], "es")
    assert spanish in page and english not in page
