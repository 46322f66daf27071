from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "continuum.fhir"
    label = "fhir"
    verbose_name = "HL7 FHIR R4 export and read API"

    def ready(self) -> None:
        from continuum.care.actions import ClientAction, register

        from .permissions import EXPORT_ROLES

        register(ClientAction("Export FHIR bundle", "staff:client_fhir_export", EXPORT_ROLES))
