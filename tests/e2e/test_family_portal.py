"""The family's journey end to end, in English and in Spanish: a parent finds the help form
from the organization's landing page, asks for help, gets the confirmation with its
reference and the e-mail, signs in by the code the e-mail's link asks for, finds her
request on her home page, writes to the interventionist and reads the reply. Every page
passes axe and fits the screen (no sideways scroll) at 390 and at 1280 pixels."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from continuum.messaging.models import Message
from continuum.notifications.services import notification_deliver_due
from continuum.tenancy.models import Membership, Role
from interventions import services
from interventions.models import InterventionRequest
from tests.consent.factories import ConsentFactory
from tests.interventions.factories import (
    InterventionFactory,
    InterventionRequestFactory,
    ParticipantFactory,
    SessionFactory,
)

from .browser import assert_fits

WIDTHS = (390, 1280)

TEXT = {
    "en": {
        "locale": "en-US",
        "ask": "Ask for help with someone you love",
        "first": "Your first name",
        "last": "Your last name",
        "email": "Your e-mail address",
        "loved_first": "Your loved one's first name",
        "loved_last": "Your loved one's last name",
        "consent": "You may contact me by phone and e-mail about this request.",
        "send": "Send my request",
        "thanks": "Thank you for reaching out about Sam",
        "subject": "a message from harbor recovery",
        "code_button": re.compile("request code", re.I),
        "code_label": re.compile("code", re.I),
        "sign_in": re.compile("^confirm$", re.I),
        "request": "The request you sent",
        "read_request": "Read what you wrote",
        "status": "Where things stand",
        "interventionist": "Your interventionist is",
        "open_messages": "Open messages",
        "write": "Write to the team about Sam Lopez",
        "open_thread": "Open the conversation",
        "your_message": "Your message",
        "send_message": "Send",
        "her_thread": re.compile(r"^\s*The team, about Sam Lopez\s*$"),
        "message": "Sam came home last night. Can we talk before the meeting?",
    },
    "es": {
        "locale": "es-ES",
        "ask": "Pida ayuda para alguien que ama",
        "first": "Su nombre",
        "last": "Su apellido",
        "email": "Su correo electrónico",
        "loved_first": "Nombre de su ser querido",
        "loved_last": "Apellido de su ser querido",
        "consent": "Pueden contactarme por teléfono y correo electrónico sobre esta solicitud.",
        "send": "Enviar mi solicitud",
        "thanks": "Gracias por comunicarse sobre Sam",
        "subject": "un mensaje de harbor recovery",
        "code_button": re.compile("código", re.I),
        "code_label": re.compile("código", re.I),
        "sign_in": re.compile("^confirmar$", re.I),
        "request": "La solicitud que envió",
        "read_request": "Leer lo que escribió",
        "status": "Cómo van las cosas",
        "interventionist": "Su intervencionista es",
        "open_messages": "Abrir mensajes",
        "write": "Escribir al equipo sobre Sam Lopez",
        "open_thread": "Abrir la conversación",
        "your_message": "Su mensaje",
        "send_message": "Enviar",
        "her_thread": re.compile(r"^\s*El equipo, sobre Sam Lopez\s*$"),
        "message": "Sam volvió a casa anoche. ¿Podemos hablar antes de la reunión?",
    },
}
REPLY = "Thank you for telling me. I will call you at 6 today."


def fits_every_width(visitor):
    """The page as it is now, at a phone's and at a desktop's width: nothing scrolls
    sideways, and axe finds nothing serious; then back to the visitor's own size."""
    page = visitor.page
    own = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_fits(page)
        visitor.audit()
    page.set_viewport_size(own)


def code_from_mail(address: str) -> str:
    body = [m for m in mail.outbox if m.to == [address]][-1].body
    return re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", body, re.M).group(1)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_parent_asks_for_help_signs_in_from_the_email_and_talks_to_the_interventionist(
    site, in_org, members, lang
):
    org = in_org
    t = TEXT[lang]
    parent = site.open(phone=True, locale=t["locale"])
    page = parent.page

    # The landing page leads to the help form.
    parent.visit(f"/{org.slug}/")
    fits_every_width(parent)
    parent.follow(t["ask"])
    assert page.url.endswith(f"/{org.slug}/help/")
    fits_every_width(parent)

    page.get_by_label(t["first"]).fill("Maria")
    page.get_by_label(t["last"]).fill("Lopez")
    page.get_by_label(t["email"]).fill("maria.lopez@example.com")
    page.get_by_label(t["loved_first"]).fill("Sam")
    page.get_by_label(t["loved_last"]).fill("Lopez")
    page.get_by_label(t["consent"]).check()
    parent.submit(t["send"])
    assert t["thanks"] in page.get_by_role("heading", level=1).inner_text()
    request = InterventionRequest.objects.get()
    assert request.reference in page.locator(".reference").inner_text()
    fits_every_width(parent)

    # The confirmation e-mail, drained from the outbox as the worker would.
    notification_deliver_due(worker="e2e")
    confirmation = [m for m in mail.outbox if m.to == ["maria.lopez@example.com"]][-1]
    assert confirmation.subject.lower() == t["subject"]
    link = re.search(r"https?://\S+(/accounts/login/code/\?org=[\w-]+)", confirmation.body)
    assert link, confirmation.body

    # Intake accepts: the interventionist leads, and Maria is the first participant. Sam
    # has signed a consent that keeps Maria involved, which their conversation needs.
    interventionist = members[Role.INTERVENTIONIST]
    services.request_accept(
        actor=interventionist,
        request=request,
        interventionist=Membership.objects.get(organization=org, user=interventionist),
    )
    ConsentFactory(
        client=request.client,
        recipient_kind="family_member",
        recipient_name="",
        recipient_family_member=request.requester,
        purposes=["family_involvement"],
        information_categories=["progress", "status"],
    )

    # The e-mail's link: sign in with a code, no password.
    parent.visit(link.group(1))
    fits_every_width(parent)
    page.get_by_label(re.compile("e-?mail|correo", re.I)).fill("maria.lopez@example.com")
    mail.outbox.clear()
    parent.submit(t["code_button"])
    page.get_by_label(t["code_label"]).fill(code_from_mail("maria.lopez@example.com"))
    parent.submit(t["sign_in"])
    assert page.url.endswith(f"/{org.slug}/portal/"), page.url

    # Her home: where things stand, with her interventionist, and her request as she sent it.
    main = page.locator("main")
    assert page.get_by_role("heading", name=t["status"]).is_visible()
    assert f"{t['interventionist']} {interventionist.get_full_name()}" in main.inner_text()
    assert page.get_by_role("heading", name=t["request"]).is_visible()
    page.get_by_text(t["read_request"]).click()
    assert request.reference in main.inner_text()
    fits_every_width(parent)
    parent.screenshot(f"portal-family-home-{lang}")

    # She writes to the interventionist.
    parent.follow(t["open_messages"])
    fits_every_width(parent)
    parent.follow(t["write"])
    parent.submit(t["open_thread"])
    page.get_by_label(t["your_message"]).fill(t["message"])
    parent.submit(t["send_message"])
    fits_every_width(parent)
    assert Message.objects.get().author.email == "maria.lopez@example.com"

    # The interventionist, at a desk, finds it and replies.
    desk = site.open(phone=False)
    desk.log_in_as(interventionist)
    desk.visit(f"/{org.slug}/staff/messages/")
    desk.follow("Maria Lopez")
    assert t["message"] in desk.page.inner_text("main")
    desk.page.get_by_label("Your message").fill(REPLY)
    desk.submit("Send")

    # She reads the reply.
    parent.visit(f"/{org.slug}/portal/messages/")
    parent.follow(t["her_thread"])
    assert REPLY in page.inner_text("main")
    fits_every_width(parent)


HOME_TEXT = {
    "en": {
        "locale": "en-US",
        "next": "Your next meeting",
        "yes": "Will attend",
        "send_answer": "Send my answer",
        "recorded": "we recorded your answer: “Will attend”",
        "mood": "How is your mood today?",
        "calm": "How calm do you feel today?",
        "send_checkin": "Send my check-in",
        "saved": "Your check-in is saved.",
        "history": "mood 2 of 5, calm 4 of 5",
        "plan": "Our family's response plan",
        "start_letter": "Start my letter",
    },
    "es": {
        "locale": "es-ES",
        "next": "Su próxima reunión",
        "yes": "Asistiré",
        "send_answer": "Enviar mi respuesta",
        "recorded": "registramos su respuesta: «Asistiré»",
        "mood": "¿Cómo está su ánimo hoy?",
        "calm": "¿Qué tan tranquilo se siente hoy?",
        "send_checkin": "Enviar mi registro",
        "saved": "Guardamos su registro.",
        "history": "ánimo 2 de 5, calma 4 de 5",
        "plan": "El plan de respuesta de nuestra familia",
        "start_letter": "Empezar mi carta",
    },
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_family_home_through_the_intervention(site, in_org, members, lang):
    """A parent on her phone answers the next meeting's invitation with one tap, records
    how she is, and after a decline finds the family's response plan where her letter's
    "Start" used to be."""
    org, t = in_org, HOME_TEXT[lang]
    family_user = members[Role.FAMILY_MEMBER]
    interventionist = members[Role.INTERVENTIONIST]
    request = InterventionRequestFactory(
        organization=org,
        client__first_name="Sam",
        requester__email=family_user.email,
        requester__portal_user=family_user,
        requester__preferred_language=lang,
    )
    intervention = InterventionFactory(
        organization=org,
        request=request,
        interventionist=Membership.objects.get(organization=org, user=interventionist),
    )
    participant = ParticipantFactory(intervention=intervention, family_member=request.requester)
    SessionFactory(intervention=intervention)

    parent = site.open(phone=True, locale=t["locale"])
    parent.log_in_as(family_user)
    page = parent.page
    parent.visit(f"/{org.slug}/portal/")
    fits_every_width(parent)
    meeting = page.locator("section", has=page.get_by_role("heading", name=t["next"]))
    meeting.get_by_text(t["yes"], exact=True).click()
    parent.submit(t["send_answer"], within=meeting)
    assert t["recorded"] in page.get_by_role("status").inner_text()
    participant.refresh_from_db()
    assert participant.meeting_answers.get().answer == "yes"
    fits_every_width(parent)

    # Her own check-in: two rows of buttons and a note.
    checkin = page.locator("form", has=page.get_by_text(t["mood"]))
    checkin.get_by_role("group", name=t["mood"]).get_by_text("2", exact=True).click()
    checkin.get_by_role("group", name=t["calm"]).get_by_text("4", exact=True).click()
    parent.submit(t["send_checkin"], within=checkin)
    assert t["saved"] in page.get_by_role("status").inner_text()
    assert t["history"] in page.inner_text("main")

    # The day ends in a decline; Sam's consent lets Maria know, and the plan is shared.
    services.outcome_record(
        actor=interventionist,
        intervention=intervention,
        outcome="declined",
        early_reason="The family met before a date was set",
    )
    ConsentFactory(
        client=request.client,
        recipient_kind="family_member",
        recipient_name="",
        recipient_family_member=request.requester,
        purposes=["family_involvement"],
        information_categories=["status"],
    )
    services.response_plan_save(
        actor=interventionist,
        intervention=intervention,
        boundaries="No more money. Rides only to treatment.",
        next_checkin_on=timezone.localdate() + timedelta(days=14),
        share=True,
    )
    parent.visit(f"/{org.slug}/portal/")
    assert page.get_by_role("heading", name=t["plan"]).is_visible()
    assert "No more money. Rides only to treatment." in page.inner_text("main")
    assert t["start_letter"] not in page.inner_text("main")
    assert page.get_by_role("heading", name=t["next"]).count() == 0
    fits_every_width(parent)
