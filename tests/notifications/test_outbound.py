"""Messages that leave the platform carry no clinical content: every registered kind,
in English and Spanish, by e-mail (subject, text, HTML) and text message, says who it is
from and to sign in, and nothing else. The registry is iterated, so kinds added later
are covered without touching this file."""

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.utils import translation
from django_scopes import scope

from continuum.care.models import Phase
from continuum.notifications import kinds
from continuum.notifications.models import Channel, Notification
from continuum.notifications.services import (
    notification_deliver_due,
    notification_schedule,
    preferences_update,
)
from continuum.tenancy.models import Role
from tests.people.factories import FamilyMemberFactory

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)

# Every fact a sender might put into a context, each one clinical: none may reach the
# outside, whichever key a kind reads.
CLINICAL_CONTEXT = {
    "subject": "Relapse warning for Jordan",
    "body": "Jordan's PHQ-9 is 22; craving 9/10; methadone refill.",
    "cause": "Asked for help now",
    "instrument": "PHQ-9",
    "what": "Residential admission planning",
    "when": "2026-12-03T20:30:00+00:00",
    "due": "2026-12-03",
    "loved_one": "Jordan",
    "staff_name": "Lee Park",
    "interventionist": "Lee Park",
    "message": "Jordan is in aftercare after detox.",
    "update": "accepted",
    "escalated": True,
    "urgent": False,
    "hours": 4,
    "response_hours": 24,
    "approved": True,
    "telehealth": True,
    "accompanying": False,
    "url": "/harbor/portal/questionnaires/phq9/",
    "login_url": "/accounts/login/code/",
}

FORBIDDEN = [
    # instruments
    "PHQ",
    "GAD",
    "AUDIT",
    "BAM",
    "questionnaire",
    "cuestionario",
    "phq9",
    # recovery and clinical words
    "high-risk",
    "alto riesgo",
    "craving",
    "relapse",
    "recaída",
    "help now",
    "ayuda ahora",
    "coaching",
    "safety",
    "seguridad",
    "medication",
    "medicamento",
    "methadone",
    "refill",
    "appointment",
    "cita",
    "intervention",
    "intervención",
    "treatment",
    "tratamiento",
    "detox",
    "letter",
    "carta",
    "emergency access",
    "Jordan",
    "Lee Park",
]


def _phase_names() -> list[str]:
    names = set()
    for language in ("en", "es"):
        with translation.override(language):
            names |= {str(label) for label in Phase.labels}
    return sorted(names)


@pytest.fixture
def recipients(org, members, settings, tmp_path):
    """A Spanish-reading family member and an English-reading staff member, both taking
    e-mail and text messages for every kind."""
    settings.SMS_BACKEND = "continuum.notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    family, coach = members[Role.FAMILY_MEMBER], members[Role.SOBER_COACH]
    outbound = {kind: [Channel.EMAIL, Channel.SMS] for kind in kinds.KINDS}
    with scope(organization=org.pk):
        FamilyMemberFactory(
            organization=org,
            first_name="Ana",
            last_name="Ruiz",
            email=family.email,
            portal_user=family,
            preferred_language="es",
        )
        for user in (family, coach):
            preferences_update(
                actor=user,
                organization=org,
                channels_by_kind=outbound,
                quiet_hours_start=None,
                quiet_hours_end=None,
                sms_number="+15550100199",
            )
    return {"es": (family, "/harbor/portal/inbox/"), "en": (coach, "/harbor/staff/inbox/")}


def _outbound(org, user, kind, tmp_path, *, urgent):
    mail.outbox.clear()
    for old in tmp_path.iterdir():
        old.unlink()
    with scope(organization=org.pk):
        notification = notification_schedule(
            organization=org,
            recipient=user,
            template=kind,
            context=CLINICAL_CONTEXT,
            dedup_key=f"outbound:{kind}:{user.pk}:{urgent}",
            urgent=urgent,
        )
    notification_deliver_due(worker="outbound")
    with scope(organization=org.pk):
        notification = Notification.objects.get(pk=notification.pk)
    assert notification.status == "sent", notification.last_error
    [email] = mail.outbox
    [sms] = [json.loads(path.read_text())["body"] for path in tmp_path.iterdir()]
    return {
        "e-mail subject": email.subject,
        "e-mail text": email.body,
        "e-mail HTML": email.alternatives[0][0],
        "text message": sms,
    }


@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
@pytest.mark.parametrize("urgent", [False, True])
@time_machine.travel(NOW, tick=False)
def test_outbound_messages_say_who_and_sign_in_and_nothing_clinical(
    org, recipients, tmp_path, kind, urgent
):
    forbidden = FORBIDDEN + _phase_names()
    for language, (user, inbox) in recipients.items():
        parts = _outbound(org, user, kind, tmp_path, urgent=urgent)
        for part, text in parts.items():
            assert org.name in text, f"{kind} ({language}) {part} does not say who: {text!r}"
            if part != "e-mail subject":
                assert inbox in text, f"{kind} ({language}) {part} has no sign-in link: {text!r}"
            # The organization's name is who it is from; only the rest is checked.
            rest = text.replace(org.name, "")
            for word in forbidden:
                assert not re.search(re.escape(word), rest, re.IGNORECASE), (
                    f"{kind} ({language}) {part} says {word!r}: {text!r}"
                )
        if language == "es":
            assert "Inicie sesión" in parts["e-mail text"], parts["e-mail text"]


@time_machine.travel(NOW, tick=False)
def test_the_detail_stays_in_the_inbox(org, recipients, tmp_path):
    user, _inbox = recipients["en"]
    with scope(organization=org.pk):
        notification = notification_schedule(
            organization=org,
            recipient=user,
            template="general",
            context={"subject": "Lab results are in", "body": "See the chart.", "url": "/x/"},
            dedup_key="inbox-detail",
            channel=Channel.IN_APP,
        )
    notification_deliver_due(worker="outbound")
    with scope(organization=org.pk):
        notification = Notification.objects.get(pk=notification.pk)
    assert notification.subject == "Lab results are in" and "See the chart." in notification.body


@time_machine.travel(NOW, tick=False)
def test_an_urgent_request_for_help_keeps_the_crisis_line(org, recipients, tmp_path):
    user, _inbox = recipients["es"]
    parts = _outbound(org, user, "interventions_request_received", tmp_path, urgent=True)
    assert "911" in parts["text message"] and "988" in parts["e-mail text"]
