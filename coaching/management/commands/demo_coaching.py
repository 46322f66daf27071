"""The demo's sober coaching, one function per client, dated relative to today:

| client | engagement | story |
|---|---|---|
| Cameron Client (client login) | active since discharge, six weeks | cravings fading, mood and sleep up, meetings kept |
| Danny Okafor | active, three weeks | a good start, then a hard week: cravings climbing, check-ins missed, today's craving at 8 an open alert |
| Rosa Alvarez | completed after six months | a steady aftercare, ended when she became an alumna |
| Alex Alumni (alumni login) | completed after eight months | weekly calls through aftercare, ended when he became an alumnus |

Aftercare's handoff proposed each engagement on the day of discharge; here Carmen takes
it on and the client's days follow, each through the coaching services on its day
(`StoryClock.back_to`). The check-ins come from a seeded random, so every run tells the
same story. An engagement already under way is left alone."""

import random
from datetime import time, timedelta

from coaching import services
from coaching.models import CoachProfile, Engagement, EngagementStatus
from continuum.care.models import CareEpisode
from continuum.people.models import Client
from continuum.tenancy.commands import Cast, StoryCommand

TRIGGERS = ["Work stress", "Friday drinks", "Arguments at home", "Loneliness"]


def _engagement(cast: Cast, email: str, *, on: int, **settings) -> Engagement | None:
    """The engagement aftercare proposed for this client, taken on by Carmen `on` days
    from today; None when the client is missing or the engagement is already under way."""
    client = Client.objects.filter(email=email).select_related("portal_user").first()
    if client is None:
        return None
    engagement = Engagement.objects.filter(client=client).order_by("-pk").first()
    if engagement is not None and engagement.status != EngagementStatus.PROPOSED:
        return None
    coach = cast.staff["coach"]
    with cast.clock.back_to(cast.clock.at(on, 10, 0)):
        if engagement is None:
            engagement = services.engagement_propose(
                actor=coach.user,
                client=client,
                coach=coach,
                episode=CareEpisode.objects.filter(client=client).order_by("-pk").first(),
                starts_on=cast.clock.day(on),
            )
        services.engagement_update(
            actor=coach.user,
            engagement=engagement,
            coach=coach,
            starts_on=cast.clock.day(on),
            planned_end_on=cast.clock.day(on + 180),
            **settings,
        )
        engagement = services.engagement_set_status(
            actor=coach.user, engagement=engagement, status=EngagementStatus.ACTIVE
        )
    with cast.clock.back_to(cast.clock.at(on, 11, 30)):
        services.plan_save(
            actor=coach.user,
            engagement=engagement,
            triggers=TRIGGERS,
            warning_signs="Skipping meetings; staying late at the office; short sleep.",
            coping_strategies="Call the coach; walk; HALT check; play the tape forward.",
            people_to_call="Coach Carmen +1 555 0142; sponsor +1 555 0177",
            reasons_for_recovery="My family. My health. Being trusted again.",
        )
    return Engagement.objects.select_related("client__portal_user").get(pk=engagement.pk)


def _checkin(cast: Cast, engagement: Engagement, on: int, *, at=None, **answers) -> None:
    """The client's own check-in in the portal, that evening (or at `at`)."""
    with cast.clock.back_to(at or cast.clock.at(on, 20, 15)):
        services.checkin_record(
            actor=engagement.client.portal_user, engagement=engagement, **answers
        )


def _contact(cast: Cast, engagement: Engagement, on: int, kind: str, summary: str, **values):
    """A contact the coach logs an hour after it began, at noon that day."""
    started = cast.clock.at(on, 12, 0)
    minutes = values.pop("duration_minutes", 30)
    with cast.clock.back_to(started + timedelta(minutes=minutes + 20)):
        services.contact_log(
            actor=cast.staff["coach"].user,
            engagement=engagement,
            kind=kind,
            accompaniment="meeting" if kind == "accompaniment" else "",
            started_at=started,
            duration_minutes=minutes,
            summary=summary,
            **values,
        )


def _meeting(cast: Cast, engagement: Engagement, on: int, fellowship: str = "aa") -> None:
    with cast.clock.back_to(cast.clock.at(on + 1, 9, 0)):
        services.meeting_record(
            actor=cast.staff["coach"].user,
            engagement=engagement,
            fellowship=fellowship,
            attended_on=cast.clock.day(on),
            verified=True,
        )


def _coach_profile(cast: Cast) -> None:
    """Carmen's profile, which the directory of coaches and the matching read."""
    if CoachProfile.objects.filter(membership=cast.staff["coach"]).exists():
        return
    services.coach_profile_save(
        actor=cast.admin.user,
        membership=cast.staff["coach"],
        specialties=["executive", "alcohol"],
        languages=["en", "es"],
        lived_experience=True,
        bio="Twelve years in recovery; works with professionals returning to work.",
        phone="+1 555 0142",
        capacity=8,
        availability="Weekdays and evenings; weekends by arrangement",
    )


def cameron(cast: Cast) -> bool:
    """Six weeks of steady days: cravings fade from 6 to 1 or 2, mood and sleep rise."""
    start = -41
    engagement = _engagement(
        cast,
        "client@demo.example.com",
        on=start,
        intensity="several_weekly",
        includes_monitoring=True,
        # Several contacts a week, not daily: five quiet days, not three, is unusual.
        no_contact_days=5,
        goals="Steady return to work; two meetings a week; rebuild trust at home.",
    )
    if engagement is None:
        return False
    rng = random.Random(41)  # noqa: S311 - demo data, not security
    # Today too once the evening has come: Cameron checks in before the day's deadline.
    last = 1 if cast.clock.now.astimezone(cast.clock.zone).time() >= time(20, 30) else 0
    for on in range(start + 1, last):
        step = on - start
        if step in (9, 23):
            continue  # two forgotten evenings: adherence is real, not perfect
        _checkin(
            cast,
            engagement,
            on,
            sober=True,
            craving=max(0, min(10, round(6 - step / 7 + rng.uniform(-1, 1)))),
            mood=min(5, 2 + step // 12 + (rng.random() < 0.2)),
            sleep="fair" if step < 12 else rng.choice(["fair", "good", "good", "good"]),
            triggers=rng.sample(TRIGGERS[:3], k=1) if step < 20 and step % 3 == 0 else [],
            meeting_attended=step % 3 == 0,
        )
        if step % 3 == 0:
            _meeting(cast, engagement, on, "aa" if step % 2 else "smart")
        if step % 4 == 1 and on < 0:
            kind = ["phone", "video", "in_person", "accompaniment"][(step // 4) % 4]
            _contact(
                cast,
                engagement,
                on,
                kind,
                [
                    "Reviewed the week and the plan; first full week back at work.",
                    "Talked through Friday drinks after work: left early, called a friend.",
                    "Walked to the evening AA meeting together; stayed for coffee.",
                    "Planned the month ahead: who to call, which parties to skip.",
                ][(step // 4) % 4],
                duration_minutes=[20, 30, 45, 90][(step // 4) % 4],
                risk_observed="low" if step < 20 else "none",
                plan_follow_through="yes",
            )
    with cast.clock.back_to(cast.clock.at(-7, 10, 0)):
        services.sobriety_test_record(
            actor=cast.staff["coach"].user,
            engagement=engagement,
            tested_on=cast.clock.day(-7),
            kind="urine",
            result="negative",
        )
    with cast.clock.back_to(cast.clock.at(-2, 13, 0)):
        services.high_risk_event_add(
            actor=cast.staff["coach"].user,
            engagement=engagement,
            title="Work party at a bar",
            starts_at=cast.clock.at(5, 18, 0),
            plan="Arrive with a seltzer in hand, leave by 8 pm, call the coach on the way home.",
            extra_contacts=2,
        )
    return True


def danny(cast: Cast) -> bool:
    """A good first fortnight, then a hard week; tonight's craving is an open alert."""
    start = -22
    engagement = _engagement(
        cast,
        "danny.okafor@demo.example.com",
        on=start,
        intensity="daily",
        goals="Ninety meetings in ninety days; IOP every session; sober living by month two.",
    )
    if engagement is None:
        return False
    rng = random.Random(22)  # noqa: S311 - demo data, not security
    for on in range(start + 1, 0):
        step = on - start
        hard = on > -8
        if hard and step % 2 == 0:
            continue  # the missed check-ins of a hard week
        _checkin(
            cast,
            engagement,
            on,
            sober=True,
            craving=min(6, 3 + rng.randint(0, 1) + (step - 13) // 2) if hard else rng.randint(2, 4),
            mood=2 if hard else rng.choice([3, 3, 4]),
            sleep="poor" if hard else rng.choice(["fair", "good"]),
            triggers=["Loneliness", "Work stress"] if hard else [],
            meeting_attended=not hard and step % 2 == 0,
        )
        if not hard and step % 3 == 1:
            _contact(
                cast,
                engagement,
                on,
                ["phone", "in_person"][step % 2],
                "Early days: sleep is back, the IOP group helps.",
                risk_observed="low",
                plan_follow_through="yes",
            )
    _contact(
        cast,
        engagement,
        -5,
        "phone",
        "Short call; says work is piling up and he skipped IOP this week. Agreed to call "
        "his sponsor tonight.",
        duration_minutes=10,
        risk_observed="moderate",
        plan_follow_through="partly",
    )
    # This morning's check-in crosses his plan's craving threshold: the alert is open,
    # waiting for Carmen, as the coaching service raised it.
    _checkin(
        cast,
        engagement,
        0,
        at=cast.clock.earlier_today(hours=3),
        sober=True,
        craving=8,
        mood=1,
        sleep="poor",
        triggers=["Loneliness", "Arguments at home"],
        note="Bad night. Thinking about drinking a lot.",
    )
    return True


def rosa(cast: Cast) -> bool:
    """Six months of aftercare coaching, completed when she moved to alumni."""
    start = -274
    engagement = _engagement(
        cast,
        "rosa.alvarez@demo.example.com",
        on=start,
        intensity="weekly",
        goals="Keep the home group; rebuild her catering business; a year sober.",
    )
    if engagement is None:
        return False
    rng = random.Random(274)  # noqa: S311 - demo data, not security
    for on in range(start + 1, -95):
        step = on - start
        if step % 7 == 0:
            _contact(
                cast,
                engagement,
                on,
                "video" if step % 14 else "in_person",
                "Weekly check-in; home group going well.",
                risk_observed="none",
                plan_follow_through="yes",
            )
        if step % 3 == 0:
            _checkin(
                cast,
                engagement,
                on,
                sober=True,
                craving=max(0, round(3 - step / 60 + rng.uniform(-1, 1))),
                mood=min(5, 3 + step // 60),
                sleep="good",
                meeting_attended=step % 2 == 0,
            )
    with cast.clock.back_to(cast.clock.at(-95, 15, 0)):
        services.engagement_set_status(
            actor=cast.staff["coach"].user,
            engagement=engagement,
            status=EngagementStatus.COMPLETED,
            reason="Six months of aftercare completed; moving to alumni follow-up.",
        )
    return True


def alex(cast: Cast) -> bool:
    """Weekly coaching from discharge through aftercare, completed when he moved to
    alumni (the alumni demo's journey)."""
    start = -326
    engagement = _engagement(
        cast,
        "alumni@demo.example.com",
        on=start,
        intensity="weekly",
        goals="Stay on his medication; back to work; a year sober.",
    )
    if engagement is None:
        return False
    for on in range(start + 7, -61, 7):
        _contact(
            cast,
            engagement,
            on,
            "phone",
            "Weekly call; meetings and medication on track.",
            risk_observed="none",
            plan_follow_through="yes",
        )
    with cast.clock.back_to(cast.clock.at(-61, 15, 0)):
        services.engagement_set_status(
            actor=cast.staff["coach"].user,
            engagement=engagement,
            status=EngagementStatus.COMPLETED,
            reason="Aftercare completed; moving to alumni follow-up.",
        )
    return True


CHARACTERS = [cameron, danny, rosa, alex]


class Command(StoryCommand):
    help = "Add the demo's sober coaching: three engagements with their weeks of history."
    characters = CHARACTERS
    ready = "Coaching demo is ready"

    def prepare(self, cast):
        _coach_profile(cast)
