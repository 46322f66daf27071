"""Secure messaging: a discharged client (on a phone, in Spanish) writes to the team; the
coach (at a desk) finds it in the inbox with its unread count, replies, and the client
reads the reply. No page scrolls sideways at 390 px."""

import re

from continuum.messaging.models import Message
from continuum.tenancy.models import Membership, Role
from tests.people.factories import CareTeamMemberFactory, ClientFactory

from .browser import page_width_overflow


def _fits_the_phone(page) -> bool:
    return not page_width_overflow(page)


def test_client_and_coach_converse(site, in_org, members):
    org = in_org
    client_user, coach_user = members[Role.CLIENT], members[Role.SOBER_COACH]
    client = ClientFactory(
        organization=org, first_name="Jordan", last_name="Reyes", portal_user=client_user
    )
    CareTeamMemberFactory(
        organization=org,
        client=client,
        membership=Membership.objects.get(organization=org, user=coach_user),
        role=Role.SOBER_COACH,
    )

    phone = site.open(phone=True, locale="es-ES")
    phone.log_in_as(client_user)
    phone.visit(f"/{org.slug}/portal/")
    phone.follow("Abrir mensajes")
    assert _fits_the_phone(phone.page)
    phone.follow("Escribir a su equipo")
    phone.submit("Abrir la conversación")
    phone.page.get_by_label("Su mensaje").fill("Hoy fue un día difícil, ¿podemos hablar?")
    phone.submit("Enviar")
    assert _fits_the_phone(phone.page)
    assert Message.objects.get().author == client_user

    desk = site.open(phone=False)
    desk.log_in_as(coach_user)
    desk.visit(f"/{org.slug}/staff/messages/")
    assert "1 new" in desk.page.get_by_role("listitem").filter(has_text="Jordan Reyes").inner_text()
    desk.follow("Jordan Reyes")
    assert "¿podemos hablar?" in desk.page.inner_text("main")
    desk.page.get_by_label("Your message").fill("Of course. I will call you at 5.")
    desk.submit("Send")

    phone.visit(f"/{org.slug}/portal/messages/")
    phone.follow(re.compile(r"^\s*Su equipo\s*$"))
    assert "I will call you at 5." in phone.page.inner_text("main")
    assert _fits_the_phone(phone.page)
