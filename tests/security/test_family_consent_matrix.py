"""What a family member can reach about their loved one, page by page.

Every portal page and API endpoint a family member may open (found from the URL
configuration, so a new page joins the matrix by itself) is requested by a family member
linked to a client who has a care plan, medications, appointments and coaching contact
notes. Without a consent covering family sharing nothing of those records may appear;
with one, only through disclosures the consent gate records (none of these pages shows
records directly today, so the assertion is the same: a page that starts showing client
records to families must go through consent_require and update this test)."""

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope

from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.tenancy.models import Role
from tests.casemanagement.factories import (
    AppointmentFactory,
    CarePlanFactory,
    GoalFactory,
    MedicationFactory,
)
from tests.coaching.factories import EngagementFactory
from tests.consent.factories import ConsentFactory
from tests.interventions.factories import InterventionFactory, ParticipantFactory
from tests.isolation.objects import URL_OBJECTS
from tests.isolation.test_matrix import ROUTES
from tests.people.factories import FamilyMemberFactory, FamilyRelationshipFactory

pytestmark = pytest.mark.django_db

MEDICATION = "Buprenorphine-Zeta"
GOAL = "Rebuild trust with the Hollis family"
COACH_NOTE = "Admitted to a slip on Tuesday at the Marlowe bar"
LOCATION = "Quintessa Clinic, 9 Harbour Row"
SECRETS = [MEDICATION, GOAL, COACH_NOTE, LOCATION]

FAMILY_ROUTES = [
    r
    for r in ROUTES
    if r.area in {"portal", "api", "fhir"} and Role.FAMILY_MEMBER in r.required_roles
]


@pytest.fixture
def world(org, members):
    family_user = members[Role.FAMILY_MEMBER]
    with scope(organization=org.pk):
        intervention = InterventionFactory(organization=org)
        client = intervention.client
        member = FamilyMemberFactory(
            organization=org, first_name="Ana", last_name="Ruiz", email="", portal_user=family_user
        )
        FamilyRelationshipFactory(
            organization=org, client=client, family_member=member, relationship="parent"
        )
        ParticipantFactory(
            intervention=intervention,
            family_member=member,
            name="Ana Ruiz",
            role="family",
            invited_at=None,
        )
        plan = CarePlanFactory(client=client)
        GoalFactory(plan=plan, title=GOAL)
        MedicationFactory(client=client, name=MEDICATION)
        AppointmentFactory(client=client, location=LOCATION)
        engagement = EngagementFactory(organization=org, client=client)
        engagement.contacts.create(
            organization=org,
            kind="phone",
            started_at=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC),
            duration_minutes=20,
            summary=COACH_NOTE,
            logged_by=members[Role.SOBER_COACH],
        )
    return {"client": client, "member": member, "intervention": intervention}


def _url(route, org, world):
    own = {
        "client_id": str(world["client"].public_id),
        "intervention_id": str(world["intervention"].public_id),
    }
    kwargs = {"org": org.slug}
    with scope(organization=org.pk):
        for name in route.kwargs:
            kwargs[name] = own.get(name) or URL_OBJECTS[name](org)
    return reverse(str(route), kwargs=kwargs)


def _pages(client, org, world):
    for route in FAMILY_ROUTES:
        url = _url(route, org, world)
        response = client.get(url)
        if response.status_code == 405:
            continue  # actions (POST only) render nothing of the record
        yield route, url, response


def _assert_nothing_leaks(client, org, world):
    seen = 0
    for route, url, response in _pages(client, org, world):
        assert response.status_code < 500, f"{route} {url}"
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, f"{route} shows {secret!r} to a family member"
        seen += response.status_code == 200
    return seen


def test_the_matrix_covers_the_family_pages():
    names = {str(r) for r in FAMILY_ROUTES}
    assert {"portal:interventions", "portal:intervention_family", "portal:referrals"} <= names


def test_without_consent_a_family_member_sees_none_of_the_clients_records(client, org, world):
    client.force_login(world["member"].portal_user)
    assert _assert_nothing_leaks(client, org, world) >= 3


def test_a_consent_for_someone_else_changes_nothing(client, org, world):
    with scope(organization=org.pk):
        ConsentFactory(client=world["client"])  # to an outside clinic
    client.force_login(world["member"].portal_user)
    _assert_nothing_leaks(client, org, world)


def test_a_family_consent_shares_nothing_beyond_the_consent_gate(client, org, world):
    with scope(organization=org.pk):
        ConsentFactory(
            client=world["client"],
            recipient_kind=RecipientKind.FAMILY_MEMBER,
            recipient_name="",
            recipient_family_member=world["member"],
            information_categories=[InformationCategory.ATTENDANCE],
            purposes=[Purpose.FAMILY_INVOLVEMENT],
        )
    client.force_login(world["member"].portal_user)
    _assert_nothing_leaks(client, org, world)


def test_client_only_pages_refuse_family_members(client, org, world):
    client.force_login(world["member"].portal_user)
    for name in ("my_care", "casemgmt_portal_plan", "casemgmt_portal_medications"):
        response = client.get(reverse(f"portal:{name}", kwargs={"org": org.slug}))
        assert response.status_code == 403, name
