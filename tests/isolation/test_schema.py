"""Schema rules that keep tenants apart and keep the schema ready to be distributed by
organization (Citus): every tenant table has a non-null organization, every unique rule
and every declared index leads with organization_id, and the default manager is scoped."""

import pytest
from django.apps import apps
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django_scopes import ScopeError

from continuum.tenancy.models import Organization


def _tenant_models():
    found = []
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "organization"), None)
        if isinstance(field, models.ForeignKey) and field.related_model is Organization:
            found.append(model)
    return found


TENANT_MODELS = _tenant_models()
# The audit trail also records events outside any organization (failed logins).
NULLABLE_ORGANIZATION = {"audit.auditevent"}


def test_there_are_tenant_models():
    assert len(TENANT_MODELS) >= 3


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label_lower)
def test_organization_is_required(model):
    if model._meta.label_lower in NULLABLE_ORGANIZATION:
        return
    assert not model._meta.get_field("organization").null


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label_lower)
def test_unique_rules_and_indexes_lead_with_organization(model):
    label = model._meta.label_lower
    for field in model._meta.fields:
        assert not (field.unique and not field.primary_key), (
            f"{label}.{field.name} is unique across tenants"
        )
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            assert constraint.fields[0] == "organization", (
                f"{label}: {constraint.name} must lead with organization"
            )
    for index in model._meta.indexes:
        if isinstance(index, GinIndex):
            continue  # inverted (full-text, array) indexes; the organization filter is a B-tree's job
        first = index.fields[0] if index.fields else None
        assert first == "organization", f"{label}: index {index.name} must lead with organization"
    for together in model._meta.unique_together:
        assert together[0] == "organization", (
            f"{label}: unique_together must lead with organization"
        )


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label_lower)
def test_default_manager_refuses_unscoped_queries(db, model):
    with pytest.raises(ScopeError):
        list(model._default_manager.all())
