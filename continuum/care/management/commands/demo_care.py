from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from continuum.care.models import CareEpisode, HandoffRun, HandoffStatus, Phase
from continuum.care.services import episode_open, episode_transition, handoff_execute
from continuum.people.models import CareTeamMember, Client, FamilyMember, FamilyRelationship
from continuum.people.services import (
    care_team_add,
    client_create,
    family_member_add,
    portal_account_link,
)
from continuum.tenancy.commands import members_by_email, organization_named
from continuum.tenancy.models import Role
from continuum.tenancy.scoping import organization_scope

# (client fields, care team [(staff e-mail, role)], family [(fields, relationship, primary)], path)
DEMO_CLIENTS = [
    (
        {
            "first_name": "Daniel",
            "last_name": "Okafor",
            "preferred_name": "Danny",
            "email": "danny.okafor@demo.example.com",
            "zip_code": "02139",
            "pronouns": "he/him",
            "primary_substances": ["alcohol", "benzodiazepines"],
            "co_occurring_conditions": ["anxiety"],
            "risk_flags": ["withdrawal seizure history"],
        },
        [
            ("casemanager@demo.example.com", Role.CASE_MANAGER),
            ("coach@demo.example.com", Role.SOBER_COACH),
            ("interventionist@demo.example.com", Role.INTERVENTIONIST),
        ],
        [
            (
                {
                    "first_name": "Grace",
                    "last_name": "Okafor",
                    "email": "grace.okafor@demo.example.com",
                },
                "parent",
                True,
            )
        ],
        [Phase.PRE_TREATMENT, Phase.RESIDENTIAL, Phase.AFTERCARE],
    ),
    (
        {
            "first_name": "Maya",
            "last_name": "Lindqvist",
            "email": "maya.lindqvist@demo.example.com",
            "zip_code": "02144",
            "pronouns": "she/her",
            "primary_substances": ["opioids"],
            "risk_flags": ["overdose history"],
        },
        [("interventionist@demo.example.com", Role.INTERVENTIONIST)],
        [
            (
                {
                    "first_name": "Erik",
                    "last_name": "Lindqvist",
                    "email": "erik.lindqvist@demo.example.com",
                },
                "spouse_partner",
                True,
            )
        ],
        [Phase.PRE_TREATMENT],
    ),
    (
        {
            "first_name": "Cameron",
            "last_name": "Client",
            "email": "client@demo.example.com",
            "zip_code": "02138",
            "primary_substances": ["cocaine"],
            "preferred_language": "es",
        },
        [("coach@demo.example.com", Role.SOBER_COACH)],
        [
            (
                {
                    "first_name": "Fran",
                    "last_name": "Family",
                    "email": "family@demo.example.com",
                    "preferred_language": "es",
                },
                "parent",
                True,
            )
        ],
        [],
    ),
    (
        {
            "first_name": "Rosa",
            "last_name": "Alvarez",
            "email": "rosa.alvarez@demo.example.com",
            "zip_code": "02115",
            "pronouns": "she/her",
            "primary_substances": ["alcohol"],
            "preferred_language": "es",
        },
        [("casemanager@demo.example.com", Role.CASE_MANAGER)],
        [],
        # The whole continuum, to long-term alumni follow-up.
        [Phase.PRE_TREATMENT, Phase.RESIDENTIAL, Phase.AFTERCARE, Phase.ALUMNI],
    ),
]


class Command(BaseCommand):
    help = "Add demo clients, families, care teams and episodes to the demo organization. Safe to run repeatedly."

    def handle(self, *args, **options):
        organization = organization_named()
        with organization_scope(organization):
            members = members_by_email(organization)
            admin = members["admin@demo.example.com"]
            for fields, team, family, path in DEMO_CLIENTS:
                with transaction.atomic():
                    client = self._client(admin, fields)
                    self._team(admin, client, members, team)
                    self._family(admin, client, family)
                    self._portal(admin, client, family)
                    self._episode(admin, client, path)
            # Run what the worker would, so the demo's tasks exist at once; each run is
            # exactly-once, so a worker picking up the same runs later changes nothing.
            for run_id in HandoffRun.objects.filter(status=HandoffStatus.PENDING).values_list(
                "pk", flat=True
            ):
                handoff_execute(run_id=run_id)
        self.stdout.write(self.style.SUCCESS(f"Demo clients are ready in '{organization.slug}'."))

    def _client(self, admin, fields) -> Client:
        existing = Client.objects.filter(email=fields["email"]).first()
        if existing is not None:
            return existing
        return client_create(actor=admin.user, membership=admin, **fields)

    def _team(self, admin, client, members, team) -> None:
        for email, role in team:
            membership = members.get(email)
            if (
                membership is None
                or CareTeamMember.objects.filter(client=client, membership=membership).exists()
            ):
                continue
            care_team_add(
                actor=admin.user,
                client=client,
                membership=membership,
                role=role,
                started_on=timezone.localdate() - timedelta(days=60),
            )

    def _family(self, admin, client, family) -> None:
        for fields, relationship, primary in family:
            known = FamilyMember.objects.filter(email=fields["email"]).first()
            if (
                known is not None
                and FamilyRelationship.objects.filter(client=client, family_member=known).exists()
            ):
                continue
            if known is not None:
                family_member_add(
                    actor=admin.user,
                    client=client,
                    relationship=relationship,
                    is_primary_contact=primary,
                    family_member=known,
                )
            else:
                family_member_add(
                    actor=admin.user,
                    client=client,
                    relationship=relationship,
                    is_primary_contact=primary,
                    **fields,
                )

    def _portal(self, admin, client, family) -> None:
        """The demo client and family logins see their own records in the portal."""
        User = get_user_model()
        user = User.objects.filter(email=client.email).first()
        if user is not None and client.portal_user_id is None:
            portal_account_link(actor=admin.user, record=client, user=user)
        for fields, _relationship, _primary in family:
            member = FamilyMember.objects.get(email=fields["email"])
            user = User.objects.filter(email=member.email).first()
            if user is not None and member.portal_user_id is None:
                portal_account_link(actor=admin.user, record=member, user=user)

    def _episode(self, admin, client, path) -> None:
        if CareEpisode.objects.filter(client=client).exists():
            return
        episode = episode_open(
            actor=admin.user, client=client, reason="Family called the intake line"
        )
        details = {
            Phase.RESIDENTIAL: {
                "residential_program": "Harbor Light residential program",
                "admission_date": timezone.localdate() - timedelta(days=35),
            },
            Phase.AFTERCARE: {
                "discharge_date": timezone.localdate() - timedelta(days=1),
                "discharge_type": "planned",
            },
        }
        for phase in path:
            episode_transition(
                actor=admin.user,
                episode=episode,
                to_phase=phase,
                reason=f"Moved to {Phase(phase).label}",
                **details.get(phase, {}),
            )
            episode.refresh_from_db()
