from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from continuum.people.models import Client
from continuum.tenancy.commands import organization_named
from continuum.tenancy.scoping import organization_scope
from referrals.models import Listing, Referral
from referrals.services import referral_create


class Command(BaseCommand):
    help = "Refer the demo's aftercare client to a directory listing. Safe to run repeatedly."

    @transaction.atomic
    def handle(self, *args, **options):
        organization = organization_named()
        manager = get_user_model().objects.get(email="casemanager@demo.example.com")
        with organization_scope(organization):
            client = Client.objects.filter(email="danny.okafor@demo.example.com").first()
            listing = Listing.objects.filter(hsds_id="demo-nyc-psy").first()
            if client is None or listing is None:
                raise CommandError("Run demo_care and demo_directory first.")
            if not Referral.objects.filter(client=client, listing=listing).exists():
                # A draft without client information: sending it is the case manager's
                # step, once the client has signed a consent that covers this provider.
                referral_create(
                    actor=manager,
                    organization=organization,
                    client=client,
                    listing=listing,
                    note="Telehealth psychiatry for co-occurring anxiety after discharge.",
                    includes_client_information=False,
                    send=False,
                )
        self.stdout.write(self.style.SUCCESS("Demo referral is ready."))
