"""What the FHIR layer serves, filled through the extension contract (continuum.extensions).

The core here — the read/search API, the bundle, the consent gate, OperationOutcome —
knows no service line. Each app that has records to export registers, from its
`extensions.py`:

- a `ResourceType` for each resource the read API serves at `/fhir/r4/<org>/<Type>`
  (read by id, search by `_id` and `patient`), with the selector that lists the records
  the member may see and the function that maps one record;
- an `ExportSection` for each part of the Patient `$export` bundle: the kind of
  information (consent category) it belongs to and a `build` that returns the resources
  and the staff they reference (exported once each, as Practitioner).

`position` orders the CapabilityStatement, the URLs and the bundle (within a category);
the spine's own entries take the low positions."""

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from continuum.extensions import Registry


@dataclass(frozen=True)
class ResourceType:
    name: str
    # queryset(membership=) -> the records of this type the member may see
    queryset: Callable
    to_fhir: Callable
    url_kwarg: str
    position: int = 100
    # the lookup that filters by patient id (None: the resource is the patient)
    patient_field: str | None = "client__public_id"
    client_of: Callable = attrgetter("client")


@dataclass
class ExportPart:
    resources: list[dict]
    staff: list = field(default_factory=list)  # memberships referenced as Practitioner


@dataclass(frozen=True)
class ExportSection:
    name: str
    category: str  # continuum.consent.models.InformationCategory
    # build(*, membership, client, today) -> ExportPart
    build: Callable
    position: int = 100


RESOURCE_TYPES: Registry[ResourceType] = Registry(
    "fhir_resource_types", key="name", holds="ResourceType: read and search in the API"
)
EXPORT_SECTIONS: Registry[ExportSection] = Registry(
    "fhir_export_sections", key="name", holds="ExportSection: a part of the $export bundle"
)


def resource_types() -> dict[str, ResourceType]:
    ordered = sorted(RESOURCE_TYPES.values(), key=attrgetter("position"))
    return {kind.name: kind for kind in ordered}


def export_sections(*, categories, order) -> list[ExportSection]:
    """The sections of the chosen categories: by the category's place in `order`, then
    by position, then in registration order."""
    rank = {category: i for i, category in enumerate(order)}
    return sorted(
        (s for s in EXPORT_SECTIONS.values() if s.category in categories),
        key=lambda s: (rank[s.category], s.position),
    )
