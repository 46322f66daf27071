"""What the care spine's use cases share."""

import logging

logger = logging.getLogger(__name__)


SYSTEM_ACTOR = "system"
