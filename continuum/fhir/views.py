import json

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from continuum.consent.refusals import record_consent_path
from continuum.consent.services import ConsentRequired
from continuum.people.selectors import client_get_for
from continuum.tenancy.permissions import roles_required

from .forms import ExportForm
from .permissions import EXPORT_ROLES
from .services import fhir_export_client


@roles_required(*EXPORT_ROLES)
def client_fhir_export(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    form = ExportForm(request.POST or None)
    context = {"client": client, "form": form}
    if request.method == "POST" and form.is_valid():
        base_url = request.build_absolute_uri(reverse("fhir:metadata", kwargs={"org": org}))
        try:
            bundle, disclosure = fhir_export_client(
                actor=request.user,
                membership=request.membership,
                client=client,
                base_url=base_url.removesuffix("metadata"),
                **form.cleaned_data,
            )
        except ConsentRequired as exc:
            context["consent_refusal"] = exc
            context["consent_refusal_url"] = record_consent_path(
                organization=request.organization, refusal=exc
            )
        else:
            response = HttpResponse(
                json.dumps(bundle, indent=2), content_type="application/fhir+json"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="client-{client.public_id}-{disclosure.public_id}.json"'
            )
            return response
    # A refusal (bad input, no consent) answers 400 like every other page's form, so a
    # script or a test reading the status sees that nothing was exported.
    refused = request.method == "POST"
    return render(request, "fhir/export.html", context, status=400 if refused else 200)
