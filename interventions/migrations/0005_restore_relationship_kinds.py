"""Relatives invited to the family portal before participants' own relationships were
read were linked to the client by their role alone: a family participant who had said
"Father" or "Sister" became an "Other relative" on the client record (a friend a
"Friend", anyone else "Other"). Their participant row kept the words, so the kind is
restored from them where the words name one kind; a link whose words name no kind, whose
participants disagree, or whose kind is not the one the role alone gave, is left as it is.

The word table is a copy of `interventions.models.RELATIONSHIP_WORDS` as it was when this
migration was written: a migration must mean the same thing whenever it runs."""

from django.db import migrations
from django_scopes import scope

# The kinds the role alone gave (the former `ROLE_TO_RELATIONSHIP`, `other` otherwise).
ROLE_FALLBACK = {"family": "other_relative", "friend": "friend", "employer": "employer"}

LABELS = {
    "parent": "parent",
    "spouse or partner": "spouse_partner",
    "sibling": "sibling",
    "adult child": "child",
    "grandparent": "grandparent",
    "other relative": "other_relative",
    "friend": "friend",
    "employer or colleague": "employer",
    "other": "other",
}
WORDS = {
    "parent": (
        "parent", "father", "mother", "dad", "mom", "mum", "stepfather", "stepmother",
        "stepdad", "stepmom", "step-father", "step-mother",
    ),
    "spouse_partner": (
        "spouse", "partner", "husband", "wife", "boyfriend", "girlfriend", "fiance", "fiancé",
        "fiancee", "fiancée",
    ),
    "sibling": (
        "sibling", "brother", "sister", "half-brother", "half-sister", "stepbrother",
        "stepsister",
    ),
    "child": ("child", "son", "daughter", "adult child", "stepson", "stepdaughter"),
    "grandparent": ("grandparent", "grandfather", "grandmother", "grandpa", "grandma"),
    "other_relative": (
        "aunt", "uncle", "cousin", "niece", "nephew", "grandson", "granddaughter", "in-law",
        "other relative",
    ),
    "friend": ("friend", "best friend", "neighbor", "neighbour"),
    "employer": ("employer", "boss", "colleague", "coworker", "co-worker", "manager"),
}  # fmt: skip
KIND_BY_WORD = {word: kind for kind, words in WORDS.items() for word in words}
KINDS = set(LABELS.values())


def kind_named_by(text: str) -> str | None:
    """The relationship kind the participant's words name, or None."""
    words = (text or "").strip().lower()
    if words in KINDS:
        return words
    if words in LABELS:
        return LABELS[words]
    words = words.removeprefix("my ")
    if words.endswith(("-in-law", " in law")):
        return "other_relative"
    return KIND_BY_WORD.get(words)


def restore_kinds(apps, schema_editor):
    Organization = apps.get_model("tenancy", "Organization")
    FamilyRelationship = apps.get_model("people", "FamilyRelationship")
    Participant = apps.get_model("interventions", "Participant")
    for organization_id in Organization.objects.values_list("pk", flat=True):
        # Row-level security shows each organization's rows inside its own scope only.
        with scope(organization=organization_id):
            participants = Participant.objects.filter(
                organization_id=organization_id, family_member__isnull=False
            ).values_list("family_member_id", "intervention__client_id", "role", "relationship")
            found: dict[tuple[int, int], set] = {}
            for family_member_id, client_id, role, words in participants:
                kind = kind_named_by(words)
                fallback = ROLE_FALLBACK.get(role, "other")
                found.setdefault((family_member_id, client_id), set()).add(
                    (fallback, kind or fallback)
                )
            links = FamilyRelationship.objects.filter(
                organization_id=organization_id,
                relationship__in=set(ROLE_FALLBACK.values()) | {"other"},
            )
            for link in links:
                told = found.get((link.family_member_id, link.client_id), set())
                # Only a kind the role alone gave, and one kind named by every participant.
                if not told or any(fallback != link.relationship for fallback, _ in told):
                    continue
                kinds = {kind for _, kind in told}
                if len(kinds) != 1:
                    continue
                (kind,) = kinds
                if kind != link.relationship:
                    link.relationship = kind
                    link.save(update_fields=["relationship"])


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0004_outcome_disclosure_facts"),
        ("people", "0002_break_glass"),
    ]

    operations = [migrations.RunPython(restore_kinds, migrations.RunPython.noop)]
