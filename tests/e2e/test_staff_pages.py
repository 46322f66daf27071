"""Every staff page, walked as every staff role, at a phone's width and a desktop's.

The pages are the `staff` URL namespace as the isolation matrix enumerates it
(tests/isolation/test_matrix.py `ROUTES`), so a new staff URL joins the walk by itself.
Each GET page is opened in Chromium at 390 px and at 1280 px as the admin, the intake
coordinator, the interventionist, the sober coach and the case manager. A role the page
admits must get it (200); a role it does not admit gets the refusal page (403), which
must name the way forward. Either way the page must pass axe (no serious or critical
violation), fit the screen without scrolling sideways, and show no stored code name
(`sober_coach`, `not_started`): every choice value of the project's models with an
underscore is looked for in the visible text.

How to extend it:

- `KWARGS` below maps each URL keyword to a function of the seeded `StaffWorld` that
  returns the value to put in the URL. A new keyword needs an entry there (or the page
  listed in `NOT_WALKED` with the reason): `test_every_staff_url_is_walked_or_listed`
  fails for a staff URL that is neither.
- `VARIANTS` names pages walked once for each of several objects (an intervention in
  each state); the provider then returns a list, and other pages take its first value.
- `NOT_WALKED` lists the URLs that are not pages: POST-only actions (checked to answer
  GET with 405, so the list cannot hide a page) and downloads or fragments (checked to
  answer 200 with something other than a full HTML page).
"""

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import timezone

from continuum.tenancy.models import STAFF_ROLES, Membership, Role
from continuum.tenancy.scoping import organization_scope
from tests.isolation.test_matrix import ROUTES

from .browser import AXE_SCRIPT, Visitor, axe_violations, page_width_overflow

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
ROLES = sorted(STAFF_ROLES)

STAFF_ROUTES = [r for r in ROUTES if r.area == "staff"]

POST_ONLY = "a form's action (POST only); its form is on another walked page"
# name: why the walk does not open it.
NOT_WALKED = {
    # Downloads and fragments: not pages a person reads.
    "audit_export": "a CSV download",
    "import_template": "a CSV download",
    "client_consent_scan": "a file download (a paper consent's scan; 404 without one)",
    "import_report_csv": "a CSV download",
    "outcomes_cohort_export": "a CSV download",
    "directory_export_json": "a JSON download",
    "directory_export_zip": "a ZIP download",
    "notification_badge": "an htmx fragment of the page header",
    "messaging_badge": "an htmx fragment of the page header",
    # POST-only actions.
    "team_member_deactivate": POST_ONLY,
    "team_member_reactivate": POST_ONLY,
    "team_invitation_revoke": POST_ONLY,
    "client_consent_revoke": POST_ONLY,
    "notification_read_all": POST_ONLY,
    "notification_read": POST_ONLY,
    "calendar_link_rotate": POST_ONLY,
    "calendar_link_revoke": POST_ONLY,
    "task_done": POST_ONLY,
    "safety_event_acknowledge": POST_ONLY,
    "handoff_rerun": POST_ONLY,
    "intervention_participant_invite": POST_ONLY,
    "intervention_request_contact": POST_ONLY,
    "coaching_alert_acknowledge": POST_ONLY,
    "coaching_alert_resolve": POST_ONLY,
    "casemgmt_gaps_check": POST_ONLY,
    "casemgmt_step_status": POST_ONLY,
    "taxonomy_mapping_delete": POST_ONLY,
    "listing_capacity_link_send": POST_ONLY,
    "care_team_end": POST_ONLY,
    "intervention_resume": POST_ONLY,
    "coaching_engagement_status": POST_ONLY,
    "casemgmt_appointment_status": POST_ONLY,
    "listing_verify": POST_ONLY,
    "listing_capacity_link": POST_ONLY,
}


@dataclass
class StaffWorld:
    """One organization's worth of records, every staff member on the client's team."""

    org: object
    members: dict
    memberships: dict
    client: object
    episode: object
    interventions: list
    request: object
    participant: object
    session: object
    letter: object
    engagement: object
    plan: object
    goal: object
    step: object
    appointment: object
    medication: object
    questionnaire: object
    consent: object
    care_team_member: object
    safety_event: object
    thread: object
    listing: object
    referral: object
    import_job: object
    mapping: object
    follow_up: object
    invitation: object
    extra: dict = field(default_factory=dict)


def _id(attribute):
    return lambda world: str(getattr(world, attribute).public_id)


# URL keyword -> the value from the world. One entry per keyword of the staff URLs.
KWARGS = {
    "member_id": lambda w: str(w.memberships[Role.SOBER_COACH].public_id),
    "invitation_id": _id("invitation"),
    "client_id": _id("client"),
    "consent_id": _id("consent"),
    "episode_id": _id("episode"),
    "care_team_member_id": _id("care_team_member"),
    "safety_event_id": _id("safety_event"),
    "thread_id": _id("thread"),
    "request_id": _id("request"),
    "intervention_id": lambda w: [str(i.public_id) for i in w.interventions],
    "participant_id": _id("participant"),
    "session_id": _id("session"),
    "letter_id": _id("letter"),
    "engagement_id": _id("engagement"),
    "cm_goal_id": _id("goal"),
    "cm_appointment_id": _id("appointment"),
    "cm_medication_id": _id("medication"),
    "cm_questionnaire_id": _id("questionnaire"),
    "cm_instrument": lambda w: "phq9",
    "listing_id": _id("listing"),
    "referral_id": _id("referral"),
    "import_id": _id("import_job"),
    "mapping_id": _id("mapping"),
    "follow_up_id": _id("follow_up"),
    "event_id": lambda w: str(w.extra["event"].public_id),
}

# Pages walked once for each value their keyword's provider gives.
VARIANTS = {"intervention_detail": "intervention_id"}


def _build_world(org, members) -> StaffWorld:
    from casemanagement.services import gaps_scan
    from coaching.models import RelapsePreventionPlan
    from continuum.care.models import Phase
    from continuum.care.services import safety_event_raise
    from interventions.models import Outcome
    from tests.alumni.factories import ProfileFactory, RsvpFactory
    from tests.care.factories import EpisodeFactory, TaskFactory
    from tests.casemanagement import factories as casemgmt
    from tests.coaching.factories import AlertFactory, EngagementFactory
    from tests.consent.factories import ConsentFactory
    from tests.factories import InvitationFactory
    from tests.interventions.factories import (
        InterventionFactory,
        InterventionRequestFactory,
        LetterFactory,
        ParticipantFactory,
        SessionFactory,
    )
    from tests.messaging.factories import MessageFactory, ThreadFactory
    from tests.messaging.factories import ParticipantFactory as Seat
    from tests.notifications.factories import NotificationFactory
    from tests.outcomes.factories import FollowUpFactory
    from tests.people.factories import CareTeamMemberFactory, ClientFactory, FamilyMemberFactory
    from tests.referrals.factories import (
        ImportJobFactory,
        ListingFactory,
        ReferralFactory,
        TaxonomyMappingFactory,
    )

    memberships = {
        role: Membership.objects.get(organization=org, user=members[role]) for role in ROLES
    }
    client = ClientFactory(organization=org, first_name="Robin", last_name="Vale")
    episode = EpisodeFactory(
        client=client,
        phase=Phase.AFTERCARE,
        discharge_date=timezone.localdate() - timedelta(days=30),
    )
    team = {}
    for role in ROLES:
        team[role] = CareTeamMemberFactory(client=client, membership=memberships[role], role=role)
    FamilyMemberFactory(organization=org, related_to=client, related_to__relationship="sibling")
    request = InterventionRequestFactory(organization=org, client=client, episode=episode)
    interventions = []
    for outcome in ("", Outcome.ACCEPTED, Outcome.DECLINED, Outcome.POSTPONED):
        interventions.append(
            InterventionFactory(
                organization=org,
                request=request
                if not interventions
                else InterventionRequestFactory(organization=org, client=client, episode=episode),
                interventionist=memberships[Role.INTERVENTIONIST],
                outcome=outcome,
                scheduled_at=timezone.now() + timedelta(days=3),
                location="The family's home",
            )
        )
    intervention = interventions[0]
    participant = ParticipantFactory(intervention=intervention, name="Ana Ruiz")
    letter = LetterFactory(
        participant=participant, author=members[Role.INTERVENTIONIST], body="Dear Robin"
    )
    session = SessionFactory(intervention=intervention)
    engagement = EngagementFactory(
        organization=org, client=client, coach=memberships[Role.SOBER_COACH]
    )
    RelapsePreventionPlan.objects.create(
        organization=org, engagement=engagement, triggers=["Paydays"], warning_signs="Isolating"
    )
    AlertFactory(organization=org, engagement=engagement)
    plan = casemgmt.CarePlanFactory(client=client, case_manager=memberships[Role.CASE_MANAGER])
    goal = casemgmt.GoalFactory(plan=plan)
    step = casemgmt.GoalStepFactory(goal=goal, due_on=timezone.localdate() - timedelta(days=2))
    casemgmt.ProviderFactory(client=client)
    appointment = casemgmt.AppointmentFactory(client=client)
    casemgmt.AppointmentFactory(
        client=client,
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3, hours=-1),
        status="missed",
    )
    medication = casemgmt.MedicationFactory(
        client=client, refill_due_on=timezone.localdate() - timedelta(days=1)
    )
    questionnaire = casemgmt.QuestionnaireAssignmentFactory(
        client=client, assigned_by=memberships[Role.CASE_MANAGER]
    )
    gaps_scan(organization=org)
    consent = ConsentFactory(client=client)
    safety_event = safety_event_raise(actor=None, client=client, kind="help_now", door="staff")
    thread = ThreadFactory(client=client, created_by=members[Role.CASE_MANAGER])
    for role in ROLES:
        Seat(thread=thread, user=members[role])
    MessageFactory(thread=thread, author=members[Role.CASE_MANAGER], body="How was the week?")
    listing = ListingFactory(organization=org, name="Bayside Recovery House", kind="sober_living")
    referral = ReferralFactory(
        organization=org, listing=listing, client=client, created_by=members[Role.CASE_MANAGER]
    )
    event = RsvpFactory(client=client, organization=org).event
    ProfileFactory(
        organization=org, client=client, sobriety_date=timezone.localdate() - timedelta(days=80)
    )
    for role in ROLES:
        TaskFactory(assignee=memberships[role], title=f"Call Robin back ({Role(role).label})")
        NotificationFactory(organization=org, recipient=members[role])
    return StaffWorld(
        org=org,
        members=members,
        memberships=memberships,
        client=client,
        episode=episode,
        interventions=interventions,
        request=request,
        participant=participant,
        session=session,
        letter=letter,
        engagement=engagement,
        plan=plan,
        goal=goal,
        step=step,
        appointment=appointment,
        medication=medication,
        questionnaire=questionnaire,
        consent=consent,
        care_team_member=team[Role.SOBER_COACH],
        safety_event=safety_event,
        thread=thread,
        listing=listing,
        referral=referral,
        import_job=ImportJobFactory(organization=org),
        mapping=TaxonomyMappingFactory(organization=org),
        follow_up=FollowUpFactory(episode=episode),
        invitation=InvitationFactory(organization=org),
        extra={"event": event},
    )


@pytest.fixture
def staff_world(org, members):
    with organization_scope(org):
        return _build_world(org, members)


def _walked():
    return [r for r in STAFF_ROUTES if r.name not in NOT_WALKED]


def _urls(route, world) -> list[str]:
    values = {}
    for name in route.kwargs:
        assert name in KWARGS, f"staff:{route.name}: no provider for '{name}' in KWARGS"
        values[name] = KWARGS[name](world)
    variant = VARIANTS.get(route.name)
    combos = []
    for value in values.get(variant, [None]) if variant else [None]:
        kwargs = {"org": world.org.slug}
        for name, given in values.items():
            if name == variant:
                kwargs[name] = value
            else:
                kwargs[name] = given[0] if isinstance(given, list) else given
        combos.append(reverse(f"staff:{route.name}", kwargs=kwargs))
    return combos


def _code_names() -> re.Pattern:
    """Every stored choice value of the project's models that a reader would see as a
    code name (it has an underscore)."""
    root = str(settings.BASE_DIR)
    values = {v for v in Role.values if "_" in v}
    for config in apps.get_app_configs():
        if not str(config.path).startswith(root) or "site-packages" in str(config.path):
            continue
        for model in config.get_models():
            for model_field in model._meta.get_fields():
                for value, _label in getattr(model_field, "flatchoices", None) or []:
                    if isinstance(value, str) and "_" in value:
                        values.add(value)
    return re.compile(r"(?<![\w@.-])(" + "|".join(sorted(map(re.escape, values))) + r")(?![\w@-])")


EMAIL = re.compile(r"\S+@\S+")
# The text a reader meets (screen-reader text included), leaving out what is set as code
# on purpose: the import page documents the values a spreadsheet column takes.
SHOWN_TEXT = """() => {
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const parent = walker.currentNode.parentElement;
        if (!parent || parent.closest("code, kbd, samp, script, style, template")) continue;
        if (!parent.checkVisibility()) continue;
        parts.push(walker.currentNode.textContent);
    }
    return parts.join(" ");
}"""


def test_every_staff_url_is_walked_or_listed(client, org, members, staff_world):
    """A staff URL is either walked (its keywords have providers) or listed in
    NOT_WALKED; the listed ones are what the list says."""
    problems = []
    names = {r.name for r in STAFF_ROUTES}
    problems += [
        f"{n}: listed in NOT_WALKED but no such staff URL" for n in NOT_WALKED if n not in names
    ]
    for route in _walked():
        missing = [k for k in route.kwargs if k not in KWARGS]
        if missing:
            problems.append(
                f"staff:{route.name}: a new staff URL; give its keywords {missing} a provider "
                "in KWARGS or list it in NOT_WALKED with the reason"
            )
    client.force_login(members[Role.ORG_ADMIN])
    letter_writer = DjangoClient()
    letter_writer.force_login(members[Role.INTERVENTIONIST])
    for route in STAFF_ROUTES:
        if any(k not in KWARGS for k in route.kwargs):
            continue
        who = letter_writer if Role.ORG_ADMIN not in route.required_roles else client
        url = _urls(route, staff_world)[0]
        response = who.get(url)
        if route.name not in NOT_WALKED:
            if response.status_code == 405:
                problems.append(f"{url}: POST only; list staff:{route.name} in NOT_WALKED")
            continue
        if NOT_WALKED[route.name] == POST_ONLY:
            if response.status_code != 405:
                problems.append(
                    f"{url}: listed as POST only but GET answered {response.status_code}"
                )
        else:
            html = response.get("Content-Type", "").startswith("text/html")
            whole_page = html and b"<html" in response.content[:1000]
            if response.status_code not in (200, 404) or (
                response.status_code == 200 and whole_page
            ):
                problems.append(
                    f"{url}: listed as not a page but answered {response.status_code} "
                    f"{response.get('Content-Type')}"
                )
    assert not problems, "\n".join(problems)


def _refusals(members, pages) -> tuple[dict, list[str]]:
    """Each role's refused pages, asked for without a browser: every one answers 403
    with the refusal page. The refusal page itself is walked in the browser once per role
    (it is the same page whichever URL was refused)."""
    refused, failures = {}, Failures()
    for role in ROLES:
        client = DjangoClient()
        client.force_login(members[role])
        for route, url in pages:
            if role in route.required_roles:
                continue
            response = client.get(url)
            if response.status_code != 403:
                failures.append(f"{url} as {role}: a refused role got {response.status_code}")
            elif b"ask an administrator" not in response.content:
                failures.append(f"{url} as {role}: the refusal does not name the way forward")
            else:
                refused.setdefault(role, url)
    return refused, failures


class Failures(list):
    """The walk's problems, each also printed as found (a long walk shows them early)."""

    def append(self, problem: str) -> None:
        print(f"\nstaff walk: {problem}", flush=True)
        super().append(problem)


def _check(page, *, where, code_names, audited, failures, first: bool) -> None:
    """The page as it is now: fits the screen, shows no code name, passes axe."""
    problem = page_width_overflow(page)
    if problem:
        failures.append(f"{where}: {problem}")
    text = EMAIL.sub(" ", page.evaluate(SHOWN_TEXT))
    raw = sorted(set(code_names.findall(text)))
    if raw:
        failures.append(f"{where}: shows code names {raw}")
    # A page's own content audited already at this width (the same form whoever opens
    # it) is not audited again; each role's header and menu are audited on its first page.
    main = page.evaluate("() => document.querySelector('main')?.outerHTML || ''")
    main = re.sub(r'(value|nonce|hx-headers)=(["\'])[^"\']*\2', "", main)
    key = (page.viewport_size["width"], hashlib.sha1(main.encode()).hexdigest())
    if key in audited and not first:
        return
    audited.add(key)
    found = axe_violations(page, injected=True)
    if found:
        failures.append(f"{where}: axe: " + "; ".join(found))


def test_every_staff_page_as_every_staff_role(site, org, members, staff_world):
    started = time.monotonic()
    code_names = _code_names()
    pages = [(route, url) for route in _walked() for url in _urls(route, staff_world)]
    refused, failures = _refusals(members, pages)
    audited: set = set()
    opened = 0
    for width_name, viewport in WIDTHS.items():
        phone = width_name == "phone"
        for role in ROLES:
            context = site.browser.new_context(
                viewport=viewport,
                is_mobile=phone,
                has_touch=phone,
                device_scale_factor=2 if phone else 1,
            )
            site.contexts.append(context)
            context.set_default_timeout(15_000)
            context.add_init_script(AXE_SCRIPT)
            visitor = Visitor(context, site.base_url)
            visitor.log_in_as(members[role])
            page = visitor.page
            walk = [url for route, url in pages if role in route.required_roles]
            if role in refused:
                walk.append(refused[role])
            for number, url in enumerate(walk):
                where = f"{url} as {role} at {viewport['width']} px"
                try:
                    response = page.goto(site.base_url + url)
                except Exception as error:  # an empty error answer: Chromium refuses it
                    failures.append(f"{where}: {str(error).splitlines()[0]}")
                    continue
                opened += 1
                expected = 403 if url == refused.get(role) else 200
                if response.status != expected:
                    failures.append(f"{where}: answered {response.status}, not {expected}")
                    continue
                _check(
                    page,
                    where=where,
                    code_names=code_names,
                    audited=audited,
                    failures=failures,
                    first=number == 0,
                )
            context.close()
            site.contexts.remove(context)
    elapsed = time.monotonic() - started
    print(f"\n{len(pages)} staff pages: {opened} opened, {len(audited)} audited, {elapsed:.0f} s")
    assert not failures, f"{len(failures)} problems on staff pages:\n" + "\n".join(failures)
