from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.scoping import organization_scope

DEMO_PASSWORD = "recovery-demo-2026"

DEMO_USERS = [
    ("admin@demo.example.com", "Avery Admin", [Role.ORG_ADMIN], "Clinical director"),
    ("intake@demo.example.com", "Imani Intake", [Role.INTAKE_COORDINATOR], "Intake coordinator"),
    (
        "interventionist@demo.example.com",
        "Ivan Interventionist",
        [Role.INTERVENTIONIST],
        "Certified interventionist",
    ),
    ("coach@demo.example.com", "Carmen Coach", [Role.SOBER_COACH], "Executive sober coach"),
    ("casemanager@demo.example.com", "Casey Manager", [Role.CASE_MANAGER], "Case manager"),
    ("family@demo.example.com", "Fran Family", [Role.FAMILY_MEMBER], ""),
    ("client@demo.example.com", "Cameron Client", [Role.CLIENT], ""),
]


# Each service line fills the demo organization with its own realistic records, in this
# order: the directory first (programs referred to), then clients and their episodes.
DEMO_CONTENT_COMMANDS = [
    "demo_directory",
    "demo_care",
    "demo_interventions",
    "demo_coaching",
    "demo_casemanagement",
    "demo_outcomes",
    "demo_referrals",
]


class Command(BaseCommand):
    help = "Create or refresh the demo organization and one login per role. Safe to run repeatedly."

    def handle(self, *args, **options):
        organization = self._organization_and_logins()
        # Outside the transaction above: each command commits its own work, so the
        # handoffs and tasks it triggers see committed rows.
        for name in DEMO_CONTENT_COMMANDS:
            call_command(name, stdout=self.stdout, stderr=self.stderr)
        self._run_pending_handoffs(organization)
        self.stdout.write(self.style.SUCCESS(f"Demo organization '{organization.slug}' is ready."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, roles, _title in DEMO_USERS:
            self.stdout.write(f"  {email:<36} {', '.join(Role(r).label for r in roles)}")

    def _run_pending_handoffs(self, organization: Organization) -> None:
        """Do now what the worker would do shortly, so the demo is complete when the URL
        is printed. Each run is exactly-once: the worker finding them later is a no-op."""
        from continuum.care.models import HandoffRun, HandoffStatus
        from continuum.care.services import handoff_execute

        with organization_scope(organization):
            pending = HandoffRun.objects.filter(status=HandoffStatus.PENDING)
            for run_id in pending.values_list("pk", flat=True):
                handoff_execute(run_id=run_id)

    @transaction.atomic
    def _organization_and_logins(self) -> Organization:
        organization, _ = Organization.objects.update_or_create(
            slug="demo",
            defaults={
                "name": "Harbor Light Recovery (demo)",
                # Off so the demo logins reach the dashboard at once; new organizations default to on.
                "staff_mfa_required": False,
                "contact_phone": "+1 555 0100",
                "contact_email": "help@demo.example.com",
            },
        )
        User = get_user_model()
        with organization_scope(organization):
            for email, name, roles, title in DEMO_USERS:
                user, created = User.objects.get_or_create(
                    email=email, defaults={"full_name": name}
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
                Membership.objects.update_or_create(
                    organization=organization,
                    user=user,
                    defaults={"roles": list(roles), "title": title, "is_active": True},
                )
        return organization
