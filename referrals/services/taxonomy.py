"""Taxonomy mappings, and re-classifying the listings they change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from continuum.audit.services import audit_change

from .. import hsds, selectors, taxonomy
from ..models import (
    Kind,
    Listing,
    MappingField,
    Payment,
    Population,
    TaxonomyMapping,
)
from .listings import listing_refresh_search

MAPPING_VALUES = {
    MappingField.KIND: Kind,
    MappingField.PAYMENT: Payment,
    MappingField.POPULATION: Population,
}


@transaction.atomic
def taxonomy_mapping_add(
    *, actor, organization, term: str, field: str, value: str
) -> TaxonomyMapping:
    """The organization reads a taxonomy term (code or name) as a kind, payment or
    population; used by every later import and by re-classifying."""
    term = " ".join((term or "").split())[:120]
    errors = {}
    if not term:
        errors["term"] = "Give the term's code (RX-8450.1000) or its name (Detox)."
    if field not in MAPPING_VALUES:
        errors["field"] = "Choose one of: " + ", ".join(MappingField.values) + "."
    elif value not in MAPPING_VALUES[field].values:
        errors["value"] = f"For {field}, choose one of: " + ", ".join(MAPPING_VALUES[field].values)
    if errors:
        raise ValidationError(errors)
    mapping, created = TaxonomyMapping.objects.get_or_create(
        organization=organization,
        term_key=taxonomy.term_key(term),
        field=field,
        value=value,
        defaults={"term": term, "created_by": actor},
    )
    if created:
        audit_change(
            actor,
            organization,
            "taxonomy_mapping.created",
            mapping,
            detail={"term": term, "field": field, "value": value},
        )
    return mapping


@transaction.atomic
def taxonomy_mapping_delete(*, actor, mapping: TaxonomyMapping) -> None:
    audit_change(
        actor,
        mapping.organization,
        "taxonomy_mapping.deleted",
        mapping,
        detail={"term": mapping.term, "field": mapping.field, "value": mapping.value},
    )
    mapping.delete()


@transaction.atomic
def listing_reclassify(*, actor, organization, only_other: bool = True) -> dict:
    """Read the kind, payment and population of imported listings again from their HSDS
    records, with the shipped rules and the organization's mapping as they are now.

    Listings whose record states the directory's own kind keep it, and so do listings a
    person has saved or verified since (what staff set is not overwritten)."""
    rules = selectors.taxonomy_mapping_rules(organization=organization)
    qs = (
        Listing.objects.filter(organization=organization, last_verified_by__isnull=True)
        .exclude(hsds_raw={})
        .order_by("pk")
    )
    if only_other:
        qs = qs.filter(kind=Kind.OTHER)
    examined, changed, by_kind = 0, [], {}
    for listing in qs.iterator(chunk_size=500):
        examined += 1
        stated = hsds._attribute_values(listing.hsds_raw)
        found = taxonomy.classify(listing.hsds_raw, rules)
        fields = []
        if (
            "kind" not in stated
            and found["kind"] is not None
            and found["kind"].value != listing.kind
        ):
            listing.kind = found["kind"].value
            by_kind[listing.kind] = by_kind.get(listing.kind, 0) + 1
            fields.append("kind")
        for code, model_field in (("payment", "payment_options"), ("population", "populations")):
            current = list(getattr(listing, model_field))
            new = [h.value for h in found[code] if h.value not in current]
            if code not in stated and new:
                setattr(listing, model_field, current + new)
                fields.append(model_field)
        if fields:
            listing.updated_at = timezone.now()
            listing.save(update_fields=[*fields, "updated_at"])
            changed.append(listing.pk)
    if changed:
        listing_refresh_search(listing_ids=changed)
    result = {"examined": examined, "changed": len(changed), "by_kind": by_kind}
    audit_change(
        actor,
        organization,
        "directory.reclassified",
        None,
        detail={**result, "only_other": only_other},
    )
    return result
