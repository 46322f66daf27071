from django.db import models


class RateLimitCounter(models.Model):
    """A rate-limit window counted in the database while the cache is unreachable.

    Not tenant data: the key is django-ratelimit's hash of the group, window and caller
    (an IP address or user id, never shown), shared by every organization's public pages.
    """

    key = models.CharField(max_length=250, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="ops_ratelimit_expiry")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
