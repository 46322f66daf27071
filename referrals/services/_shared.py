"""What the directory's use cases share."""

SYSTEM_ACTOR = "system"
