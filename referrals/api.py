from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.views import APIView

from continuum.paging import PageNumberPagination
from continuum.tenancy.models import STAFF_ROLES, Role

from . import hsds, selectors
from .forms import SearchForm
from .models import Listing, Referral


class ListingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    distance_miles = serializers.SerializerMethodField()
    # Plain strings: the choice sets are documented on the search page, and named enums
    # would collide with other apps' "kind" and "status" components.
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    service_area_kind = serializers.CharField(read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "hsds_id",
            "name",
            "kind",
            "description",
            "credentials",
            "specialties",
            "levels_of_care",
            "languages",
            "payment_options",
            "insurers",
            "populations",
            "minimum_age",
            "maximum_age",
            "accepting_new_clients",
            "telehealth",
            "service_area_kind",
            "service_radius_miles",
            "service_zip_codes",
            "service_state",
            "contact_name",
            "email",
            "phone",
            "url",
            "hours",
            "status",
            "last_verified_at",
            "distance_miles",
        ]

    def get_distance_miles(self, obj) -> float | None:
        distance = getattr(obj, "distance", None)
        return round(distance, 1) if distance is not None else None


class ReferralSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listing = serializers.UUIDField(source="listing.public_id", read_only=True)
    client = serializers.UUIDField(source="client.public_id", read_only=True, allow_null=True)
    source = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

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


class ReferralListView(generics.ListAPIView):
    required_roles = STAFF_ROLES
    serializer_class = ReferralSerializer

    def get_queryset(self):
        return selectors.referral_list_for(membership=self.request.membership)


class HsdsExportView(APIView):
    """Every listing as HSDS 3.0 service records."""

    required_roles = frozenset({Role.ORG_ADMIN})

    # A list of HSDS service records (the export's real shape, not one object).
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request, org):
        import json

        listings = (
            selectors.listing_admin_list(organization=request.organization)
            .select_related("directory_organization")
            .prefetch_related("locations")
        )
        records = [hsds.service_record(listing) for listing in listings]
        return HttpResponse(json.dumps(records), content_type="application/json")
