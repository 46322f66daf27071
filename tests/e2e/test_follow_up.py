"""Journey: a client answers a 30-day follow-up on a phone, from the link e-mailed by the
outbox: a first try with a question missed (error summary, nothing saved), then the
thank-you; the link opened again says it was already answered."""

import os
from pathlib import Path

from django.core import mail
from django.utils import timezone

from continuum.tenancy.models import Role
from outcomes.models import FollowUp, FollowUpStatus, Method
from outcomes.services import follow_ups_scan
from tests.outbox import drain_outbox
from tests.outcomes.factories import AgreementFactory, FollowUpFactory
from tests.people.factories import ClientFactory

from .browser import assert_fits

SHOTS = os.environ.get("E2E_SHOTS_DIR")


def _no_horizontal_scroll(page):
    assert_fits(page)


def _shot(visitor, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        visitor.page.screenshot(path=f"{SHOTS}/{name}.png")


def test_a_client_answers_the_30_day_follow_up_from_the_e_mailed_link(site, in_org, members):
    org = in_org
    org.contact_phone = "+1 617 555 0100"
    org.save()
    jordan = ClientFactory(
        organization=org, first_name="Jordan", last_name="Reyes", email="jordan@example.net"
    )
    AgreementFactory(client=jordan, recorded_by=members[Role.CASE_MANAGER])
    follow_up = FollowUpFactory(episode__client=jordan, scheduled=True, due_on=timezone.localdate())

    assert follow_ups_scan(organization=org)["sent"] == 1
    drain_outbox()
    [message] = mail.outbox
    assert message.to == ["jordan@example.net"]
    link = next(line.strip() for line in message.body.splitlines() if "/follow-up/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    phone = site.open(phone=True)
    page = phone.page
    phone.visit(path)
    main = page.get_by_role("main")
    assert "Hello Jordan, how are you doing?" in main.inner_text()
    assert "Reyes" not in page.content()
    _no_horizontal_scroll(page)
    _shot(phone, "follow-up-390")

    for key in ("alcohol", "cannabis", "opioids", "stimulants", "sedatives", "other_drugs"):
        page.locator(f"#id_days_{key}").fill("0")
    page.locator("#id_days_alcohol").fill("3")
    for name, index in (
        ("returned_to_treatment", 1),
        ("emergency_care", 1),
        ("housing", 2),
        ("work_school", 1),
        ("legal_trouble", 1),
        ("quality_of_life", 3),
    ):
        page.locator(f"label[for=id_{name}_{index}]").click()
    # Nine of the ten BARC-10 statements: q10 is missed.
    for n in range(1, 10):
        page.locator(f"label[for=id_barc_q{n}_4]").click()  # 5 Agree
    phone.submit("Send my answers")
    summary = page.get_by_role("alert")
    assert "Your answers are not saved yet." in summary.inner_text()
    assert "I am making good progress on my recovery journey." in summary.inner_text()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.SENT
    _no_horizontal_scroll(page)
    _shot(phone, "follow-up-390-errors")
    page.locator("#part-barc").scroll_into_view_if_needed()
    _shot(phone, "follow-up-390-barc")

    # The answers given are kept on the page; the client adds the missing one.
    assert page.locator("#id_barc_q1_4").is_checked()
    page.locator("label[for=id_barc_q10_5]").click()  # 6 Strongly agree
    phone.submit("Send my answers")
    assert "Thank you: your answers are saved" in page.get_by_role("main").inner_text()
    _shot(phone, "follow-up-390-thanks")

    follow_up = FollowUp.objects.get(pk=follow_up.pk)
    assert follow_up.status == FollowUpStatus.COMPLETED
    assert follow_up.method == Method.LINK
    assert follow_up.barc10_total == 9 * 5 + 6
    assert follow_up.days_of_use["alcohol"] == 3

    # The same link again: answered, and nothing of the record shown.
    phone.visit(path)
    assert "Already answered — thank you" in page.get_by_role("main").inner_text()
    assert "Jordan" not in page.content()

    desk = site.open(phone=False)
    desk.page.set_viewport_size({"width": 1280, "height": 900})
    desk.log_in_as(members[Role.ORG_ADMIN])
    desk.visit(f"/{org.slug}/staff/clients/{jordan.public_id}/follow-up/")
    assert "BARC-10 51 of 60" in desk.page.get_by_role("main").inner_text()
    _no_horizontal_scroll(desk.page)
    _shot(desk, "follow-up-staff-1280")


def test_portal_and_staff_follow_up_pages_fit_a_phone_and_a_desktop(site, in_org, members):
    """The client sees the open follow-up on the portal home and answers it there; the
    case manager's pages (follow-up page, phone entry, settings) at 390 and 1280 px."""
    from tests.people.factories import CareTeamMemberFactory

    org = in_org
    from continuum.tenancy.models import Membership

    case_manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
    sam = ClientFactory(
        organization=org, first_name="Sam", last_name="Lee", portal_user=members[Role.CLIENT]
    )
    CareTeamMemberFactory(client=sam, membership=case_manager, role=Role.CASE_MANAGER)
    AgreementFactory(client=sam, recorded_by=members[Role.CLIENT])
    open_one = FollowUpFactory(episode__client=sam)
    later = FollowUpFactory(episode=open_one.episode, offset_days=90, scheduled=True)

    phone = site.open(phone=True)
    phone.log_in_as(members[Role.CLIENT])
    page = phone.page
    phone.visit(f"/{org.slug}/portal/")
    assert "Your follow-up questions" in page.get_by_role("main").inner_text()
    _no_horizontal_scroll(page)
    _shot(phone, "portal-home-390")
    phone.follow("Answer now")
    for key in ("alcohol", "cannabis", "opioids", "stimulants", "sedatives", "other_drugs"):
        page.locator(f"#id_days_{key}").fill("0")
    for name, index in (
        ("returned_to_treatment", 1),
        ("emergency_care", 1),
        ("housing", 0),
        ("work_school", 0),
        ("legal_trouble", 1),
        ("quality_of_life", 4),
    ):
        page.locator(f"label[for=id_{name}_{index}]").click()
    for n in range(1, 11):
        page.locator(f"label[for=id_barc_q{n}_5]").click()
    _no_horizontal_scroll(page)
    phone.submit("Send my answers")
    assert "Thank you: your answers are saved" in page.get_by_role("main").inner_text()
    assert FollowUp.objects.get(pk=open_one.pk).barc10_total == 60

    for viewport, name in (
        ({"width": 390, "height": 844}, "390"),
        ({"width": 1280, "height": 900}, "1280"),
    ):
        desk = site.open(phone=viewport["width"] < 600)
        desk.page.set_viewport_size(viewport)
        desk.log_in_as(members[Role.CASE_MANAGER])
        desk.visit(f"/{org.slug}/staff/clients/{sam.public_id}/follow-up/")
        main = desk.page.get_by_role("main").inner_text()
        assert "BARC-10 60 of 60" in main and "Portal" in main
        _no_horizontal_scroll(desk.page)
        _shot(desk, f"staff-follow-up-{name}")
        desk.page.locator("#trend-h").scroll_into_view_if_needed()
        _shot(desk, f"staff-trend-{name}")
        desk.follow("Record by phone")
        assert "90-day follow-up by phone: Sam Lee" in desk.page.get_by_role("main").inner_text()
        _no_horizontal_scroll(desk.page)
        _shot(desk, f"staff-phone-{name}")
    assert FollowUp.objects.get(pk=later.pk).status == FollowUpStatus.SCHEDULED

    admin = site.open(phone=True)
    admin.log_in_as(members[Role.ORG_ADMIN])
    admin.visit(f"/{org.slug}/staff/settings/follow-up/")
    _no_horizontal_scroll(admin.page)
    admin.page.get_by_label("Follow-up days after discharge").fill("30, 90, forever")
    with admin.page.expect_navigation():
        admin.page.get_by_role("button", name="Save the schedule").click()
    admin.audit()
    assert "Give whole numbers of days" in admin.page.get_by_role("alert").inner_text()
    _shot(admin, "staff-settings-390")
