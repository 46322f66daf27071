import hmac

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from continuum.tenancy.models import Role
from continuum.tenancy.permissions import roles_required

from . import metrics
from .selectors import operations_overview


@roles_required(Role.ORG_ADMIN)
def operations_page(request, org):
    """An organization's queues: what is waiting, what failed, what is stuck."""
    overview = operations_overview(organization=request.organization)
    return render(request, "operations/overview.html", {"overview": overview})


@never_cache
def metrics_view(request):
    """Platform-wide totals for a Prometheus scraper holding METRICS_TOKEN."""
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse(
            "Metrics are off. Set METRICS_TOKEN in the environment and scrape with the"
            " header 'Authorization: Bearer <token>'.\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), token.encode()):
        response = HttpResponse(
            "Send the header 'Authorization: Bearer <METRICS_TOKEN>'.\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
