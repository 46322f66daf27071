import hashlib
import secrets
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_scopes import scope

from continuum.tenancy.models import Invitation, Membership, Organization, Role

PASSWORD = "a-long-test-password-1"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"org{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} Recovery")
    staff_mfa_required = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates the row inside its organization's scope: row-level security refuses
    inserts for any other organization, and for none."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        organization = kwargs["organization"]
        with scope(organization=getattr(organization, "pk", organization)):
            return super()._create(model_class, *args, **kwargs)


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: ["org_admin"])


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationFactory(TenantFactory):
    """An invitation to join as a case manager, open for a week. Pass the
    `token_hash=invitation_token_hash(token)` of a token the test keeps."""

    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee-{n}@example.com")
    roles = factory.LazyFunction(lambda: [Role.CASE_MANAGER])
    token_hash = factory.LazyFunction(lambda: invitation_token_hash(secrets.token_urlsafe(16)))
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def refresh(obj):
    """refresh_from_db inside the object's own organization scope: outside it, row-level
    security hides the row and the refresh would fail with DoesNotExist."""
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is None:
        obj.refresh_from_db()
    else:
        with scope(organization=organization_id):
            obj.refresh_from_db()
    return obj


def api_token(user, *, second_factor: bool = True) -> str:
    """A fresh API token's key for `user`, as the token endpoint hands it out (with the
    second factor, unless a test says otherwise)."""
    from continuum.accounts.services import api_token_create

    return api_token_create(actor=user, second_factor=second_factor)[1]
