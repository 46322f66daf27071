"""What the coaching line's use cases share."""

import logging

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

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
