"""The intervention tab of the staff client record: the client's requests and
interventions, newest first. Kept apart from the intervention pages (views.py, urls.py)
because it is a page of the client record: its URL joins the staff area through
`extensions.py` (continuum.tenancy.areas) and its tab through CLIENT_TABS."""

from django.shortcuts import render

from continuum.audit.mixins import record_mixed_reads
from continuum.people.selectors import client_get_for
from continuum.routing import routes
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import roles_required

from . import selectors
from .models import Intervention, InterventionRequest

TEAM = (Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.INTERVENTIONIST)


@roles_required(*TEAM)
def client_interventions(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    interventions = list(
        selectors.intervention_list_for(membership=request.membership).filter(client=client)
    )
    requests = list(
        selectors.request_list_for(membership=request.membership)
        .filter(client=client)
        .order_by("-submitted_at", "-pk")
    )
    record_mixed_reads(
        request,
        [
            *((Intervention, i.public_id, client.public_id) for i in interventions),
            *((InterventionRequest, r.public_id, client.public_id) for r in requests),
        ],
    )
    return render(
        request,
        "interventions/client_interventions.html",
        {"client": client, "interventions": interventions, "requests": requests},
    )


staff_urlpatterns = routes(
    ("clients/<uuid:client_id>/intervention/", client_interventions, "intervention_client"),
)
