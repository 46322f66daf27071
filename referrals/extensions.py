"""Everything the directory and referrals add to the spine (continuum.extensions),
imported once from `ReferralsConfig.ready()`: referral status changes on the client's
timeline, the referrals tab of the client record and the menu entries."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from continuum import directory
from continuum.care import actions, timeline
from continuum.care.timeline import QuerySetSource, TimelineEntry
from continuum.consent.models import InformationCategory as Category
from continuum.fhir.resources import EXPORT_SECTIONS, RESOURCE_TYPES, ExportSection, ResourceType
from continuum.notifications import kinds
from continuum.tenancy import areas, navigation
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.navigation import NavEntry

from . import fhir, letters, selectors
from .models import ReferralStatus, ReferralStatusChange


def referral_changes_provider(client, organization):
    def entry(change):
        who = (
            change.changed_by.email
            if change.changed_by_id
            else (change.changed_by_label or "System")
        )
        title = (
            f"Referral to {change.referral.listing.name}: {ReferralStatus(change.to_status).label}"
        )
        url = reverse(
            "staff:referral_detail",
            kwargs={"org": organization.slug, "referral_id": change.referral.public_id},
        )
        detail = who + (f": {change.reason}" if change.reason else "")
        return TimelineEntry(
            time=change.created_at, kind="referral", title=title, detail=detail, url=url
        )

    rows = ReferralStatusChange.objects.filter(organization=organization, referral__client=client)
    rows = rows.select_related("referral__listing", "changed_by")
    return QuerySetSource(rows, entry, newest="created_at")


# --- registrations ------------------------------------------------------------------------

areas.register("referrals.urls")
for read in (
    selectors.treatment_program_choices,
    selectors.family_support_near,
    selectors.listing_get,
    selectors.listing_pick,
):
    directory.register(read)

timeline.register(referral_changes_provider)
navigation.register_all(
    NavEntry("staff", "Directory", "staff:directory_search", STAFF_ROLES, 100),
    NavEntry("staff", "Referrals", "staff:referral_list", STAFF_ROLES, 110),
    NavEntry(
        "portal", _("Referral requests"), "portal:referrals", frozenset({Role.FAMILY_MEMBER}), 500
    ),
)
RESOURCE_TYPES.register(
    ResourceType(
        "ServiceRequest",
        fhir.service_request_list_for,
        fhir.service_request,
        "fhir_servicerequest_id",
        60,
    )
)
# Referrals are appointments-to-be: they go with the appointments, after case management's.
EXPORT_SECTIONS.register(
    ExportSection("referrals.referrals", Category.APPOINTMENTS, fhir.referrals_section)
)

# E-mails to a listing's contact go through the outbox as letters.
kinds.register_letter(letters.REFERRAL_PACKET, letters.referral_packet)
kinds.register_letter(letters.LISTING_CAPACITY, letters.listing_capacity)
actions.CLIENT_TABS.register(
    actions.ClientTab("Referrals", "staff:client_referrals", STAFF_ROLES, 70)
)
