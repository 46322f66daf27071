from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "continuum.fhir"
    label = "fhir"
    verbose_name = "HL7 FHIR R4 export and read API"

    def ready(self) -> None:
        from . import extensions  # noqa: F401  (the export action, the spine's resources)
