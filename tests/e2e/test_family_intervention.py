"""Journey 1: a family member asks for help on a phone, gets the confirmation, signs in to
the family portal with an e-mailed code and drafts a letter; also in Spanish. On a second
device, signing in again brings their pages in the language they chose."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from continuum.notifications.services import notification_deliver_due
from continuum.tenancy.models import Membership, Role
from interventions import services
from interventions.models import InterventionRequest, Letter, LetterStatus

TEXT = {
    "en": {
        "switch": None,
        "first": "Your first name",
        "last": "Your last name",
        "email": "Your e-mail address",
        "relationship": "How are you related to your loved one?",
        "parent": "Parent",
        "loved_first": "Your loved one's first name",
        "loved_last": "Your loved one's last name",
        "this_week": re.compile("this week", re.I),
        "consent": "You may contact me by phone and e-mail about this request.",
        "send": "Send my request",
        "error": "Please check a few answers",
        "thanks": "Thank you for reaching out about Sam",
        "family_page": "Go to your family page",
        "code_button": re.compile("request code", re.I),
        "code_label": re.compile("code", re.I),
        "sign_in": re.compile("^confirm$", re.I),
        "letter_link": re.compile("letter", re.I),
        "letter_label": "Your letter",
        "save": "Save draft",
        "saved": "Draft saved.",
        "subject": "a message from harbor recovery",
        "together": "Helping Sam together",
        "how_are_you": "How are you doing?",
        "calm": "How calm do you feel today?",
        "send_checkin": "Send my check-in",
        "checkin_thanks": "Thank you. Your check-in is saved. Taking care of yourself matters too.",
    },
    "es": {
        "switch": "Español",
        "first": "Su nombre",
        "last": "Su apellido",
        "email": "Su correo electrónico",
        "relationship": "¿Qué relación tiene con su ser querido?",
        "parent": "Madre o padre",
        "loved_first": "Nombre de su ser querido",
        "loved_last": "Apellido de su ser querido",
        "this_week": re.compile("esta semana", re.I),
        "consent": "Pueden contactarme por teléfono y correo electrónico sobre esta solicitud.",
        "send": "Enviar mi solicitud",
        "error": "Revise algunas respuestas",
        "thanks": "Gracias por comunicarse sobre Sam",
        "family_page": "Ir a su página familiar",
        "code_button": re.compile("código", re.I),
        "code_label": re.compile("código", re.I),
        "sign_in": re.compile("^confirmar$", re.I),
        "letter_link": re.compile("carta", re.I),
        "letter_label": "Su carta",
        "save": "Guardar borrador",
        "saved": "Borrador guardado.",
        "subject": "un mensaje de harbor recovery",
        "together": "Ayudando a Sam, juntos",
        "how_are_you": "¿Cómo está usted?",
        "calm": "¿Qué tan tranquilo se siente hoy?",
        "send_checkin": "Enviar mi registro",
        "checkin_thanks": "Gracias. Guardamos su registro. Cuidarse también es importante.",
    },
}


def request_values(**overrides) -> dict:
    """A family's request as the public form files it."""
    return {
        "requester_first_name": "Maria",
        "requester_last_name": "Lopez",
        "requester_email": "maria.lopez@example.com",
        "relationship": "parent",
        "loved_one_first_name": "Sam",
        "loved_one_last_name": "Lopez",
        "urgency": "this_week",
        "consent_to_contact": True,
        **overrides,
    }


@pytest.mark.parametrize("lang", ["en", "es"])
def test_family_asks_for_help_then_drafts_a_letter(site, in_org, members, lang):
    org = in_org
    t = TEXT[lang]
    family = site.open(phone=True)
    family.visit(f"/{org.slug}/help/")
    page = family.page
    if t["switch"]:
        # The visitor picks the language; the choice is kept in a cookie.
        page.get_by_label(re.compile("Language|Idioma")).select_option(lang)
        family.submit(re.compile("Change|Cambiar"))
        assert page.locator("html").get_attribute("lang") == lang
    family.screenshot(f"public-request-form-{lang}")

    # Sent without the required answers: the errors are announced and linked to fields.
    family.submit(t["send"])
    summary = page.get_by_role("alert")
    assert t["error"] in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_requester_first_name"
    assert page.get_by_label(t["first"]).get_attribute("aria-invalid") == "true"
    assert InterventionRequest.objects.count() == 0

    # Filled in from the keyboard alone, with the focus visible on each field.
    family.tab_to(page.get_by_label(t["first"]))
    page.keyboard.type("Maria")
    page.keyboard.press("Tab")
    family.assert_focus_visible()
    page.keyboard.type("Lopez")
    page.get_by_label(t["email"]).fill("maria.lopez@example.com")
    page.get_by_label(t["relationship"]).select_option(label=t["parent"])
    page.get_by_label(t["loved_first"]).fill("Sam")
    page.get_by_label(t["loved_last"]).fill("Lopez")
    page.get_by_label(t["this_week"]).check()
    family.tab_to(page.get_by_label(t["consent"]))
    page.keyboard.press("Space")
    family.submit(t["send"])
    assert t["thanks"] in page.get_by_role("heading", level=1).inner_text()

    request = InterventionRequest.objects.get()
    assert request.requester.preferred_language == lang
    notification_deliver_due(worker="e2e")
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["maria.lopez@example.com"]
    # The e-mail says who it is from and to sign in, in the family's language; the
    # request's detail waits in the portal.
    assert t["subject"] == confirmation.subject.lower()
    assert "Sam" not in confirmation.body

    # The intake desk accepts; the requester becomes the first participant.
    interventionist = Membership.objects.get(organization=org, user=members[Role.INTERVENTIONIST])
    services.request_accept(
        actor=members[Role.INTERVENTIONIST], request=request, interventionist=interventionist
    )

    family.follow(t["family_page"])
    page.get_by_label(re.compile("e-?mail|correo", re.I)).fill("maria.lopez@example.com")
    mail.outbox.clear()
    family.submit(t["code_button"])
    code = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", mail.outbox[-1].body, re.M).group(1)
    page.get_by_label(t["code_label"]).fill(code)
    family.submit(t["sign_in"])

    family.visit(f"/{org.slug}/portal/interventions/")
    family.follow(t["letter_link"])
    page.get_by_label(t["letter_label"]).fill("Sam, we love you and we want you back.")
    family.submit(t["save"])
    assert t["saved"] in page.get_by_role("status").inner_text()
    letter = Letter.objects.get()
    assert letter.status == LetterStatus.DRAFT
    assert letter.body.startswith("Sam, we love you")

    # Later, on another device whose browser asks for English pages: signing in brings
    # back the language chosen on the first one, for the family's own check-in too.
    laptop = site.open(phone=False)
    laptop.visit(reverse("account_request_login_code") + f"?next=/{org.slug}/portal/interventions/")
    laptop.page.get_by_label(re.compile("e-?mail", re.I)).fill("maria.lopez@example.com")
    mail.outbox.clear()
    laptop.submit(re.compile("request code", re.I))
    code = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", mail.outbox[-1].body, re.M).group(1)
    laptop.page.get_by_label(re.compile("code", re.I)).fill(code)
    laptop.submit(re.compile("^confirm$", re.I))
    page = laptop.page
    assert page.locator("html").get_attribute("lang") == lang
    assert t["together"] in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", name=t["how_are_you"]).is_visible()
    assert page.get_by_text(t["calm"]).is_visible()
    laptop.screenshot(f"portal-intervention-{lang}")
    for question in ("mood", "stress"):
        page.locator(f'input[name="{question}"][value="4"]').check()
    laptop.submit(t["send_checkin"])
    assert t["checkin_thanks"] in page.get_by_role("status").inner_text()
