"""Realistic directory listings for the `demo` organization. Safe to run again: listings
are keyed by a fixed HSDS id and updated in place."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from continuum.tenancy.commands import organization_named
from continuum.tenancy.scoping import organization_scope
from referrals.geo import zip_lookup
from referrals.models import Listing, ListingLocation
from referrals.services import listing_refresh_search

LISTINGS = [
    (
        "demo-mia-coach",
        "South Beach Recovery Coaching",
        "sober_coach",
        "33139",
        {
            "credentials": ["CPRS"],
            "specialties": ["executive coaching", "young adults"],
            "languages": ["en", "es"],
            "payment_options": ["self_pay", "sliding_scale"],
            "telehealth": True,
            "service_area_kind": "radius",
            "service_radius_miles": 40,
            "description": "Sober companions and recovery coaching in Miami-Dade.",
        },
    ),
    (
        "demo-mia-iop",
        "Biscayne Intensive Outpatient",
        "iop_php",
        "33132",
        {
            "levels_of_care": ["2.1", "2.5"],
            "payment_options": ["medicaid", "private_insurance"],
            "insurers": ["Aetna", "Cigna"],
            "languages": ["en", "es", "ht"],
            "populations": ["adults"],
            "description": "Day and evening IOP/PHP with medication for addiction treatment on site.",
        },
    ),
    (
        "demo-fl-cm",
        "Sunshine State Case Management",
        "case_manager",
        "32801",
        {
            "service_area_kind": "statewide",
            "service_state": "FL",
            "telehealth": True,
            "payment_options": ["medicaid"],
            "description": "Aftercare case management across Florida, in person and by video.",
        },
    ),
    (
        "demo-bos-interv",
        "Back Bay Family Interventions",
        "interventionist",
        "02115",
        {
            "credentials": ["CIP", "LADC I"],
            "specialties": ["family systems", "executive coaching"],
            "payment_options": ["self_pay"],
            "description": "Certified interventionists for families in New England.",
        },
    ),
    (
        "demo-bos-detox",
        "Fenway Medical Detox",
        "detox",
        "02215",
        {
            "levels_of_care": ["3.7", "4"],
            "payment_options": ["medicaid", "medicare", "private_insurance"],
            "description": "Medically managed withdrawal, 24/7 admissions.",
        },
    ),
    (
        "demo-aus-sl",
        "Congress Avenue Sober Living",
        "sober_living",
        "78701",
        {
            "populations": ["men", "young_adults"],
            "payment_options": ["self_pay"],
            "description": "Structured recovery residences near downtown Austin.",
        },
    ),
    (
        "demo-aus-mat",
        "Lady Bird MAT Clinic",
        "mat",
        "78704",
        {
            "payment_options": ["medicaid", "sliding_scale"],
            "languages": ["en", "es"],
            "description": "Buprenorphine and naltrexone, same-week starts.",
        },
    ),
    (
        "demo-den-res",
        "Front Range Residential",
        "residential",
        "80202",
        {
            "levels_of_care": ["3.5"],
            "populations": ["adults", "veterans"],
            "payment_options": ["private_insurance"],
            "description": "30- to 90-day residential treatment for substance use and co-occurring disorders.",
        },
    ),
    (
        "demo-den-fam",
        "Mile High Family Support Group",
        "family_support",
        "80203",
        {
            "payment_options": ["free"],
            "populations": ["families"],
            "description": "Weekly meetings for families.",
        },
    ),
    (
        "demo-nyc-psy",
        "Dr. Maya Chen, Addiction Psychiatry",
        "psychiatrist",
        "10001",
        {
            "credentials": ["MD", "ABPN (Addiction Psychiatry)"],
            "specialties": ["co-occurring disorders"],
            "payment_options": ["private_insurance", "self_pay"],
            "telehealth": True,
            "service_area_kind": "telehealth_only",
            "service_state": "NY",
            "description": "Medication management and dual-diagnosis care by video across New York.",
        },
    ),
    (
        "demo-nyc-peer",
        "Chelsea Peer Recovery Meeting",
        "peer_support",
        "10011",
        {
            "payment_options": ["free"],
            "description": "Open peer-support meeting, Tuesdays and Thursdays.",
        },
    ),
    # Near the demo's clients (Cambridge, Massachusetts): what their case manager refers to.
    (
        "demo-bos-psy",
        "Charles River Addiction Psychiatry",
        "psychiatrist",
        "02139",
        {
            "credentials": ["MD", "ABPN (Addiction Psychiatry)"],
            "specialties": ["co-occurring disorders", "anxiety"],
            "payment_options": ["private_insurance", "medicaid"],
            "insurers": ["Blue Cross", "Aetna"],
            "telehealth": True,
            "service_area_kind": "statewide",
            "service_state": "MA",
            "description": "Medication management and dual-diagnosis care, in Cambridge or by video.",
        },
    ),
    (
        "demo-bos-peer",
        "Cambridge Peer Recovery Center",
        "peer_support",
        "02139",
        {
            "payment_options": ["free"],
            "languages": ["en", "es", "pt"],
            "description": "Recovery coaching, all-recovery meetings and a drop-in space, six days a week.",
        },
    ),
    (
        "demo-bos-sl",
        "Somerville Recovery Residence",
        "sober_living",
        "02143",
        {
            "payment_options": ["self_pay", "sliding_scale"],
            "populations": ["adults"],
            "description": "A twelve-bed certified recovery residence, five minutes from the Red Line.",
        },
    ),
]


class Command(BaseCommand):
    help = "Load demo directory listings into the demo organization (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--org", default="demo")

    @transaction.atomic
    def handle(self, *args, **options):
        organization = organization_named(
            options["org"], missing=f"No organization {options['org']!r}; run demo_setup first."
        )
        now = timezone.now()
        with organization_scope(organization):
            ids = []
            for hsds_id, name, kind, zip_code, extra in LISTINGS:
                point = zip_lookup(zip_code)
                listing, _ = Listing.objects.update_or_create(
                    organization=organization,
                    hsds_id=hsds_id,
                    defaults={
                        "name": name,
                        "kind": kind,
                        "email": f"{hsds_id}@providers.example.com",
                        "phone": "(555) 010-0100",
                        "last_verified_at": now,
                        **extra,
                    },
                )
                ListingLocation.objects.update_or_create(
                    organization=organization,
                    listing=listing,
                    hsds_id=f"{hsds_id}-main",
                    defaults={
                        "postal_code": zip_code,
                        "city": point.city,
                        "state": point.state,
                        "latitude": point.latitude,
                        "longitude": point.longitude,
                    },
                )
                ids.append(listing.pk)
            listing_refresh_search(listing_ids=ids)
        self.stdout.write(f"{len(ids)} demo listings ready in {organization.slug}.")
