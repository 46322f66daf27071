"""A referral as the HL7 SDOH Clinical Care guide carries it: a ServiceRequest and a Task
that fulfills it, with the referral status as Task.status and the provider's progress in
words as Task.businessStatus."""

import pytest
from django_scopes import scope
from fhir.resources.R4B.task import Task

from referrals.fhir import TASK_BUSINESS_STATUS, referral_task
from referrals.models import ReferralStatus
from tests.people.factories import ClientFactory
from tests.referrals.factories import ReferralFactory


@pytest.mark.parametrize(
    ("status", "task_status"),
    [
        (ReferralStatus.REQUESTED, "requested"),
        (ReferralStatus.ACCEPTED, "accepted"),
        (ReferralStatus.IN_PROGRESS, "in-progress"),
        (ReferralStatus.REJECTED, "rejected"),
        (ReferralStatus.COMPLETED, "completed"),
    ],
)
def test_referral_task_status_business_status_and_code(org, status, task_status):
    with scope(organization=org.pk):
        referral = ReferralFactory(
            organization=org, client=ClientFactory(organization=org), status=status
        )
        task = referral_task(referral)
    Task.model_validate(task)
    assert task["status"] == task_status
    assert task["businessStatus"]["text"] == TASK_BUSINESS_STATUS[status]
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"]["reference"] == f"ServiceRequest/{referral.public_id}"
    assert task["basedOn"][0]["reference"] == f"ServiceRequest/{referral.public_id}"
