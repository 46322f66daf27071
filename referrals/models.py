"""The referral directory (HSDS services as listings) and closed-loop referrals.

A listing is one HSDS *service*: a program (residential, IOP, a meeting) or an individual
professional. Fields HSDS has no column for travel as HSDS attributes (see hsds.py), and
the record as last imported is kept in `hsds_raw` so an export returns what came in."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast, Floor
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.choices import Lifecycle
from continuum.tenancy.models import TenantModel
from continuum.tenancy.schema import (
    bounded,
    tenant_constraints,
    tenant_index,
    tenant_unique,
    user_ref,
)

from .geo import LATITUDE_BANDS_PER_DEGREE

VERIFY_EVERY_DAYS = 180
# Openings a provider reported are shown for this long, then as unknown (an organization
# changes it on its DirectorySettings).
CAPACITY_FRESH_DAYS = 30


class Kind(models.TextChoices):
    INTERVENTIONIST = "interventionist", _("Interventionist")
    SOBER_COACH = "sober_coach", _("Sober coach")
    CASE_MANAGER = "case_manager", _("Case manager")
    THERAPIST = "therapist", _("Therapist")
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    RESIDENTIAL = "residential", _("Residential program")
    DETOX = "detox", _("Detox (withdrawal management)")
    IOP_PHP = "iop_php", _("Intensive outpatient / partial hospitalization")
    OUTPATIENT = "outpatient", _("Outpatient")
    MAT = "mat", _("Medication for addiction treatment")
    SOBER_LIVING = "sober_living", _("Sober living")
    FAMILY_SUPPORT = "family_support", _("Family support group")
    PEER_SUPPORT = "peer_support", _("Peer-support meeting")
    OTHER = "other", _("Other service")


INDIVIDUAL_KINDS = frozenset(
    {Kind.INTERVENTIONIST, Kind.SOBER_COACH, Kind.CASE_MANAGER, Kind.THERAPIST, Kind.PSYCHIATRIST}
)


class Payment(models.TextChoices):
    MEDICAID = "medicaid", _("Medicaid")
    MEDICARE = "medicare", _("Medicare")
    PRIVATE_INSURANCE = "private_insurance", _("Private insurance")
    SLIDING_SCALE = "sliding_scale", _("Sliding scale")
    FREE = "free", _("Free")
    SELF_PAY = "self_pay", _("Self-pay")


class Population(models.TextChoices):
    ADOLESCENTS = "adolescents", _("Adolescents")
    YOUNG_ADULTS = "young_adults", _("Young adults")
    ADULTS = "adults", _("Adults")
    OLDER_ADULTS = "older_adults", _("Older adults")
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    LGBTQ = "lgbtq", _("LGBTQ+")
    VETERANS = "veterans", _("Veterans")
    FAMILIES = "families", _("Families")
    PREGNANT_POSTPARTUM = "pregnant_postpartum", _("Pregnant and postpartum")
    PROFESSIONALS = "professionals", _("Professionals and executives")
    JUSTICE_INVOLVED = "justice_involved", _("Justice-involved")


class LevelOfCare(models.TextChoices):
    # ASAM levels of care, the vocabulary programs are licensed under.
    ASAM_05 = "0.5", _("0.5 Early intervention")
    ASAM_1 = "1", _("1 Outpatient")
    ASAM_21 = "2.1", _("2.1 Intensive outpatient")
    ASAM_25 = "2.5", _("2.5 Partial hospitalization")
    ASAM_31 = "3.1", _("3.1 Clinically managed low-intensity residential")
    ASAM_35 = "3.5", _("3.5 Clinically managed high-intensity residential")
    ASAM_37 = "3.7", _("3.7 Medically monitored intensive inpatient")
    ASAM_4 = "4", _("4 Medically managed intensive inpatient")


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
    # Imported without a status: found in search, and said to be not stated.
    UNKNOWN = "unknown", _("Status not stated")


class ServiceAreaKind(models.TextChoices):
    RADIUS = "radius", _("Within a radius of its locations")
    ZIP_LIST = "zip_list", _("Listed ZIP codes")
    STATEWIDE = "statewide", _("Statewide")
    TELEHEALTH_ONLY = "telehealth_only", _("Telehealth only")


class DirectoryOrganization(TenantModel):
    """The HSDS organization a listing belongs to (a practice, a provider group)."""

    hsds_id = models.CharField(max_length=100)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    hsds_raw = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("hsds_id", name="referrals_dirorg_org_hsds_id"),
        )
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Listing(TenantModel):
    hsds_id = models.CharField(max_length=100)
    directory_organization = models.ForeignKey(
        DirectoryOrganization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listings",
    )
    name = models.CharField(max_length=255)
    alternate_name = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)
    credentials = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    specialties = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    levels_of_care = ArrayField(
        models.CharField(max_length=8, choices=LevelOfCare.choices), default=list, blank=True
    )
    languages = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    payment_options = ArrayField(
        models.CharField(max_length=32, choices=Payment.choices), default=list, blank=True
    )
    insurers = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    populations = ArrayField(
        models.CharField(max_length=32, choices=Population.choices), default=list, blank=True
    )
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # None: the data does not say (shown as unknown, never as "yes").
    accepting_new_clients = models.BooleanField(null=True, blank=True, default=None)
    # Openings as the provider last told us (services.listing_capacity_update).
    waitlist_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    # Rotating it invalidates every openings link already sent to the provider.
    capacity_link_nonce = models.CharField(max_length=32, blank=True)
    telehealth = models.BooleanField(default=False)
    service_area_kind = models.CharField(
        max_length=20, choices=ServiceAreaKind.choices, default=ServiceAreaKind.RADIUS
    )
    service_radius_miles = models.PositiveSmallIntegerField(default=0, blank=True)
    service_zip_codes = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    service_state = models.CharField(max_length=2, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    url = models.URLField(max_length=500, blank=True)
    hours = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verified_by = user_ref(null=True, on_delete=models.SET_NULL)
    # Maintained by services.listing_refresh_search (one UPDATE per save or import).
    search_vector = SearchVectorField(null=True, editable=False)
    hsds_raw = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("hsds_id", name="referrals_listing_org_hsds_id"),
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="referrals_listing_age_range",
            ),
        )
        indexes = [
            # Inverted indexes stand alone: the scoped manager adds the organization filter,
            # and a btree_gin extension is not available on every PostgreSQL we run on.
            GinIndex(fields=["search_vector"], name="referrals_listing_search"),
            GinIndex(fields=["service_zip_codes"], name="referrals_listing_zips"),
            tenant_index("status", "kind", name="referrals_listing_org_kind"),
            tenant_index(
                "service_area_kind",
                "service_state",
                name="referrals_listing_org_area",
            ),
            tenant_index("last_verified_at", name="referrals_listing_verified"),
            # The widest service radius, read by every "in your area" search.
            tenant_index(
                "service_area_kind",
                "service_radius_miles",
                name="referrals_listing_radius",
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_individual(self) -> bool:
        return self.kind in INDIVIDUAL_KINDS

    def needs_review(self, now=None) -> bool:
        now = now or timezone.now()
        if self.last_verified_at is None:
            return True
        return (now - self.last_verified_at).days >= VERIFY_EVERY_DAYS

    def kind_label(self) -> str:
        return Kind(self.kind).label if self.kind in Kind.values else self.kind

    def payment_labels(self) -> list[str]:
        return [Payment(p).label for p in self.payment_options if p in Payment.values]

    def population_labels(self) -> list[str]:
        return [Population(p).label for p in self.populations if p in Population.values]

    def capacity_state(self, now=None, fresh_days: int | None = None) -> str:
        """accepting / waitlist / not_accepting, or unknown when the data does not say or
        the provider's last word is older than the organization allows."""
        if self.accepting_new_clients is None:
            return "unknown"
        if self.capacity_updated_at is not None:
            if fresh_days is None:  # annotated by the selectors from DirectorySettings
                fresh_days = getattr(self, "capacity_fresh_days", None) or CAPACITY_FRESH_DAYS
            days = fresh_days
            if ((now or timezone.now()) - self.capacity_updated_at).days >= days:
                return "unknown"
        if not self.accepting_new_clients:
            return "not_accepting"
        return "waitlist" if self.waitlist_weeks else "accepting"

    @property
    def tel_uri(self) -> str:
        """The phone number as a tel: link dials it (digits, a leading +, extension)."""
        number = self.phone.split(" ext", 1)[0].split(" x", 1)[0]
        digits = "".join(c for c in number if c.isdigit() or c == "+")
        if digits and not digits.startswith("+") and len(digits) == 10:
            digits = "+1" + digits
        return digits

    def language_labels(self) -> list[str]:
        from .languages import label

        return [label(code) for code in self.languages]


class ListingLocation(TenantModel):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="locations")
    hsds_id = models.CharField(max_length=100)
    name = models.CharField(max_length=255, blank=True)
    address_1 = models.CharField(max_length=255, blank=True)
    address_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, default="US")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Placed at the centre of its ZIP code (no coordinates in the data): distances to it are
    # approximate and said to be.
    placed_by_zip = models.BooleanField(default=False)
    hsds_raw = models.JSONField(default=dict, blank=True)
    # Copies of the listing's kind and service radius (0 unless its service area is a
    # radius), kept by services.listing_refresh_search: search reads the area's
    # candidates of one kind, and whose radius reaches the place, from the geo index alone
    # instead of reading each listing.
    listing_kind = models.CharField(max_length=32, blank=True, editable=False)
    listing_reach_miles = models.PositiveSmallIntegerField(default=0, editable=False)
    # The latitude in bands of 1/LATITUDE_BANDS_PER_DEGREE degree, stored, leading the geo
    # indexes: a search names the few bands its box crosses (= ANY), so the index walks
    # only the box's longitudes in each band instead of every location in the box's
    # latitudes from coast to coast.
    latitude_band = models.GeneratedField(
        expression=Cast(
            Floor(F("latitude") * Value(LATITUDE_BANDS_PER_DEGREE)), models.SmallIntegerField()
        ),
        output_field=models.SmallIntegerField(null=True),
        db_persist=True,
    )

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique("listing", "hsds_id", name="referrals_location_hsds_id"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="referrals_location_latitude",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="referrals_location_longitude",
            ),
        )
        indexes = [
            # Bounding-box search inside the tenant: the box's latitude bands, then a range
            # on longitude in each (then latitude, checked from the index).
            tenant_index("latitude_band", "longitude", "latitude", name="referrals_location_geo"),
            # The same box among one kind's locations, answered from the index alone.
            tenant_index(
                "listing_kind",
                "latitude_band",
                "longitude",
                "latitude",
                include=["listing_reach_miles", "listing"],
                name="referrals_location_kind_geo",
            ),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return ", ".join(p for p in [self.address_1, self.city, self.postal_code] if p)


class DirectorySettings(TenantModel):
    """An organization's directory settings (one row, created when first changed)."""

    capacity_fresh_days = bounded(
        1,
        365,
        default=CAPACITY_FRESH_DAYS,
        help_text="Openings a provider reported are shown for this many days, then as unknown.",
    )

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(name="referrals_settings_once"),
        )

    def __str__(self) -> str:
        return f"Directory settings of {self.organization_id}"


class ImportFormat(models.TextChoices):
    JSON = "json", _("HSDS JSON")
    CSV = "csv", _("HSDS tabular (CSV package, .zip)")
    SHEET = "sheet", _("Spreadsheet template (.csv)")


class MappingField(models.TextChoices):
    KIND = "kind", _("Kind of help")
    PAYMENT = "payment", _("Insurance and payment")
    POPULATION = "population", _("Population served")


class TaxonomyMapping(TenantModel):
    """An organization's own reading of a taxonomy term (a 211/AIRS code or a term name),
    added to the shipped rules in taxonomy.py and winning over them."""

    term = models.CharField(max_length=120, help_text="Code (RX-8450.1000) or term name.")
    term_key = models.CharField(max_length=120, editable=False)
    field = models.CharField(max_length=12, choices=MappingField.choices)
    value = models.CharField(max_length=32)
    created_by = user_ref(null=True, blank=False, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "term_key",
                "field",
                "value",
                name="referrals_mapping_once",
            ),
        )
        ordering = ["term_key", "field"]

    def __str__(self) -> str:
        return f"{self.term} → {self.field} {self.value}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Not imported")


class ImportJob(TenantModel):
    """An HSDS import. The uploaded file is kept here so a worker that restarts can
    run the job again from the database alone."""

    created_by = user_ref(null=True, blank=False, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=8, choices=ImportFormat.choices)
    payload = models.BinaryField()
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # [{"row": "services.csv row 3", "id": "...", "reason": "..."}]
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.filename}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.processed / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.FAILED}


class ReferralStatus(models.TextChoices):
    """The HL7 FHIR Task status vocabulary, stored in snake_case."""

    DRAFT = "draft", _("Draft")
    REQUESTED = "requested", _("Requested")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")
    COMPLETED = "completed", _("Completed")


ALLOWED_TRANSITIONS = Lifecycle(
    ReferralStatus,
    {
        ReferralStatus.DRAFT: (ReferralStatus.REQUESTED, ReferralStatus.CANCELLED),
        ReferralStatus.REQUESTED: (
            ReferralStatus.RECEIVED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.REJECTED,
            ReferralStatus.CANCELLED,
            ReferralStatus.FAILED,
        ),
        ReferralStatus.RECEIVED: (
            ReferralStatus.ACCEPTED,
            ReferralStatus.REJECTED,
            ReferralStatus.CANCELLED,
            ReferralStatus.FAILED,
        ),
        ReferralStatus.ACCEPTED: (
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.ON_HOLD,
            ReferralStatus.COMPLETED,
            ReferralStatus.CANCELLED,
            ReferralStatus.FAILED,
        ),
        ReferralStatus.IN_PROGRESS: (
            ReferralStatus.ON_HOLD,
            ReferralStatus.COMPLETED,
            ReferralStatus.CANCELLED,
            ReferralStatus.FAILED,
        ),
        ReferralStatus.ON_HOLD: (
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.CANCELLED,
            ReferralStatus.FAILED,
        ),
    },
)
# Rejected, cancelled, failed and completed: nothing follows them.
TERMINAL_STATUSES = ALLOWED_TRANSITIONS.final

# How long a referral may sit in one status before someone is asked to follow up.
STALE_AFTER_DAYS = {
    ReferralStatus.DRAFT: 3,
    ReferralStatus.REQUESTED: 3,
    ReferralStatus.RECEIVED: 5,
    ReferralStatus.ACCEPTED: 7,
    ReferralStatus.ON_HOLD: 14,
    ReferralStatus.IN_PROGRESS: 30,
}


class ReferralSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    FAMILY = "family", _("Family request")


class Referral(TenantModel):
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="referrals")
    client = models.ForeignKey(
        "people.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    source = models.CharField(max_length=12, choices=ReferralSource.choices)
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Who asked: a staff member, or a family member writing from the public page.
    created_by = user_ref(null=True, on_delete=models.SET_NULL)
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=40, blank=True)
    requester_zip = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True, help_text="What the receiving provider should know.")
    includes_client_information = models.BooleanField(default=False)
    consent = models.ForeignKey(
        "consent.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateField(null=True, blank=True)
    # Rotating it invalidates every response link already sent.
    link_nonce = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index(
                "status",
                "status_changed_at",
                name="referrals_referral_status",
            ),
            tenant_index("client", "-created_at", name="referrals_referral_client"),
            tenant_index("listing", name="referrals_referral_listing"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Referral to {self.listing_id}"

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES

    def allowed_next(self) -> list[str]:
        return sorted(ALLOWED_TRANSITIONS.get(self.status, ()))

    def status_label(self) -> str:
        return ReferralStatus(self.status).label

    @property
    def outgoing_note(self) -> str:
        """The note as the provider receives it: free text about a person only leaves
        under the consent the referral was sent with."""
        return self.note if self.consent_id else ""

    def family_status_text(self) -> str:
        return FAMILY_STATUS_TEXT.get(self.status, "")


# What each status means, in words for the family member who asked.
FAMILY_STATUS_TEXT = {
    ReferralStatus.DRAFT: _("We have your request and will contact you within one business day."),
    ReferralStatus.REQUESTED: _("We have sent your request to the provider."),
    ReferralStatus.RECEIVED: _("The provider has received your request."),
    ReferralStatus.ACCEPTED: _("The provider can help and will contact you."),
    ReferralStatus.REJECTED: _("The provider cannot take this request; we will suggest others."),
    ReferralStatus.IN_PROGRESS: _("A first appointment is arranged."),
    ReferralStatus.ON_HOLD: _("This request is paused; we will be in touch."),
    ReferralStatus.CANCELLED: _("This request was closed."),
    ReferralStatus.FAILED: _("We could not reach the provider; we will suggest others."),
    ReferralStatus.COMPLETED: _("Completed."),
}


class ReferralStatusChange(TenantModel):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = user_ref(null=True, on_delete=models.SET_NULL)
    # For changes made without an account: "Receiving provider (response link)".
    changed_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        indexes = [
            tenant_index("referral", "created_at", name="referrals_change_referral"),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class ProviderAction(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")


class ProviderResponse(TenantModel):
    """One use of a response link. The unique constraint makes each action single-use."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="responses")
    link_nonce = models.CharField(max_length=32)
    action = models.CharField(max_length=12, choices=ProviderAction.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = tenant_constraints(
            tenant_unique(
                "referral",
                "link_nonce",
                "action",
                name="referrals_response_once",
            ),
        )

    def __str__(self) -> str:
        return self.action
