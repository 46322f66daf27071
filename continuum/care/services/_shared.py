"""What the care spine's use cases share."""

import logging

logger = logging.getLogger(__name__)
