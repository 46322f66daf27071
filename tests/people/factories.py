from datetime import timedelta

import factory
from django.utils import timezone

from continuum.people.models import (
    CareTeamMember,
    Client,
    FamilyMember,
    FamilyRelationship,
    Relationship,
)
from tests.factories import OrganizationFactory, TenantFactory


class ClientFactory(TenantFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    zip_code = "02139"
    primary_substances = factory.LazyFunction(lambda: ["alcohol"])


class ClientRecordFactory(TenantFactory):
    """A row of one client's record, in the client's organization."""

    class Meta:
        abstract = True

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")


class FamilyMemberFactory(TenantFactory):
    """`related_to=client` also links the member to that client, as a parent."""

    class Meta:
        model = FamilyMember
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"family{n}@example.com")

    @factory.post_generation
    def related_to(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            FamilyRelationshipFactory(client=extracted, family_member=obj, **kwargs)


class FamilyRelationshipFactory(ClientRecordFactory):
    class Meta:
        model = FamilyRelationship

    family_member = factory.SubFactory(
        FamilyMemberFactory, organization=factory.SelfAttribute("..organization")
    )
    relationship = Relationship.PARENT


class CareTeamMemberFactory(ClientRecordFactory):
    """`membership` must be given: a member of the client's organization."""

    class Meta:
        model = CareTeamMember

    role = factory.LazyAttribute(lambda o: o.membership.roles[0])
    # Serving for a month already: a start on "today" would depend on whose today (the
    # test's UTC date runs ahead of the organization's evening).
    started_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
