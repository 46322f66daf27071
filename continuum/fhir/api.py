"""The FHIR R4 read API at /fhir/r4/<org>/: read and search for every registered
resource type (continuum.fhir.resources: Patient, EpisodeOfCare and Consent from the
spine, CarePlan, Appointment and ServiceRequest from the lines), a CapabilityStatement,
and the Patient bundle export. Answers are application/fhir+json; errors are
OperationOutcome resources."""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from continuum.audit.services import audit_read_many
from continuum.consent.models import Purpose, RecipientKind
from continuum.consent.refusals import record_consent_path
from continuum.consent.services import ConsentRequired
from continuum.people.selectors import client_get_for

from . import mapping
from .permissions import EXPORT_ROLES, READ_ROLES
from .resources import ResourceType, resource_types
from .services import EXPORT_CATEGORIES, fhir_export_client

FHIR_JSON = "application/fhir+json"
MAX_COUNT = 100


class FHIRRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "json"
    charset = "utf-8"


class FHIRParser(JSONParser):
    media_type = FHIR_JSON


class AlwaysFHIR(BaseContentNegotiation):
    """FHIR JSON whatever the Accept header asks for: it is the only format served."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if parser.media_type == (request.content_type or "").split(";")[0].strip():
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def operation_outcome(code: str, message: str, *, severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "id": str(uuid.uuid4()),
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
}


def fhir_exception_handler(exc, context):
    if isinstance(exc, ConsentRequired):
        message = " ".join(exc.messages)
        request = context.get("request")
        path = record_consent_path(organization=request.organization, refusal=exc)
        if path:
            # The refusal names the way forward: the page that records this consent.
            message += f" Record it at {request.build_absolute_uri(path)}"
        return Response(operation_outcome("security", message), status=403)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such resource.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and "detail" in detail:
        message = str(detail["detail"])
    elif isinstance(detail, dict):
        message = "; ".join(
            f"{field}: {' '.join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))}"
            for field, msgs in detail.items()
        )
    else:
        message = " ".join(str(m) for m in detail)
    response.data = operation_outcome(ISSUE_CODES.get(response.status_code, "processing"), message)
    return response


class FHIRView(APIView):
    renderer_classes = [FHIRRenderer]
    parser_classes = [FHIRParser, JSONParser]
    content_negotiation_class = AlwaysFHIR
    required_roles = READ_ROLES
    # Described by its CapabilityStatement, not by the REST API's OpenAPI schema.
    schema = None

    def get_exception_handler(self):
        return fhir_exception_handler

    def base_url(self) -> str:
        return self.request.build_absolute_uri(
            reverse("fhir:metadata", kwargs={"org": self.request.organization.slug})
        ).removesuffix("metadata")


class CapabilityStatementView(FHIRView):
    def get(self, request, org):
        resources = [
            {
                "type": resource_type,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": [
                    {"name": "_id", "type": "token"},
                    *(
                        []
                        if resource_type == "Patient"
                        else [{"name": "patient", "type": "reference"}]
                    ),
                ],
                **(
                    {
                        "operation": [
                            {
                                "name": "export",
                                "definition": f"{self.base_url()}"
                                "OperationDefinition/Patient-export",
                            }
                        ]
                    }
                    if resource_type == "Patient"
                    else {}
                ),
            }
            for resource_type in resource_types()
        ]
        return Response(
            {
                "resourceType": "CapabilityStatement",
                "status": "active",
                "date": timezone.now().date().isoformat(),
                "kind": "instance",
                "software": {"name": "Continuum"},
                "implementation": {
                    "description": request.organization.name,
                    "url": self.base_url(),
                },
                "fhirVersion": "4.0.1",
                "format": [FHIR_JSON],
                "rest": [
                    {
                        "mode": "server",
                        "security": {
                            "service": [
                                {
                                    "coding": [
                                        {
                                            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                            "code": "Basic",
                                        }
                                    ],
                                    "text": "Token authentication: Authorization: Token <key>",
                                }
                            ],
                        },
                        "resource": resources,
                    }
                ],
            }
        )


def _uuid(value: str, *, param: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.rsplit("/", 1)[-1] if param == "patient" else value)
    except ValueError:
        raise exceptions.ValidationError({param: f"Not a resource id: {value!r}."}) from None


class ResourceView(FHIRView):
    resource_type: ResourceType = None

    def _audit(self, objects):
        audit_read_many(
            actor=self.request.user,
            organization=self.request.organization,
            items=[(obj, self.resource_type.client_of(obj).public_id) for obj in objects],
        )

    def _queryset(self):
        return self.resource_type.queryset(membership=self.request.membership)


class ResourceSearchView(ResourceView):
    def get(self, request, org):
        kind = self.resource_type
        allowed = {"_id", "_format", "_count"} | ({"patient"} if kind.patient_field else set())
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                dict.fromkeys(unknown, "Search parameter not supported on " + kind.name + ".")
            )
        queryset = self._queryset()
        if "_id" in request.query_params:
            ids = [_uuid(v, param="_id") for v in request.query_params["_id"].split(",")]
            queryset = queryset.filter(public_id__in=ids)
        if "patient" in request.query_params:
            patient = _uuid(request.query_params["patient"], param="patient")
            queryset = queryset.filter(**{kind.patient_field: patient})
        try:
            count = min(int(request.query_params.get("_count", MAX_COUNT)), MAX_COUNT)
        except ValueError:
            raise exceptions.ValidationError({"_count": "Give a whole number."}) from None
        objects = list(queryset[: max(count, 0)])
        self._audit(objects)
        base = self.base_url()
        return Response(
            {
                "resourceType": "Bundle",
                "id": str(uuid.uuid4()),
                "meta": {"security": [dict(label) for label in mapping.SECURITY_LABELS]},
                "type": "searchset",
                "total": len(objects),
                "link": [{"relation": "self", "url": request.build_absolute_uri()}],
                "entry": [
                    {
                        "fullUrl": f"{base}{kind.name}/{obj.public_id}",
                        "resource": kind.to_fhir(obj),
                        "search": {"mode": "match"},
                    }
                    for obj in objects
                ],
            }
        )


class ResourceReadView(ResourceView):
    def get(self, request, org, **kwargs):
        (public_id,) = kwargs.values()
        try:
            obj = self._queryset().get(public_id=public_id)
        except (self._queryset().model.DoesNotExist, ValueError, DjangoValidationError):
            raise Http404 from None
        self._audit([obj])
        return Response(self.resource_type.to_fhir(obj))


def search_view(name):
    return ResourceSearchView.as_view(resource_type=resource_types()[name])


def read_view(name):
    return ResourceReadView.as_view(resource_type=resource_types()[name])


class ExportInput(serializers.Serializer):
    recipient_kind = serializers.ChoiceField(
        choices=[c for c in RecipientKind.choices if c[0] != RecipientKind.FAMILY_MEMBER]
    )
    recipient_name = serializers.CharField(max_length=200)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    information = serializers.ListField(
        child=serializers.ChoiceField(choices=[str(c) for c in EXPORT_CATEGORIES]),
        allow_empty=False,
        required=False,
    )


class PatientExportView(FHIRView):
    """POST /Patient/<id>/$export: the client's record as a collection Bundle, disclosed
    to the named recipient under their consent."""

    required_roles = EXPORT_ROLES

    def post(self, request, org, fhir_patient_id):
        client = client_get_for(membership=request.membership, client_id=fhir_patient_id)
        data = ExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        bundle, _ = fhir_export_client(
            actor=request.user,
            membership=request.membership,
            client=client,
            base_url=self.base_url(),
            **data.validated_data,
        )
        return Response(bundle, status=status.HTTP_200_OK)
