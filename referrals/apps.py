from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from continuum.care import timeline

        from .timeline import referral_changes_provider

        timeline.register(referral_changes_provider)
