"""How the isolation matrix builds a URL's objects.

Each entry maps a URL keyword (as named in the URL patterns) to a function that creates
an object of that kind in the given organization and returns the value for the URL.
A new URL keyword needs an entry here; the matrix fails for any keyword it cannot fill."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from continuum.tenancy.models import Invitation, Membership, Role
from tests.care import factories as care_objects
from tests.casemanagement import factories as casemgmt_objects
from tests.coaching.factories import AlertFactory, EngagementFactory
from tests.consent.factories import ConsentFactory
from tests.factories import UserFactory
from tests.interventions import factories as interventions_objects
from tests.notifications.factories import feed_token_for_matrix, notification_id_for_matrix
from tests.people.factories import ClientFactory
from tests.referrals import factories as referral_objects


def _member_id(org):
    membership = Membership.objects.create(
        organization=org, user=UserFactory(), roles=[Role.SOBER_COACH]
    )
    return str(membership.public_id)


def _invitation(org):
    token = secrets.token_urlsafe(16)
    inviter = UserFactory()
    invitation = Invitation.objects.create(
        organization=org,
        email=f"invitee-{token[:6].lower()}@example.com",
        roles=[Role.CASE_MANAGER],
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=7),
    )
    return invitation, token


def _client(org):
    return ClientFactory(organization=org, first_name="Robin", last_name="Vale")


def _consent_id(org):
    return str(ConsentFactory(client=_client(org)).public_id)


URL_OBJECTS = {
    "member_id": _member_id,
    "invitation_id": lambda org: str(_invitation(org)[0].public_id),
    "token": lambda org: _invitation(org)[1],
    "client_id": lambda org: str(_client(org).public_id),
    "consent_id": _consent_id,
    "notification_id": notification_id_for_matrix,
    "feed_token": feed_token_for_matrix,
    "episode_id": lambda org: str(care_objects.episode_for_matrix(org).public_id),
    "task_id": lambda org: str(care_objects.task_for_matrix(org).public_id),
    "handoff_run_id": lambda org: str(care_objects.handoff_run_for_matrix(org).public_id),
    "safety_event_id": lambda org: str(care_objects.safety_event_for_matrix(org).public_id),
    "care_team_member_id": lambda org: str(care_objects.care_team_member_for_matrix(org).public_id),
    "listing_id": lambda org: str(referral_objects.make_listing(org).public_id),
    "import_id": lambda org: str(referral_objects.import_job(org).public_id),
    "referral_id": lambda org: str(referral_objects.make_referral(org).public_id),
    "response_token": referral_objects.response_token,
    "mapping_id": lambda org: str(referral_objects.taxonomy_mapping(org).public_id),
    "capacity_token": referral_objects.capacity_token,
    "engagement_id": lambda org: str(EngagementFactory(organization=org).public_id),
    "coaching_alert_id": lambda org: str(AlertFactory(organization=org).public_id),
    "request_id": lambda org: str(interventions_objects.request_for_matrix(org).public_id),
    "intervention_id": lambda org: str(
        interventions_objects.intervention_for_matrix(org).public_id
    ),
    "letter_id": lambda org: str(interventions_objects.letter_for_matrix(org).public_id),
    "cm_goal_id": lambda org: str(casemgmt_objects.goal_for_matrix(org).public_id),
    "cm_step_id": lambda org: str(casemgmt_objects.step_for_matrix(org).public_id),
    "cm_appointment_id": lambda org: str(casemgmt_objects.appointment_for_matrix(org).public_id),
    "cm_medication_id": lambda org: str(casemgmt_objects.medication_for_matrix(org).public_id),
    "cm_instrument": lambda org: "phq9",
    "fhir_patient_id": lambda org: str(_client(org).public_id),
    "fhir_episode_id": lambda org: str(care_objects.episode_for_matrix(org).public_id),
    "fhir_careplan_id": lambda org: str(casemgmt_objects.plan_for(_client(org)).public_id),
    "fhir_appointment_id": lambda org: str(casemgmt_objects.appointment_for_matrix(org).public_id),
    "fhir_consent_id": _consent_id,
    "fhir_servicerequest_id": lambda org: str(
        referral_objects.make_referral(org, client=_client(org)).public_id
    ),
}
