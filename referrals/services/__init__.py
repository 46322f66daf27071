"""Every change to the directory and to referrals: one function per use case.

One module per entity; every public name is re-exported here, so callers import
`from referrals import services` or `from referrals.services import x`."""

from .capacity import (
    CAPACITY_LABEL,
    CAPACITY_LINK_MAX_AGE,
    CAPACITY_SALT,
    CAPACITY_STATES,
    capacity_token,
    directory_settings_update,
    listing_capacity_link,
    listing_capacity_update,
    listing_from_capacity_token,
)
from .imports import (
    IMPORT_FORMATS,
    MAX_IMPORT_BYTES,
    PROGRESS_BATCH,
    import_format,
    import_job_create,
    import_job_run,
)
from .listings import (
    LISTING_FIELDS,
    ArrayToString,
    Unaccent,
    listing_refresh_search,
    listing_save,
    listing_verify,
)
from .referrals import (
    referral_create,
    referral_packet_information,
    referral_request_family,
    referral_scan_stale,
    referral_send,
    referral_set_status,
)
from .responses import (
    LINK_MAX_AGE,
    LINK_SALT,
    PROVIDER_LABEL,
    PROVIDER_TRANSITIONS,
    LinkRefused,
    referral_from_token,
    referral_link_token,
    referral_provider_respond,
)
from .taxonomy import (
    MAPPING_VALUES,
    listing_reclassify,
    taxonomy_mapping_add,
    taxonomy_mapping_delete,
)

__all__ = [
    "CAPACITY_LABEL",
    "CAPACITY_LINK_MAX_AGE",
    "CAPACITY_SALT",
    "CAPACITY_STATES",
    "IMPORT_FORMATS",
    "LINK_MAX_AGE",
    "LINK_SALT",
    "LISTING_FIELDS",
    "MAPPING_VALUES",
    "MAX_IMPORT_BYTES",
    "PROGRESS_BATCH",
    "PROVIDER_LABEL",
    "PROVIDER_TRANSITIONS",
    "ArrayToString",
    "LinkRefused",
    "Unaccent",
    "capacity_token",
    "directory_settings_update",
    "import_format",
    "import_job_create",
    "import_job_run",
    "listing_capacity_link",
    "listing_capacity_update",
    "listing_from_capacity_token",
    "listing_reclassify",
    "listing_refresh_search",
    "listing_save",
    "listing_verify",
    "referral_create",
    "referral_from_token",
    "referral_link_token",
    "referral_packet_information",
    "referral_provider_respond",
    "referral_request_family",
    "referral_scan_stale",
    "referral_send",
    "referral_set_status",
    "taxonomy_mapping_add",
    "taxonomy_mapping_delete",
]
