from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from continuum.paging import PageNumberPagination
from continuum.tenancy.api import SelectorListView, validated
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.serializers import PublicIdSerializer, public_id_of, shown

from . import selectors, services
from .forms import SearchForm
from .models import ImportJob, Listing, Referral
from .services.listings import LISTING_FIELDS


class ListingSerializer(PublicIdSerializer):
    distance_miles = serializers.SerializerMethodField()
    capacity = serializers.SerializerMethodField(
        help_text="accepting, waitlist, not_accepting or unknown (not stated, or reported "
        "longer ago than the organization's days)."
    )
    # Plain strings: the choice sets are documented on the search page, and named enums
    # would collide with other apps' "kind" and "status" components.
    kind = shown()
    status = shown()
    service_area_kind = shown()

    class Meta:
        model = Listing
        # The fields listing_save writes (declared once, beside it), and what the
        # directory adds: openings, verification, distance.
        fields = [
            "id",
            "hsds_id",
            *LISTING_FIELDS,
            "capacity",
            "waitlist_weeks",
            "capacity_updated_at",
            "last_verified_at",
            "distance_miles",
        ]

    def get_capacity(self, obj) -> str:
        return obj.capacity_state()

    def get_distance_miles(self, obj) -> float | None:
        distance = getattr(obj, "distance", None)
        return round(distance, 1) if distance is not None else None


class ReferralSerializer(PublicIdSerializer):
    listing = public_id_of("listing")
    client = public_id_of("client", allow_null=True)
    source = shown()
    status = shown()

    class Meta:
        model = Referral
        fields = [
            "id",
            "listing",
            "client",
            "source",
            "status",
            "status_changed_at",
            "sent_at",
            "accepted_at",
            "completed_at",
            "created_at",
        ]


class SearchPagination(PageNumberPagination):
    # The total comes with the page (selectors.SearchPaginator).
    django_paginator_class = selectors.SearchPaginator


class ListingListView(generics.ListAPIView):
    """Directory search: the same parameters as the search page (zip_code, distance,
    kind, payment, language, population, accepting, telehealth, q)."""

    required_roles = STAFF_ROLES
    serializer_class = ListingSerializer
    pagination_class = SearchPagination

    def get_queryset(self):
        form = SearchForm(self.request.query_params)
        if not form.is_valid():
            raise APIValidationError(form.errors.get_json_data())
        return selectors.listing_search(
            organization=self.request.organization, params=form.params(), include_closed=True
        )


class ListingDetailView(generics.RetrieveAPIView):
    required_roles = STAFF_ROLES
    serializer_class = ListingSerializer

    def get_object(self):
        return selectors.listing_get(
            organization=self.request.organization, listing_id=self.kwargs["listing_id"]
        )


class ReferralListView(SelectorListView):
    required_roles = STAFF_ROLES
    serializer_class = ReferralSerializer
    selector = selectors.referral_list_for


class HsdsExportView(APIView):
    """Every listing as HSDS 3.0 service records, streamed."""

    required_roles = frozenset({Role.ORG_ADMIN})

    # A list of HSDS service records (the export's real shape, not one object).
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request, org):
        from .views import export_json_stream

        return StreamingHttpResponse(
            export_json_stream(request.organization), content_type="application/json"
        )


class ImportSerializer(PublicIdSerializer):
    status = shown()
    format = shown()
    report = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "format",
            "status",
            "total",
            "processed",
            "created_count",
            "updated_count",
            "errors",
            "report",
            "created_at",
            "finished_at",
        ]

    def get_report(self, obj) -> list[dict]:
        return [
            {"kind": g["kind"], "label": g["label"], "count": g["count"], "examples": g["examples"]}
            for g in selectors.import_report(obj)
        ]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="HSDS JSON (.json), the HSDS tabular package (.zip) or the spreadsheet "
        "template (.csv)."
    )


class ImportCreateView(APIView):
    """Start an import (multipart upload, field `file`): the same import as the page's.
    Answers 202 with the job; follow it at its URL."""

    required_roles = frozenset({Role.ORG_ADMIN})
    parser_classes = [MultiPartParser]

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportSerializer})
    def post(self, request, org):
        upload = validated(ImportUploadSerializer, request.data)
        file = upload["file"]
        try:
            job = services.import_job_create(
                actor=request.user,
                organization=request.organization,
                filename=file.name,
                payload=file.read(),
            )
        except DjangoValidationError as exc:
            raise APIValidationError(exc.message_dict) from None
        return Response(ImportSerializer(job).data, status=202)


class ImportDetailView(generics.RetrieveAPIView):
    required_roles = frozenset({Role.ORG_ADMIN})
    serializer_class = ImportSerializer

    def get_object(self):
        return selectors.import_job_get(
            organization=self.request.organization, job_id=self.kwargs["import_id"]
        )
