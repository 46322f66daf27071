"""The client portal answers "what do I do today": a discharged client is invited to the
portal from their record, signs in with an e-mailed code, checks in with the segmented
scales, answers the questionnaire their case manager assigned, presses help now from
another page and writes to the coach. On a phone and at a desk, in English and Spanish;
axe on every page, and no page scrolls sideways."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail

from casemanagement.models import Assessment, QuestionnaireAssignment
from coaching import services as coaching_services
from coaching.models import CheckIn
from continuum.care.models import Phase, SafetyEvent
from continuum.messaging.models import Message
from continuum.tenancy.models import Membership, Role
from tests.care.factories import EpisodeFactory
from tests.coaching.factories import EngagementFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory

TEXT = {
    "en": {
        "email": re.compile("e-?mail", re.I),
        "code_button": re.compile("request code", re.I),
        "code_label": re.compile("code", re.I),
        "confirm": re.compile("^confirm$", re.I),
        "hello": "Hello",
        "checkin_todo": "To do",
        "check_in_now": "Check in now",
        "check_in": "Check in",
        "checked_in": "Checked in. Thank you, see you tomorrow.",
        "answer": "Answer the PHQ-9",
        "send_answers": "Send my answers",
        "saved": "Your answers were saved for your care team.",
        "appointments": "Appointments",
        "help": "I need help now",
        "told": "We have let {coach}, your sober coach, know; {coach} will call you today.",
        "open_messages": "Open messages",
        "write": "Write to your team",
        "open_conversation": "Open the conversation",
        "message_label": "Your message",
        "send": "Send",
        "checkin_done": "You checked in today.",
    },
    "es": {
        "email": re.compile("e-?mail|correo", re.I),
        "code_button": re.compile("código", re.I),
        "code_label": re.compile("código", re.I),
        "confirm": re.compile("^confirmar$", re.I),
        "hello": "Hola",
        "checkin_todo": "Pendiente",
        "check_in_now": "Registrarme ahora",
        "check_in": "Registrarme",
        "checked_in": "Registro guardado. Gracias, nos vemos mañana.",
        "answer": "Responder el PHQ-9",
        "send_answers": "Enviar mis respuestas",
        "saved": "Guardamos sus respuestas para su equipo de atención.",
        "appointments": "Citas",
        "help": "Necesito ayuda ahora",
        "told": "Hemos avisado a {coach}, su coach de sobriedad; {coach} le llamará hoy.",
        "open_messages": "Abrir mensajes",
        "write": "Escribir a su equipo",
        "open_conversation": "Abrir la conversación",
        "message_label": "Su mensaje",
        "send": "Enviar",
        "checkin_done": "Ya hizo su registro de hoy.",
    },
}
LOCALES = {"en": "en-US", "es": "es-ES"}


def _fits(visitor):
    """No sideways scroll. A phone browser zooms out to show a page wider than itself,
    which widens `innerWidth` too: the page is held to the device's own width."""
    scroll, inner = visitor.page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    device = visitor.page.viewport_size["width"]
    assert scroll <= inner and scroll <= device, (
        f"{visitor.page.url} scrolls sideways: {scroll} px wide, {device} px device"
    )


def _press(page, name, value):
    """Press one button of a segmented scale: its label, as a thumb or a mouse does."""
    page.locator(f'label:has(> input[name="{name}"][value="{value}"])').click()
    assert page.locator(f'input[name="{name}"][value="{value}"]').is_checked()


@pytest.mark.parametrize(
    ("lang", "phone"), [("en", True), ("es", True), ("en", False), ("es", False)]
)
def test_a_discharged_client_gets_through_the_day_in_the_portal(site, in_org, members, lang, phone):
    org, t = in_org, TEXT[lang]
    coach = Membership.objects.get(organization=org, user=members[Role.SOBER_COACH])
    case_manager = Membership.objects.get(organization=org, user=members[Role.CASE_MANAGER])
    # The record says which language Jordan reads: signing in brings it.
    jordan = ClientFactory(
        organization=org,
        first_name="Jordan",
        last_name="Reyes",
        email="jordan@example.com",
        preferred_language=lang,
    )
    EpisodeFactory(client=jordan, phase=Phase.AFTERCARE)
    CareTeamMemberFactory(client=jordan, membership=case_manager, role=Role.CASE_MANAGER)
    engagement = EngagementFactory(organization=org, client=jordan, coach=coach)
    coaching_services.plan_save(actor=None, engagement=engagement, triggers=["Payday"])
    coach_name = members[Role.SOBER_COACH].get_full_name()

    # The case manager invites Jordan from the record and assigns a PHQ-9.
    desk = site.open(phone=False)
    desk.log_in_as(members[Role.CASE_MANAGER])
    desk.visit(f"/{org.slug}/staff/clients/{jordan.public_id}/")
    desk.follow("Invite to the portal")
    desk.submit("Send the invitation")
    assert "Jordan Reyes is invited" in desk.page.inner_text("main")
    desk.visit(f"/{org.slug}/staff/clients/{jordan.public_id}/case/")
    desk.follow("Assign a questionnaire")
    desk.page.get_by_label("Questionnaire").select_option("phq9")
    due = date.today() + timedelta(days=3)
    desk.page.get_by_label("Answer by").fill(due.isoformat())
    desk.submit("Assign")
    assert "PHQ-9 assigned" in desk.page.inner_text("main")
    assert QuestionnaireAssignment.objects.get().client == jordan

    # Jordan signs in with the code e-mailed to the invited address.
    client = site.open(phone=phone, locale=LOCALES[lang])
    page = client.page
    client.visit(f"/accounts/login/code/?next=/{org.slug}/portal/")
    page.get_by_label(t["email"]).fill("jordan@example.com")
    mail.outbox.clear()
    client.submit(t["code_button"])
    code = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", mail.outbox[-1].body, re.M).group(1)
    page.get_by_label(t["code_label"]).fill(code)
    client.submit(t["confirm"])
    assert page.locator("html").get_attribute("lang") == lang
    assert t["hello"] in page.get_by_role("heading", level=1).inner_text()
    home = page.inner_text("main")
    assert t["checkin_todo"] in home and t["answer"] in home
    _fits(client)
    client.screenshot(f"portal-client-home-{lang}-{'phone' if phone else 'desk'}")

    # Today's check-in, with the scales as large buttons.
    client.follow(t["check_in_now"])
    _fits(client)
    _press(page, "sober", "yes")
    _press(page, "craving", "3")
    _press(page, "mood", "4")
    _press(page, "sleep", "good")
    client.submit(re.compile(f"^{t['check_in']}$"))
    assert t["checked_in"] in page.get_by_role("status").first.inner_text()
    assert CheckIn.objects.get(engagement=engagement).craving == 3
    _fits(client)

    # The assigned questionnaire, from the home page.
    client.visit(f"/{org.slug}/portal/")
    assert t["checkin_done"] in page.inner_text("main")
    client.follow(t["answer"])
    _fits(client)
    for n in range(1, 10):
        _press(page, f"q{n}", "1" if n == 1 else "0")
    client.submit(t["send_answers"])
    assert t["saved"] in page.inner_text("main")
    assert Assessment.objects.get(client=jordan).total == 1
    assert QuestionnaireAssignment.objects.get().answered_at is not None
    _fits(client)

    # Help now, pressed from another page.
    client.visit(f"/{org.slug}/portal/")
    client.follow(t["appointments"])
    _fits(client)
    client.submit(t["help"])
    told = t["told"].format(coach=coach_name)
    assert told in page.get_by_role("status").inner_text()
    assert SafetyEvent.objects.get(client=jordan).kind == "help_now"
    _fits(client)

    # And a message to the coach.
    client.visit(f"/{org.slug}/portal/")
    client.follow(t["open_messages"])
    client.follow(t["write"])
    client.submit(t["open_conversation"])
    page.get_by_label(t["message_label"]).fill("Thanks for today.")
    client.submit(re.compile(f"^{t['send']}$"))
    assert Message.objects.get().author.email == "jordan@example.com"
    _fits(client)
