from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from continuum.care import timeline
        from continuum.notifications import kinds

        from . import letters
        from .timeline import referral_changes_provider

        timeline.register(referral_changes_provider)
        kinds.register_letter(letters.REFERRAL_PACKET, letters.referral_packet)
        kinds.register_letter(letters.LISTING_CAPACITY, letters.listing_capacity)
