"""How the isolation matrix builds a URL's objects.

Each entry maps a URL keyword (as named in the URL patterns) to a function that creates
an object of that kind in the given organization and returns the value for the URL.
A new URL keyword needs an entry here; the matrix fails for any keyword it cannot fill."""

import secrets

from continuum.tenancy.models import Role
from tests.alumni.factories import EventFactory, HelpRequestFactory
from tests.care.factories import (
    EpisodeFactory,
    HandoffRunFactory,
    TaskFactory,
    safety_event_for_matrix,
)
from tests.casemanagement.factories import (
    AppointmentFactory,
    CarePlanFactory,
    GoalFactory,
    GoalStepFactory,
    MedicationFactory,
    QuestionnaireAssignmentFactory,
)
from tests.coaching.factories import AlertFactory, CoachFactory, EngagementFactory
from tests.consent.factories import ConsentFactory
from tests.factories import InvitationFactory, invitation_token_hash
from tests.interventions.factories import (
    InterventionFactory,
    InterventionRequestFactory,
    LetterFactory,
    ParticipantFactory,
    SessionFactory,
)
from tests.messaging.factories import thread_for_matrix
from tests.notifications.factories import NotificationFactory, feed_token_for_matrix
from tests.outcomes.factories import FollowUpFactory, link_token
from tests.people.factories import CareTeamMemberFactory, ClientFactory
from tests.referrals.factories import (
    ImportJobFactory,
    ListingFactory,
    ReferralFactory,
    TaxonomyMappingFactory,
    capacity_token,
    response_token,
)


def _public_id(factory_class, reach="organization", **values):
    """Builds one `factory_class` object in the organization, reached through `reach`
    (a factory_boy path such as "plan__client__organization"), and gives its public id."""
    return lambda org: str(factory_class(**{reach: org}, **values).public_id)


def _client(org):
    return ClientFactory(organization=org, first_name="Robin", last_name="Vale")


def _of_client(factory_class, **values):
    """The public id of a `factory_class` record of a new client in the organization."""
    return lambda org: str(factory_class(organization=org, client=_client(org), **values).public_id)


def _invitation_token(org):
    token = secrets.token_urlsafe(16)
    InvitationFactory(organization=org, token_hash=invitation_token_hash(token))
    return token


def _care_team_member_id(org):
    membership = CoachFactory(organization=org)
    return str(CareTeamMemberFactory(client=_client(org), membership=membership).public_id)


URL_OBJECTS = {
    "member_id": _public_id(CoachFactory),
    "invitation_id": _public_id(InvitationFactory),
    "token": _invitation_token,
    "client_id": lambda org: str(_client(org).public_id),
    "consent_id": _of_client(ConsentFactory),
    "notification_id": _public_id(NotificationFactory),
    "feed_token": feed_token_for_matrix,
    "episode_id": _public_id(EpisodeFactory, "client__organization"),
    "task_id": _public_id(TaskFactory, title="Matrix task", queue_role=Role.INTAKE_COORDINATOR),
    "handoff_run_id": _public_id(HandoffRunFactory, "transition__episode__client__organization"),
    "safety_event_id": lambda org: str(safety_event_for_matrix(org).public_id),
    "care_team_member_id": _care_team_member_id,
    "listing_id": _public_id(ListingFactory),
    "import_id": _public_id(ImportJobFactory),
    "referral_id": _public_id(ReferralFactory),
    "response_token": response_token,
    "mapping_id": _public_id(TaxonomyMappingFactory),
    "capacity_token": capacity_token,
    "engagement_id": _public_id(EngagementFactory),
    "coaching_alert_id": _public_id(AlertFactory),
    "request_id": _public_id(InterventionRequestFactory),
    "intervention_id": _public_id(InterventionFactory),
    "letter_id": _public_id(LetterFactory, "participant__intervention__organization"),
    "participant_id": _public_id(ParticipantFactory, "intervention__organization"),
    "session_id": _public_id(SessionFactory, "intervention__organization"),
    "thread_id": lambda org: str(thread_for_matrix(org).public_id),
    "cm_goal_id": _public_id(GoalFactory, "plan__client__organization"),
    "cm_step_id": _public_id(GoalStepFactory, "goal__plan__client__organization"),
    "cm_appointment_id": _public_id(AppointmentFactory, "client__organization"),
    "cm_medication_id": _public_id(MedicationFactory, "client__organization"),
    "cm_instrument": lambda org: "phq9",
    "cm_questionnaire_id": _public_id(QuestionnaireAssignmentFactory, "client__organization"),
    "follow_up_id": _public_id(FollowUpFactory, "episode__client__organization"),
    "follow_up_token": link_token,
    "event_id": _public_id(EventFactory),
    "help_request_id": _of_client(HelpRequestFactory),
    "fhir_patient_id": lambda org: str(_client(org).public_id),
    "fhir_episode_id": _public_id(EpisodeFactory, "client__organization"),
    "fhir_careplan_id": _of_client(CarePlanFactory),
    "fhir_appointment_id": _public_id(AppointmentFactory, "client__organization"),
    "fhir_consent_id": _of_client(ConsentFactory),
    "fhir_servicerequest_id": _of_client(ReferralFactory),
}
