"""Follow-up objects for tests: each belongs to its client's organization."""

from datetime import timedelta

import factory
from django.utils import timezone

from continuum.care.models import Phase
from outcomes.models import AgreementSource, FollowUp, FollowUpAgreement, FollowUpStatus
from tests.care.factories import EpisodeFactory
from tests.factories import TenantFactory, UserFactory
from tests.people.factories import ClientRecordFactory


class AgreementFactory(ClientRecordFactory):
    class Meta:
        model = FollowUpAgreement

    agreed = True
    source = AgreementSource.STAFF
    recorded_by = factory.SubFactory(UserFactory)


class FollowUpFactory(TenantFactory):
    """A 30-day follow-up, sent today with its link open for 14 days."""

    class Meta:
        model = FollowUp

    class Params:
        scheduled = factory.Trait(
            status=FollowUpStatus.SCHEDULED, sent_at=None, expires_at=None, link_nonce=""
        )

    episode = factory.SubFactory(
        EpisodeFactory,
        phase=Phase.AFTERCARE,
        discharge_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30)),
    )
    organization = factory.SelfAttribute("episode.organization")
    client = factory.SelfAttribute("episode.client")
    offset_days = 30
    due_on = factory.LazyFunction(timezone.localdate)
    status = FollowUpStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    link_nonce = factory.Sequence(lambda n: f"nonce{n:08d}")


def link_token(org) -> str:
    """A live survey link of a new follow-up in `org` (the isolation matrix's)."""
    from outcomes.services import follow_up_link_token

    return follow_up_link_token(FollowUpFactory(episode__client__organization=org))


def answers(**overrides) -> dict:
    """A complete survey, as the form posts it: BARC-10 all 4s (total 40)."""
    values = {
        "days_alcohol": "2",
        "days_cannabis": "0",
        "days_opioids": "0",
        "days_stimulants": "0",
        "days_sedatives": "0",
        "days_other_drugs": "0",
        "returned_to_treatment": "no",
        "emergency_care": "no",
        "housing": "recovery",
        "work_school": "part_time",
        "legal_trouble": "no",
        "quality_of_life": "4",
        **{f"barc_q{n}": "4" for n in range(1, 11)},
    }
    values.update(overrides)
    return values
