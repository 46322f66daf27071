"""What the FHIR layer adds through the extension contract (continuum.extensions): the
export action on the client record, and the spine's own resources in the read API and
the Patient export bundle (continuum.fhir.resources)."""

from continuum.care.actions import ClientAction, register
from continuum.consent.models import InformationCategory as Category

from . import mapping, selectors, services
from .permissions import EXPORT_ROLES
from .resources import EXPORT_SECTIONS, RESOURCE_TYPES, ExportSection, ResourceType

register(ClientAction("Export FHIR bundle", "staff:client_fhir_export", EXPORT_ROLES))


RESOURCE_TYPES.register_all(
    ResourceType(
        "Patient",
        selectors.patient_list_for,
        services.patient_read,
        "fhir_patient_id",
        10,
        patient_field=None,
        client_of=lambda client: client,
    ),
    ResourceType(
        "EpisodeOfCare", selectors.episode_list_for, services.episode_read, "fhir_episode_id", 20
    ),
    ResourceType("Consent", selectors.consent_list_for, mapping.consent, "fhir_consent_id", 50),
)
EXPORT_SECTIONS.register_all(
    ExportSection("fhir.family", Category.CONTACT, services.family_section),
    ExportSection("fhir.episodes", Category.STATUS, services.episodes_section),
    # The care team leads the treatment plan: the plans that follow reference it.
    ExportSection(
        "fhir.care_team", Category.TREATMENT_PLAN, services.care_team_section, position=0
    ),
)
