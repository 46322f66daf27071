"""What the coaching line's use cases share."""

import logging

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change, client_id_of

from ..models import (
    OPEN_ENGAGEMENT_STATUSES,
    Engagement,
    EngagementStatus,
)

logger = logging.getLogger(__name__)


def _engagement_url(engagement: Engagement) -> str:
    return reverse(
        "staff:coaching_engagement",
        kwargs={"org": engagement.organization.slug, "engagement_id": engagement.public_id},
    )


def _require_open(engagement: Engagement, *, active: bool = False) -> None:
    allowed = (EngagementStatus.ACTIVE,) if active else OPEN_ENGAGEMENT_STATUSES
    if engagement.status not in allowed:
        raise ValidationError(
            _("This engagement is %(status)s; nothing more can be recorded on it.")
            % {"status": str(engagement.get_status_display()).lower()}
        )


def _full_clean(obj, exclude=("organization", "engagement", "coach", "client")) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def _audit(actor, engagement: Engagement, action: str, obj, *, detail=None) -> None:
    # Everything recorded in coaching is about the engagement's client, in its organization.
    audit_change(
        actor, engagement.organization, action, obj, client_id_of(engagement), detail=detail
    )
