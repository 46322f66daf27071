"""A status lifecycle is declared once; open and final statuses follow from it."""

import pytest

from coaching.models import (
    ENGAGEMENT_TRANSITIONS,
    OPEN_ENGAGEMENT_STATUSES,
    Engagement,
    EngagementStatus,
)
from continuum.care.models import ALLOWED_TRANSITIONS as PHASE_TRANSITIONS
from continuum.care.models import Phase
from continuum.choices import Lifecycle
from referrals.models import ALLOWED_TRANSITIONS as REFERRAL_TRANSITIONS
from referrals.models import TERMINAL_STATUSES, Referral, ReferralStatus


def test_a_status_nothing_follows_is_final_and_every_other_is_open():
    assert OPEN_ENGAGEMENT_STATUSES == (
        EngagementStatus.PROPOSED,
        EngagementStatus.ACTIVE,
        EngagementStatus.PAUSED,
    )
    assert ENGAGEMENT_TRANSITIONS.final == {
        EngagementStatus.COMPLETED,
        EngagementStatus.ENDED_EARLY,
    }
    assert sorted(TERMINAL_STATUSES) == ["cancelled", "completed", "failed", "rejected"]
    assert PHASE_TRANSITIONS.final == {Phase.CLOSED}


def test_every_status_reads_what_may_follow_it_in_declared_order():
    assert PHASE_TRANSITIONS[Phase.CLOSED] == ()
    # An alumnus may come back to aftercare when they ask for help again.
    assert PHASE_TRANSITIONS[Phase.ALUMNI] == (Phase.AFTERCARE, Phase.CLOSED)
    assert set(REFERRAL_TRANSITIONS) == set(ReferralStatus)
    assert REFERRAL_TRANSITIONS.get(ReferralStatus.COMPLETED, None) == ()
    engagement = Engagement(status=EngagementStatus.PAUSED)
    assert engagement.allowed_next_statuses == (
        EngagementStatus.ACTIVE,
        EngagementStatus.COMPLETED,
        EngagementStatus.ENDED_EARLY,
    )
    assert engagement.is_open
    referral = Referral(status=ReferralStatus.ON_HOLD)
    assert referral.allowed_next() == ["cancelled", "failed", "in_progress"]
    assert not Referral(status=ReferralStatus.FAILED).is_open


def test_a_transition_naming_an_unknown_status_is_refused_when_declared():
    with pytest.raises(ValueError, match="archived"):
        Lifecycle(EngagementStatus, {EngagementStatus.ACTIVE: ("archived",)})
    with pytest.raises(ValueError, match="draft"):
        Lifecycle(EngagementStatus, {"draft": (EngagementStatus.ACTIVE,)})
