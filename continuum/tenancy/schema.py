"""How tenant tables declare their keys: every index and unique constraint leads with
organization_id, so a query scoped to one organization can use it, and the public id is
unique per organization."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def tenant_unique(*fields: str, name: str, **options) -> models.UniqueConstraint:
    """Unique within one organization: the index leads with organization_id."""
    return models.UniqueConstraint(fields=["organization", *fields], name=name, **options)


def tenant_index(*fields: str, name: str, **options) -> models.Index:
    """An index that leads with organization_id, so every scoped query can use it."""
    return models.Index(fields=["organization", *fields], name=name, **options)


def user_ref(*, null: bool = False, on_delete=models.PROTECT, **kwargs) -> models.ForeignKey:
    """Who did something: a user is never followed back to the rows naming them, and an
    optional one may be left empty in forms."""
    kwargs.setdefault("blank", null)
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=null, on_delete=on_delete, related_name="+", **kwargs
    )


def portal_user_ref(*, related_name: str) -> models.ForeignKey:
    """The sign-in of a person on record (client, family member) once they use the
    portal. Deleting the account keeps the record and unlinks it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


def bounded(low: int, high: int, field=models.PositiveSmallIntegerField, **kwargs) -> models.Field:
    """A number kept from `low` to `high` (both allowed): forms and the API refuse what
    lies outside, naming the bound."""
    validators = [MinValueValidator(low), MaxValueValidator(high)]
    return field(validators=validators, **kwargs)


ORG_PUBLIC_ID = tenant_unique("public_id", name="%(app_label)s_%(class)s_org_public_id")


def tenant_constraints(*constraints: models.BaseConstraint) -> list[models.BaseConstraint]:
    """A tenant table's constraints: the per-organization public id, then its own."""
    return [ORG_PUBLIC_ID, *constraints]
