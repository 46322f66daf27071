"""Every state change of sober coaching: one function per use case, one transaction, an
audit event beside each write, follow-up work after commit.

One module per entity; every public name is re-exported here, so callers import
`from coaching import services` or `from coaching.services import x`."""

from continuum.tenancy.timezones import local_now

from ..models import AccompanimentKind, Intensity
from .alerts import (
    ALERT_KIND,
    SAFETY_CAUSES,
    SAFETY_KIND,
    SCANNED_CAUSES,
    alert_acknowledge,
    alert_raise,
    alert_resolve,
    alerts_scan,
    coach_available,
    help_request,
    is_safety_alert,
)
from .checkins import (
    checkin_is_safety_event,
    checkin_record,
)
from .coaches import (
    CERTIFICATION_WARNING,
    certification_add,
    certifications_scan,
    coach_profile_save,
)
from .contacts import (
    contact_log,
    meeting_record,
    sobriety_test_record,
)
from .engagements import (
    ENGAGEMENT_SETTINGS,
    engagement_propose,
    engagement_set_status,
    engagement_update,
)
from .plans import (
    HIGH_RISK_DAY_KIND,
    HIGH_RISK_SHORT_NOTICE,
    REMINDER_KIND,
    high_risk_event_add,
    plan_save,
)

__all__ = [
    "ALERT_KIND",
    "CERTIFICATION_WARNING",
    "ENGAGEMENT_SETTINGS",
    "HIGH_RISK_DAY_KIND",
    "HIGH_RISK_SHORT_NOTICE",
    "REMINDER_KIND",
    "SAFETY_CAUSES",
    "SAFETY_KIND",
    "SCANNED_CAUSES",
    "AccompanimentKind",
    "Intensity",
    "alert_acknowledge",
    "alert_raise",
    "alert_resolve",
    "alerts_scan",
    "certification_add",
    "certifications_scan",
    "checkin_is_safety_event",
    "checkin_record",
    "coach_available",
    "coach_profile_save",
    "contact_log",
    "engagement_propose",
    "engagement_set_status",
    "engagement_update",
    "help_request",
    "high_risk_event_add",
    "is_safety_alert",
    "local_now",
    "meeting_record",
    "plan_save",
    "sobriety_test_record",
]
