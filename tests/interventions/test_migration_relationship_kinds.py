"""interventions.0004 restores the kind of relatives whose portal invitation linked them
to the client by their role alone ("Other relative" for a participant who said "Father"),
from the words their participant row kept; every other link is left as it is."""

from importlib import import_module

from django.apps import apps
from django_scopes import scope

from continuum.people.models import FamilyRelationship
from tests.interventions.factories import InterventionFactory, ParticipantFactory
from tests.people.factories import FamilyRelationshipFactory

migration = import_module("interventions.migrations.0005_restore_relationship_kinds")


def _invited(org, words, *, linked_as="other_relative", role="family", intervention=None):
    """A participant invited to the portal the old way: linked by role, words kept."""
    with scope(organization=org.pk):
        intervention = intervention or InterventionFactory(organization=org)
        participant = ParticipantFactory(
            intervention=intervention, relationship=words, role=role, user=None
        )
        from tests.people.factories import FamilyMemberFactory

        participant.family_member = FamilyMemberFactory(organization=org)
        participant.save(update_fields=["family_member"])
        return FamilyRelationshipFactory(
            client=intervention.client,
            family_member=participant.family_member,
            relationship=linked_as,
        )


def _kind(link) -> str:
    with scope(organization=link.organization_id):
        return FamilyRelationship.objects.get(pk=link.pk).relationship


def test_relatives_get_back_the_kind_their_words_name(org, other_org):
    father = _invited(org, "Father")
    sister = _invited(org, "my sister")
    stored = _invited(org, "sibling")
    label = _invited(org, "Adult child")
    in_law = _invited(org, "Mother-in-law")
    elsewhere = _invited(other_org, "Grandma")
    migration.restore_kinds(apps, None)
    assert _kind(father) == "parent"
    assert _kind(sister) == "sibling"
    assert _kind(stored) == "sibling"
    assert _kind(label) == "child"
    assert _kind(in_law) == "other_relative"
    # Each organization's rows are reached in its own scope.
    assert _kind(elsewhere) == "grandparent"


def test_a_friend_or_other_role_linked_by_role_is_restored_too(org):
    friend = _invited(org, "Brother", role="friend", linked_as="friend")
    other = _invited(org, "Wife", role="other", linked_as="other")
    migration.restore_kinds(apps, None)
    assert _kind(friend) == "sibling"
    assert _kind(other) == "spouse_partner"


def test_links_it_cannot_read_or_that_were_chosen_are_left_alone(org):
    unknown = _invited(org, "Godmother")
    empty = _invited(org, "")
    # Not the kind the role gave: someone chose it, whatever the words say.
    chosen = _invited(org, "Sister", linked_as="parent")
    # The same family member on two teams of the client, in words that disagree.
    with scope(organization=org.pk):
        first_team = InterventionFactory(organization=org)
    first = _invited(org, "Father", intervention=first_team)
    with scope(organization=org.pk):
        second_team = InterventionFactory(
            organization=org,
            request__client=first_team.client,
            request__episode=first_team.episode,
        )
        ParticipantFactory(
            intervention=second_team,
            family_member=first.family_member,
            relationship="Uncle",
            user=None,
        )
    migration.restore_kinds(apps, None)
    assert _kind(unknown) == "other_relative"
    assert _kind(empty) == "other_relative"
    assert _kind(chosen) == "parent"
    assert _kind(first) == "other_relative"


def test_running_it_again_changes_nothing(org):
    father = _invited(org, "Dad")
    migration.restore_kinds(apps, None)
    migration.restore_kinds(apps, None)
    assert _kind(father) == "parent"
