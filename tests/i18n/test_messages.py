"""Every message sent to families and clients reaches a Spanish-speaking recipient in
Spanish: the detail in the portal inbox, and the e-mail (subject, text and HTML) and text
message that tell them to sign in; the same message to someone who reads English stays
English."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import translation
from django_scopes import scope

from continuum.notifications import kinds
from continuum.notifications.models import Channel, Notification
from continuum.notifications.services import (
    notification_deliver_due,
    notification_schedule,
    preferences_update,
)
from continuum.people.models import FamilyMember
from continuum.tenancy.models import Role
from interventions import services as interventions
from interventions.models import SessionKind
from tests.interventions.factories import (
    InterventionFactory,
    ParticipantFactory,
)
from tests.people.factories import FamilyMemberFactory

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
AT = "2026-12-03T20:30:00+00:00"  # 3:30 p.m. in Harbor's time zone (New York)
URL = "/harbor/portal/"

# kind: (context, Spanish the recipient must read, English the same message says).
MESSAGES = {
    "appointment_reminder": (
        {"when": AT, "telehealth": True, "accompanying": False, "url": URL},
        [
            "Recordatorio de cita",
            "Tiene una cita el 3 de diciembre de 2026 a las 15:30",
            "consulta por video",
        ],
        ["Appointment reminder", "You have an appointment on Dec 3, 2026, 3:30 PM"],
    ),
    "assessment_reminder": (
        {"instrument": "PHQ-9", "url": URL},
        ["Tiene un cuestionario listo para responder", "el cuestionario PHQ-9"],
        ["A check-in questionnaire is ready", "fill in the PHQ-9 questionnaire"],
    ),
    "follow_up_survey": (
        {"url": URL},
        ["Sus preguntas de seguimiento están listas", "Toman unos cinco minutos"],
        ["Your follow-up questions are ready", "They take about five minutes"],
    ),
    "refill_reminder": (
        {"due": "2026-12-03", "url": URL},
        ["Pronto debe surtir un medicamento", "antes del 3 de diciembre de 2026"],
        ["Medication refill due soon", "due on Dec 3, 2026"],
    ),
    "coaching_reminder": (
        {"when": AT, "url": URL},
        ["Recordatorio: se acerca un día de alto riesgo", "3 de diciembre de 2026 a las 15:30"],
        ["Reminder: a high-risk day is coming up", "Dec 3, 2026, 3:30 PM"],
    ),
    "interventions_request_received": (
        {
            "loved_one": "Sam",
            "response_hours": 24,
            "urgent": True,
            "url": URL,
            "login_url": "/accounts/login/code/",
        },
        ["Recibimos su solicitud de ayuda", "marque 988 y oprima 2"],
        ["We received your request for help", "Call 911"],
    ),
    "interventions_request_update": (
        {
            "update": "accepted",
            "interventionist": "Lee Park",
            "message": "Lee Park will be your interventionist and will contact you to begin planning together.",
            "url": URL,
        },
        ["Novedades sobre su solicitud de ayuda", "Lee Park será su intervencionista"],
        ["News about your request for help", "Lee Park will be your interventionist"],
    ),
    "interventions_portal_invite": (
        {"url": URL, "login_url": "/accounts/login/code/"},
        ["Le invitan a ayudar a un ser querido", "Entre con un código"],
        ["You are invited to help a loved one", "Sign in with a code"],
    ),
    "interventions_reminder": (
        {"what": "Planning meeting", "when": AT, "url": URL},
        ["Recordatorio: Reunión de planificación", "3 de diciembre de 2026 a las 15:30"],
        ["Reminder: Planning meeting", "Dec 3, 2026, 3:30 PM"],
    ),
    "interventions_letter_reviewed": (
        {"approved": True, "url": URL},
        ["Su carta está aprobada", "Su intervencionista aprobó su carta"],
        ["Your letter is approved", "Your interventionist approved your letter"],
    ),
    "interventions_response_plan": (
        {"url": URL},
        ["El plan de respuesta de su familia", "está listo para leer"],
        ["Your family's response plan", "is ready to read"],
    ),
    "interventions_follow_up": (
        {"what": "A check-in with your family", "url": URL},
        ["Un seguimiento con su familia", "¿Cómo está usted?"],
        ["A check-in with your family", "How are you doing?"],
    ),
    "message_received": (
        {"from": "Carmen Ruiz", "url": URL},
        ["Mensaje nuevo de Carmen Ruiz", "Carmen Ruiz le ha escrito."],
        ["New message from Carmen Ruiz", "Carmen Ruiz has written to you."],
    ),
    "portal_invitation": (
        {"url": URL},
        ["Bienvenido a su portal con Harbor Recovery", "Ahora puede leer y enviar mensajes"],
        ["Welcome to your portal with Harbor Recovery", "You can now read and send secure"],
    ),
    "alumni_milestone": (
        {"count": 6, "unit": "months", "url": URL},
        ["Un hito en su recuperación", "6 meses"],
        ["A milestone in your recovery", "6 months"],
    ),
    "alumni_event_reminder": (
        {"title": "Noche de exalumnos", "time": "18:30", "url": URL},
        ["Recordatorio: un evento de exalumnos mañana", "mañana a las 18:30"],
        ["Reminder: an alumni event tomorrow", "tomorrow at 18:30"],
    ),
    "alumni_checkin": (
        {"url": URL},
        ["Su registro mensual", "Tres preguntas breves"],
        ["Your monthly check-in", "Three short questions"],
    ),
    "general": (
        {"subject": "Harbor", "body": "—", "url": URL},
        ["Harbor", "— Harbor Recovery"],
        ["Harbor", "— Harbor Recovery"],
    ),
}
# What leaves the platform (e-mail and text message) is the same for every kind: who it
# is from and to sign in, in the reader's language.
OUTBOUND = {
    "es": {
        "e-mail subject": "Un mensaje de Harbor Recovery",
        "e-mail text": "Harbor Recovery tiene un mensaje nuevo para usted. Inicie sesión para leerlo:",
        "e-mail HTML": "Inicie sesión para leerlo",
        "text message": "Harbor Recovery: mensaje nuevo. Inicie sesión para leerlo:",
    },
    "en": {
        "e-mail subject": "A message from Harbor Recovery",
        "e-mail text": "Harbor Recovery has a new message for you. Sign in to read it:",
        "e-mail HTML": "Sign in to read it",
        "text message": "Harbor Recovery: new message. Sign in to read it:",
    },
}
# Sent to staff only; staff pages and messages may stay English.
STAFF_MESSAGES = {
    "break_glass",
    "coaching_alert",
    "safety_event",
    "interventions_request_urgent",
    "interventions_request_overdue",
    "interventions_letter_submitted",
}


def test_every_kind_is_either_for_families_and_clients_or_for_staff():
    assert set(kinds.KINDS) == set(MESSAGES) | STAFF_MESSAGES


@pytest.fixture
def readers(org, members, settings, tmp_path):
    """A family member who reads Spanish and one who reads English, both taking e-mail,
    text messages and the portal inbox."""
    settings.SMS_BACKEND = "continuum.notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    spanish, english = members[Role.FAMILY_MEMBER], members[Role.CLIENT]
    every_channel = {kind: list(Channel.values) for kind in MESSAGES}
    with scope(organization=org.pk):
        for user, language in ((spanish, "es"), (english, "en")):
            FamilyMemberFactory(
                organization=org,
                first_name="Ana",
                last_name="Ruiz",
                email=user.email,
                portal_user=user,
                preferred_language=language,
            )
            preferences_update(
                actor=user,
                organization=org,
                channels_by_kind=every_channel,
                quiet_hours_start=None,
                quiet_hours_end=None,
                sms_number="+15550100199",
            )
    return {"es": spanish, "en": english}


def _deliver(org, user, kind, context, tmp_path):
    mail.outbox.clear()
    for old in tmp_path.iterdir():
        old.unlink()
    with scope(organization=org.pk):
        notification = notification_schedule(
            organization=org,
            recipient=user,
            template=kind,
            context=context,
            dedup_key=f"{kind}:{user.pk}",
        )
    notification_deliver_due(worker="i18n")
    [email] = mail.outbox
    [sms] = [json.loads(path.read_text())["body"] for path in tmp_path.iterdir()]
    with scope(organization=org.pk):
        notification = Notification.objects.get(pk=notification.pk)
    return {
        "e-mail subject": email.subject,
        "e-mail text": email.body,
        "e-mail HTML": email.alternatives[0][0],
        "text message": sms,
        "inbox": f"{notification.subject}\n{notification.body}",
    }


@pytest.mark.parametrize("kind", sorted(MESSAGES))
@time_machine.travel(NOW, tick=False)
def test_message_is_in_the_recipients_language(org, readers, tmp_path, kind):
    context, spanish, english = MESSAGES[kind]
    for language, expected in (("es", spanish), ("en", english)):
        parts = _deliver(org, readers[language], kind, context, tmp_path)
        # The detail is in the inbox copy, in the reader's language, subject first.
        inbox = parts["inbox"]
        for phrase in expected:
            assert phrase in inbox, f"{kind} ({language}): {phrase!r} missing from\n{inbox}"
        subject = expected[0] if kind != "general" else context["subject"]
        assert subject in inbox.splitlines()[0], f"{kind} ({language}) inbox: {inbox!r}"
        # E-mail and text message say who and to sign in, in the reader's language too.
        for part, wording in OUTBOUND[language].items():
            assert wording in parts[part], f"{kind} ({language}) {part}: {parts[part]!r}"


@time_machine.travel(NOW, tick=False)
def test_a_meeting_reminder_is_worded_for_the_family_whatever_the_staff_member_reads(
    org, members, tmp_path, settings
):
    """The service stores the meeting's kind as written in the code, so the reminder is
    translated for each family member, not frozen in the language of the staff member
    who scheduled it."""
    family = members[Role.FAMILY_MEMBER]
    with scope(organization=org.pk):
        intervention = InterventionFactory(organization=org)
        participant = ParticipantFactory(intervention=intervention, user=family)
        FamilyMember.objects.filter(pk=participant.family_member_id).update(preferred_language="es")
        with translation.override("es"):
            interventions.session_schedule(
                actor=members[Role.INTERVENTIONIST],
                intervention=intervention,
                kind=SessionKind.PLANNING,
                starts_at=NOW + timedelta(hours=2),
            )
        reminder = Notification.objects.get(template="interventions_reminder")
    assert reminder.context["what"] == "Planning meeting"
    notification_deliver_due(worker="i18n")
    with scope(organization=org.pk):
        reminder.refresh_from_db()
    assert reminder.subject == "Recordatorio: Reunión de planificación"


@time_machine.travel(NOW, tick=False)
def test_an_assigned_questionnaires_reminder_names_its_due_day_in_the_readers_language(
    org, readers, tmp_path
):
    context = {"instrument": "GAD-7", "due": "2026-12-03", "url": URL}
    expected = {
        "es": "le pidió llenar el cuestionario GAD-7 a más tardar el 3 de diciembre de 2026",
        "en": "asked you to fill in the GAD-7 questionnaire by Dec 3, 2026",
    }
    for language, phrase in expected.items():
        inbox = _deliver(org, readers[language], "assessment_reminder", context, tmp_path)["inbox"]
        assert phrase in inbox, inbox
        assert "again" not in inbox and "volver a llenar" not in inbox
