"""Demo coaching content in the `demo` organization: an active engagement for the demo
client with a month of check-ins and contacts. Safe to run repeatedly."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from coaching import services
from coaching.models import CheckIn, Contact, Engagement, EngagementStatus
from continuum.people.models import Client
from continuum.people.services import client_create
from continuum.tenancy.models import Membership, Organization
from continuum.tenancy.scoping import organization_scope

DAYS = 30


class Command(BaseCommand):
    help = "Create the coaching demo: an active engagement with a month of history."

    @transaction.atomic
    def handle(self, *args, **options):
        if not Organization.objects.filter(slug="demo").exists():
            call_command("demo_setup")
        organization = Organization.objects.get(slug="demo")
        User = get_user_model()
        client_user = User.objects.get(email="client@demo.example.com")
        with organization_scope(organization):
            has_client = Client.objects.filter(portal_user=client_user).exists()
        if not has_client:
            call_command("demo_care")
        with organization_scope(organization):
            admin = Membership.objects.get(
                organization=organization, user__email="admin@demo.example.com"
            )
            coach = Membership.objects.get(
                organization=organization, user__email="coach@demo.example.com"
            )
            services.coach_profile_save(
                actor=admin.user,
                membership=coach,
                specialties=["executive", "alcohol"],
                languages=["en", "es"],
                lived_experience=True,
                bio="Twelve years in recovery; works with professionals returning to work.",
                phone="+1 555 0142",
                capacity=8,
                availability="Weekdays and evenings; weekends by arrangement",
            )
            # The care demo links the demo client login to its client record; should it
            # not, the coaching demo stands on a client of its own.
            client = Client.objects.filter(portal_user=client_user).first()
            if client is None:
                client = Client.objects.filter(first_name="Cameron", last_name="Client").first()
            if client is None:
                client = client_create(
                    actor=admin.user,
                    membership=admin,
                    first_name="Cameron",
                    last_name="Client",
                    primary_substances=["alcohol"],
                )
            if Engagement.objects.filter(client=client).exists():
                self.stdout.write("Coaching demo already present.")
                return
            self._build(organization, admin, coach, client)
        self.stdout.write(self.style.SUCCESS("Coaching demo is ready."))

    def _build(self, organization, admin, coach, client):
        rng = random.Random(7)  # noqa: S311 - demo data, not security
        tz = services.local_now(organization).tzinfo
        today = services.local_now(organization).date()
        start = today - timedelta(days=DAYS)
        start_at = datetime.combine(start, time(10, 0), tzinfo=tz)
        engagement = services.engagement_propose(
            actor=coach.user,
            client=client,
            coach=coach,
            intensity="several_weekly",
            starts_on=start,
            planned_end_on=start + timedelta(days=90),
            goals="Steady return to work; two meetings a week; rebuild trust at home.",
        )
        engagement = services.engagement_set_status(
            actor=coach.user, engagement=engagement, status=EngagementStatus.ACTIVE
        )
        # Demo history: the engagement began a month ago.
        Engagement.objects.filter(pk=engagement.pk).update(activated_at=start_at)
        engagement.activated_at = start_at
        services.plan_save(
            actor=coach.user,
            engagement=engagement,
            triggers=["Work stress", "Friday drinks", "Arguments at home", "Loneliness"],
            warning_signs="Skipping meetings; staying late at the office; short sleep.",
            coping_strategies="Call the coach; walk; HALT check; play the tape forward.",
            people_to_call="Coach Carmen +1 555 0142; sponsor Dave +1 555 0177",
            reasons_for_recovery="My kids. My health. Being trusted again.",
        )
        for offset in range(1, DAYS + 1):
            day = start + timedelta(days=offset)
            if offset % 9 == 0:
                continue  # a few missed days make the adherence real
            moment = datetime.combine(day, time(20, 15), tzinfo=tz)
            craving = max(0, min(10, round(6 - offset / 6 + rng.uniform(-1.5, 1.5))))
            if not CheckIn.objects.filter(engagement=engagement, day=day).exists():
                services.checkin_record(
                    actor=client.portal_user,
                    engagement=engagement,
                    sober=True,
                    craving=craving,
                    mood=min(5, 2 + offset // 8),
                    sleep=rng.choice(["fair", "good", "good"]),
                    triggers=rng.sample(
                        ["Work stress", "Friday drinks", "Loneliness"], k=offset % 2
                    ),
                    meeting_attended=offset % 3 == 0,
                    now=moment,
                )
            if offset % 3 == 1:
                kind = rng.choice(["phone", "video", "in_person", "accompaniment"])
                services.contact_log(
                    actor=coach.user,
                    engagement=engagement,
                    kind=kind,
                    accompaniment="meeting" if kind == "accompaniment" else "",
                    started_at=datetime.combine(day, time(12, 0), tzinfo=tz),
                    duration_minutes=rng.choice([20, 30, 45, 90]),
                    summary="Reviewed the week and the plan.",
                    risk_observed="low",
                    plan_follow_through=rng.choice(["yes", "yes", "partly"]),
                )
        services.meeting_record(
            actor=coach.user,
            engagement=engagement,
            fellowship="aa",
            attended_on=today - timedelta(days=2),
            verified=True,
        )
        services.high_risk_event_add(
            actor=coach.user,
            engagement=engagement,
            title="Company holiday party",
            starts_at=datetime.combine(today + timedelta(days=5), time(18, 0), tzinfo=tz),
            plan="Arrive with a drink in hand (seltzer), leave by 8 pm, call the coach on the way home.",
            extra_contacts=2,
        )
        self.stdout.write(
            f"  {Contact.objects.filter(engagement=engagement).count()} contacts, "
            f"{CheckIn.objects.filter(engagement=engagement).count()} check-ins"
        )
