"""The real URLs plus the baselines every figure is compared with. Loaded only by
bench/settings.py."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from continuum.accounts.models import ApiToken
from continuum.accounts.services import api_token_hash
from continuum.people.selectors import client_list_for
from continuum.people.serializers import CLIENT_LIST_VALUES
from continuum.tenancy.models import Membership, Organization
from continuum.tenancy.scoping import organization_scope
from continuum.urls import urlpatterns as real_urlpatterns

# The API list's own stored fields, so the baseline returns what the figure returns.
FIELDS = list(CLIENT_LIST_VALUES)


def hello(request):
    return HttpResponse("hello")


def minimal_post(request):
    if request.method != "POST":
        return HttpResponse("post here")
    return HttpResponse("ok", status=201)


def clients_json(request, org):
    """The API list's queryset (same visibility, order and page size) as plain JSON,
    with the same token look-up but no DRF, serializer or audit write."""
    key = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    token = get_object_or_404(
        ApiToken.objects.select_related("user"), key_hash=api_token_hash(key), revoked_at=None
    )
    organization = get_object_or_404(Organization, slug=org, is_active=True)
    with organization_scope(organization):
        membership = get_object_or_404(
            Membership, organization=organization, user=token.user, is_active=True
        )
        queryset = client_list_for(membership=membership).order_by("last_name", "first_name", "pk")
        rows = list(queryset.values(*FIELDS)[:50])
        count = queryset.count()
    return JsonResponse({"count": count, "results": rows})


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/post/", minimal_post),
    path("bench/<slug:org>/clients.json", clients_json),
    *real_urlpatterns,
]
