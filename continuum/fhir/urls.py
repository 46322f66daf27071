"""`urlpatterns` is mounted at /fhir/r4/<org>/ under the "fhir" namespace; the staff
export page joins the staff area through `staff_urlpatterns`."""

from django.urls import path

from . import api, views
from .resources import resource_types

urlpatterns = [
    path("metadata", api.CapabilityStatementView.as_view(), name="metadata"),
    path(
        "Patient/<str:fhir_patient_id>/$export",
        api.PatientExportView.as_view(),
        name="patient_export",
    ),
]
for resource_type, kind in resource_types().items():
    keyword = kind.url_kwarg
    urlpatterns += [
        path(resource_type, api.search_view(resource_type), name=f"{resource_type}_search"),
        path(
            f"{resource_type}/<str:{keyword}>",
            api.read_view(resource_type),
            name=f"{resource_type}_read",
        ),
    ]

staff_urlpatterns = [
    path(
        "clients/<uuid:client_id>/fhir-export/",
        views.client_fhir_export,
        name="client_fhir_export",
    ),
]
