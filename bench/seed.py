"""Seed a treatment-network-sized data set for the benchmark, with bulk inserts.

    DATABASE_URL=postgres://.../continuum_bench .venv/bin/python bench/seed.py --scale 0.1

The largest organization (`bench-main`) always gets the full 20,000 clients and 200
staff, so list pages page through the real row count; the high-volume tables (check-ins,
appointments, notifications) are multiplied by `--scale` (1.0 = 2 million check-ins,
500,000 appointments, 1 million notifications). Nineteen smaller organizations get a
twentieth of the clients each. Everything is written with bulk_create in large batches,
then analyzed. `--organizations N` then adds small organizations until there are N
(`seed_organizations`; bench/run.py does the same for its many-organizations figure).
Not part of the test suite."""

import argparse
import random
import sys
import time
from datetime import timedelta

from _django import reminder_row, setup

BATCH = 10_000
ORG = "bench-main"
FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn"]
LAST = ["Nguyen", "Smith", "Garcia", "Johnson", "Brown", "Lopez", "Kim", "Patel", "Davis", "Cruz"]
PHASES = ["inquiry", "pre_treatment", "residential", "aftercare", "alumni", "closed"]
PHASE_WEIGHTS = [10, 8, 12, 35, 25, 10]


def _log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _bulk(model, rows, label: str) -> list:
    started = time.perf_counter()
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)
    _log(f"{len(rows):>9,} {label} in {time.perf_counter() - started:.1f} s")
    return created


def _org(slug: str, name: str):
    from continuum.tenancy.models import Organization

    organization, _ = Organization.objects.get_or_create(
        slug=slug, defaults={"name": name, "staff_mfa_required": False}
    )
    return organization


def _staff(organization, count: int, rng: random.Random) -> dict:
    from continuum.accounts.models import User
    from continuum.tenancy.models import Membership, Role

    roles = [Role.SOBER_COACH, Role.CASE_MANAGER, Role.INTERVENTIONIST, Role.INTAKE_COORDINATOR]
    users = [
        User(email=f"staff{n}@{organization.slug}.bench", full_name=f"Staff {n}", password="!")
        for n in range(count)
    ]
    users = _bulk(User, users, "staff users")
    memberships = [
        Membership(
            organization=organization,
            user=user,
            roles=[Role.ORG_ADMIN] if n == 0 else [roles[n % len(roles)]],
            title="Staff",
        )
        for n, user in enumerate(users)
    ]
    memberships = _bulk(Membership, memberships, "memberships")
    return {
        "admin": memberships[0],
        "coaches": [m for m in memberships if Role.SOBER_COACH in m.roles],
        "case_managers": [m for m in memberships if Role.CASE_MANAGER in m.roles],
        "all": memberships,
    }


def _clients(organization, count: int, rng: random.Random) -> list:
    from continuum.people.models import Client

    rows = [
        Client(
            organization=organization,
            first_name=rng.choice(FIRST),
            last_name=f"{rng.choice(LAST)}{n}",
            zip_code=f"{rng.randint(10000, 99999)}",
            primary_substances=rng.sample(["alcohol", "opioids", "stimulants", "cannabis"], 2),
        )
        for n in range(count)
    ]
    return _bulk(Client, rows, f"clients in {organization.slug}")


def _episodes(organization, clients, rng: random.Random, now) -> list:
    """One episode per client, in a random phase; `organization` None takes each
    client's own."""
    from continuum.care.models import CareEpisode

    rows = []
    for client in clients:
        phase = rng.choices(PHASES, PHASE_WEIGHTS)[0]
        opened = now - timedelta(days=rng.randint(10, 700))
        rows.append(
            CareEpisode(
                organization=organization or client.organization,
                client=client,
                phase=phase,
                opened_at=opened,
                phase_changed_at=opened + timedelta(days=5),
                closed_at=now if phase == "closed" else None,
            )
        )
    return _bulk(CareEpisode, rows, "episodes")


def seed(*, scale: float, seed_value: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from casemanagement.models import Appointment
    from coaching.models import CheckIn, CoachProfile, Engagement
    from continuum.accounts.services import api_token_create
    from continuum.notifications.models import Notification
    from continuum.people.models import CareTeamMember
    from continuum.tenancy.scoping import across_organizations

    rng = random.Random(seed_value)  # noqa: S311 - reproducible benchmark data, not secrets
    now = timezone.now()
    today = timezone.localdate()
    started = time.perf_counter()
    with across_organizations("benchmark seeding"), transaction.atomic():
        for n in range(1, 20):
            organization = _org(f"bench-org-{n}", f"Benchmark network member {n}")
            _episodes(organization, _clients(organization, 1000, rng), rng, now)
        organization = _org(ORG, "Benchmark treatment network")
        staff = _staff(organization, 200, rng)
        clients = _clients(organization, 20_000, rng)
        episodes = _episodes(organization, clients, rng, now)
        # One coach (the dashboard's viewer) carries a realistic caseload of 40.
        coach = staff["coaches"][0]
        _bulk(
            CoachProfile,
            [CoachProfile(organization=organization, membership=m) for m in staff["coaches"]],
            "coach profiles",
        )
        team = []
        for n, client in enumerate(clients):
            owner = coach if n < 40 else staff["coaches"][n % len(staff["coaches"])]
            team.append(
                CareTeamMember(
                    organization=organization,
                    client=client,
                    membership=owner,
                    role="sober_coach",
                    started_on=today - timedelta(days=30),
                )
            )
        _bulk(CareTeamMember, team, "care-team rows")
        engaged = [
            (client, episode)
            for client, episode in zip(clients, episodes, strict=True)
            if episode.phase in ("aftercare", "alumni")
        ]
        engagements = _bulk(
            Engagement,
            [
                Engagement(
                    organization=organization,
                    client=client,
                    episode=episode,
                    coach=coach if n < 40 else staff["coaches"][n % len(staff["coaches"])],
                    status="active",
                    starts_on=today - timedelta(days=400),
                    activated_at=now - timedelta(days=400),
                )
                for n, (client, episode) in enumerate(engaged)
            ],
            "engagements",
        )
        checkins_total = int(2_000_000 * scale)
        days = max(1, -(-checkins_total // len(engagements)))
        checkins = [
            CheckIn(
                organization=organization,
                engagement=engagement,
                day=today - timedelta(days=d),
                sober=rng.random() > 0.05,
                craving=rng.randint(0, 10),
                mood=rng.randint(1, 5),
                sleep=rng.choice(["poor", "fair", "good"]),
            )
            for engagement in engagements
            for d in range(days)
        ][:checkins_total]
        _bulk(CheckIn, checkins, "check-ins")
        del checkins
        appointments_total = int(500_000 * scale)
        _bulk(
            Appointment,
            [
                Appointment(
                    organization=organization,
                    client=clients[n % len(clients)],
                    visit_type="outpatient",
                    starts_at=(start := now + timedelta(hours=rng.randint(-8000, 2000))),
                    ends_at=start + timedelta(minutes=50),
                    status="completed" if n % 3 else "scheduled",
                )
                for n in range(appointments_total)
            ],
            "appointments",
        )
        notifications_total = int(1_000_000 * scale)
        users = [m.user_id for m in staff["all"]]
        _bulk(
            Notification,
            [
                reminder_row(
                    organization=organization,
                    recipient_id=users[n % len(users)],
                    body="Check-in due.",
                    dedup_key=f"bench-history-{n}",
                    due_at=(sent := now - timedelta(days=n % 365)),
                    status="sent",
                    sent_at=sent,
                    in_app_delivered_at=sent,
                )
                for n in range(notifications_total)
            ],
            "delivered notifications (history)",
        )
        _, token_key = api_token_create(actor=staff["admin"].user, second_factor=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _log(f"seeded in {time.perf_counter() - started:.1f} s")
    return {
        "org": ORG,
        "admin_user_id": staff["admin"].user_id,
        "coach_user_id": coach.user_id,
        "token": token_key,
        "scale": scale,
    }


SMALL = "bench-small-"


def seed_organizations(*, total: int, seed_value: int) -> int:
    """Top the database up to `total` organizations with small ones (`bench-small-<n>`):
    3 staff members, 5 clients with an episode, care-team rows and 3 directory listings
    with a location each, so that one organization's pages and searches can be measured
    beside many others. Returns how many were added; the existing ones are left alone."""
    import zipcodes
    from django.db import connection, transaction
    from django.utils import timezone

    from continuum.accounts.models import User
    from continuum.people.models import CareTeamMember, Client
    from continuum.tenancy.models import Membership, Organization, Role
    from continuum.tenancy.scoping import across_organizations
    from referrals.models import Listing, ListingLocation
    from referrals.services import listing_refresh_search

    missing = total - Organization.objects.count()
    if missing <= 0:
        return 0
    rng = random.Random(seed_value)  # noqa: S311 - reproducible benchmark data, not secrets
    places = [z for z in zipcodes.list_all() if z.get("lat") and z.get("long")]
    now = timezone.now()
    today = timezone.localdate()
    started = time.perf_counter()
    first = Organization.objects.filter(slug__startswith=SMALL).count()
    with across_organizations("benchmark seeding"), transaction.atomic():
        organizations = _bulk(
            Organization,
            [
                Organization(
                    slug=f"{SMALL}{n}", name=f"Small program {n}", staff_mfa_required=False
                )
                for n in range(first, first + missing)
            ],
            "small organizations",
        )
        users = _bulk(
            User,
            [
                User(email=f"staff{k}@{o.slug}.bench", full_name=f"Staff {k}", password="!")
                for o in organizations
                for k in range(3)
            ],
            "their staff users",
        )
        roles = [[Role.ORG_ADMIN], [Role.SOBER_COACH], [Role.CASE_MANAGER]]
        memberships = _bulk(
            Membership,
            [
                Membership(organization=o, user=users[3 * n + k], roles=roles[k], title="Staff")
                for n, o in enumerate(organizations)
                for k in range(3)
            ],
            "their memberships",
        )
        clients = _bulk(
            Client,
            [
                Client(
                    organization=o,
                    first_name=rng.choice(FIRST),
                    last_name=f"{rng.choice(LAST)}{k}",
                    zip_code=f"{rng.randint(10000, 99999)}",
                    primary_substances=["alcohol"],
                )
                for o in organizations
                for k in range(5)
            ],
            "their clients",
        )
        _episodes(None, clients, rng, now)
        _bulk(
            CareTeamMember,
            [
                CareTeamMember(
                    organization=client.organization,
                    client=client,
                    membership=memberships[3 * (n // 5) + 1],
                    role="sober_coach",
                    started_on=today - timedelta(days=30),
                )
                for n, client in enumerate(clients)
            ],
            "their care-team rows",
        )
        listings = _bulk(
            Listing,
            [
                Listing(
                    organization=o,
                    hsds_id=f"small-{o.slug}-{k}",
                    name=f"{o.name} listing {k}",
                    kind=rng.choice(["sober_coach", "therapist", "outpatient"]),
                    description="Recovery support.",
                    languages=["en"],
                    payment_options=["self_pay"],
                    service_area_kind="radius",
                    service_radius_miles=25,
                    status="active",
                    last_verified_at=now,
                    created_at=now,
                    updated_at=now,
                )
                for o in organizations
                for k in range(3)
            ],
            "their directory listings",
        )
        located = [(listing, rng.choice(places)) for listing in listings]
        _bulk(
            ListingLocation,
            [
                ListingLocation(
                    organization=listing.organization,
                    listing=listing,
                    hsds_id=f"{listing.hsds_id}-loc",
                    city=place["city"],
                    state=place["state"],
                    postal_code=place["zip_code"],
                    latitude=float(place["lat"]),
                    longitude=float(place["long"]),
                )
                for listing, place in located
            ],
            "their listing locations",
        )
        listing_refresh_search(listing_ids=[listing.pk for listing in listings])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _log(f"{missing} small organizations seeded in {time.perf_counter() - started:.1f} s")
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--organizations",
        type=int,
        default=0,
        help="then top the database up to this many organizations with small ones",
    )
    args = parser.parse_args()
    setup()
    print(seed(scale=args.scale, seed_value=args.seed))
    if args.organizations:
        seed_organizations(total=args.organizations, seed_value=args.seed)


if __name__ == "__main__":
    main()
