"""Demo content for follow-up after discharge: Danny Okafor (from demo_care, in aftercare)
has agreed to follow-up contact, recorded by his case manager, so his schedule from the
discharge date is on his follow-up page. Safe to run repeatedly."""

from django.core.management.base import BaseCommand, CommandError

from continuum.people.models import Client
from continuum.tenancy.commands import organization_named
from continuum.tenancy.models import Membership
from continuum.tenancy.scoping import organization_scope
from outcomes import services
from outcomes.models import AgreementSource

CLIENT_EMAIL = "danny.okafor@demo.example.com"
CASE_MANAGER_EMAIL = "casemanager@demo.example.com"


class Command(BaseCommand):
    help = "Record the demo aftercare client's agreement to follow-up contact. Idempotent."

    def handle(self, *args, **options):
        organization = organization_named(missing="Run demo_setup and demo_care first.")
        with organization_scope(organization):
            client = Client.objects.filter(email=CLIENT_EMAIL).first()
            manager = (
                Membership.objects.filter(organization=organization, user__email=CASE_MANAGER_EMAIL)
                .select_related("user")
                .first()
            )
            if client is None or manager is None:
                raise CommandError("Run demo_care first: the demo aftercare client is missing.")
            if services.has_agreed(client=client):
                self.stdout.write("Follow-up demo already in place.")
                return
            services.agreement_record(
                actor=manager.user, client=client, agreed=True, source=AgreementSource.STAFF
            )
        self.stdout.write(
            self.style.SUCCESS("Follow-up demo: Danny Okafor agreed to follow-up contact.")
        )
