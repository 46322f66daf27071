from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max

from continuum.notifications.models import Notification
from continuum.tenancy.commands import Cast, deliver_story_notifications
from continuum.tenancy.models import Membership, Organization, Role
from continuum.tenancy.scoping import organization_scope

DEMO_PASSWORD = "recovery-demo-2026"

# (e-mail, name, roles, title, who they are in the demo's story)
DEMO_USERS = [
    (
        "admin@demo.example.com",
        "Avery Admin",
        [Role.ORG_ADMIN],
        "Clinical director",
        "sees every client; team, settings, audit trail",
    ),
    (
        "intake@demo.example.com",
        "Imani Intake",
        [Role.INTAKE_COORDINATOR],
        "Intake coordinator",
        "an urgent request from this morning waits for triage",
    ),
    (
        "interventionist@demo.example.com",
        "Ivan Interventionist",
        [Role.INTERVENTIONIST],
        "Certified interventionist",
        "Jordan Ellis's intervention in six days: two letters to review",
    ),
    (
        "coach@demo.example.com",
        "Carmen Coach",
        [Role.SOBER_COACH],
        "Executive sober coach",
        "Cameron doing well; Danny's craving alert open since this morning",
    ),
    (
        "casemanager@demo.example.com",
        "Casey Manager",
        [Role.CASE_MANAGER],
        "Case manager",
        "Danny's missed visit to reschedule, a late refill, gaps in care",
    ),
    (
        "family@demo.example.com",
        "Fran Family",
        [Role.FAMILY_MEMBER],
        "",
        "Jordan's mother, mid-intervention; Cameron's mother too",
    ),
    (
        "client@demo.example.com",
        "Cameron Client",
        [Role.CLIENT],
        "",
        "six weeks out of residential, check-ins and PHQ-9 improving",
    ),
    (
        "alumni@demo.example.com",
        "Alex Alumni",
        [Role.CLIENT],
        "",
        "an alumnus: a year sober in ten days, an alumni evening next week",
    ),
]


# Each part of the platform fills the demo organization with its own part of the story,
# in this order: the directory first (listings referred to), the clients and their
# episodes, the intervention families, then what each line did for the clients, and the
# conversations last (they need the care teams the lines formed).
DEMO_CONTENT_COMMANDS = [
    "demo_directory",
    "demo_care",
    "demo_interventions",
    # The alumnus's journey before the lines, so coaching tells his past engagement too.
    "demo_alumni",
    "demo_coaching",
    "demo_casemanagement",
    "demo_outcomes",
    "demo_referrals",
    "demo_messages",
]


class Command(BaseCommand):
    help = "Create or refresh the demo organization and one login per role. Safe to run repeatedly."

    def handle(self, *args, **options):
        organization = self._organization_and_logins()
        if self._earlier_story(organization):
            self.stdout.write(
                self.style.WARNING(
                    "The demo organization holds the story of an earlier version of the "
                    "demo, so it is left as it is. For the current story start from an "
                    "empty database: stop make run, then `make clean-data` (the embedded "
                    "database) or drop and re-create the database DATABASE_URL names."
                )
            )
        else:
            self._story(organization)
            self.stdout.write(
                self.style.SUCCESS(f"Demo organization '{organization.slug}' is ready.")
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, roles, _title, story in DEMO_USERS:
            label = ", ".join(str(Role(r).label) for r in roles)
            self.stdout.write(f"  {email:<34} {label:<20} {story}")

    def _story(self, organization: Organization) -> None:
        with organization_scope(organization):
            last_notification = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        # Outside the transaction of the logins: each command commits its own work, so
        # the handoffs and tasks it triggers see committed rows.
        for name in DEMO_CONTENT_COMMANDS:
            call_command(name, stdout=self.stdout, stderr=self.stderr)
        self._run_pending_handoffs(organization)
        with organization_scope(organization):
            delivered = deliver_story_notifications(
                Cast.of(organization), after_id=last_notification
            )
        if delivered:
            self.stdout.write(f"{delivered} notifications of the story delivered on their days.")

    def _earlier_story(self, organization: Organization) -> bool:
        """Loaded by an earlier demo: the client login's record without the discharge to
        aftercare this story gives it. Its characters would be half rebuilt on top of
        another story, so nothing is added to it."""
        from continuum.care.models import Phase, PhaseTransition
        from continuum.people.models import Client

        with organization_scope(organization):
            cameron = Client.objects.filter(email="client@demo.example.com").first()
            discharged = PhaseTransition.objects.filter(
                episode__client=cameron, to_phase=Phase.AFTERCARE
            )
            return cameron is not None and not discharged.exists()

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
            for email, name, roles, title, _story in DEMO_USERS:
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
