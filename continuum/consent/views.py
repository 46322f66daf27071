from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum.audit.mixins import record_read, record_reads
from continuum.forms_views import action_view, answer, bind, form_status, form_view, try_save
from continuum.people.selectors import client_for_portal_user, client_get_for
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import roles_required

from .forms import ConsentForm, PaperConsentForm, SignForm
from .models import ConsentStatus
from .notice import PART2_NOTICE
from .refusals import prefill
from .selectors import consent_get, consent_list, disclosure_list
from .services import consent_create, consent_record_paper, consent_revoke, consent_sign


def _portal_client(request):
    client = client_for_portal_user(membership=request.membership)
    if client is None:
        raise Http404("No client record is linked to this account.")
    return client


def _shown(request, client, rows):
    record_reads(request, [(row, client.public_id) for row in rows])
    return rows


# --- portal (the client) -----------------------------------------------------------------


@roles_required(Role.CLIENT)
def portal_consent_list(request, org):
    client = _portal_client(request)
    consents = _shown(request, client, list(consent_list(client=client)))
    return render(request, "consent/portal_list.html", {"client": client, "consents": consents})


def _new_consent(request, form_class, record, *, client, initial=None, fields=(), **page):
    """Both ways a consent is made, by the client online or from staff's paper copy:
    its terms from the form, and `fields` of the signature where there is one."""
    initial = {"disclosing_program": request.organization.name, **(initial or {})}
    form = bind(request, form_class, client=client, initial=initial)
    return form_view(
        request,
        form,
        save=lambda d: record(
            actor=request.user,
            organization=request.organization,
            client=client,
            **{name: d[name] for name in fields},
            **form.consent_values(),
        ),
        **page,
    )


@roles_required(Role.CLIENT)
def portal_consent_new(request, org):
    return _new_consent(
        request,
        ConsentForm,
        consent_create,
        client=_portal_client(request),
        done=lambda consent: reverse(
            "portal:consent_detail", kwargs={"org": org, "consent_id": consent.public_id}
        ),
        template="consent/portal_form.html",
    )


@roles_required(Role.CLIENT)
def portal_consent_detail(request, org, consent_id):
    client = _portal_client(request)
    consent = consent_get(client=client, consent_id=consent_id)
    awaiting = consent.status == ConsentStatus.AWAITING_SIGNATURE
    if request.method == "POST" and not awaiting:
        raise Http404("This consent is not waiting for a signature.")
    form = bind(request, SignForm) if awaiting else None
    if form is not None:
        saved, _result = try_save(
            form, lambda d: consent_sign(actor=request.user, consent=consent, **d)
        )
        if saved:
            return answer(
                request,
                reverse("portal:consent_list", kwargs={"org": org}),
                success=_("You signed the consent. You can revoke it at any time."),
            )
    record_read(request, consent, client_id=client.public_id)
    return render(
        request,
        "consent/portal_detail.html",
        {"consent": consent, "client": client, "form": form},
        status=form_status(request),
    )


@roles_required(Role.CLIENT)
@require_POST
def portal_consent_revoke(request, org, consent_id):
    client = _portal_client(request)
    consent = consent_get(client=client, consent_id=consent_id)
    return action_view(
        request,
        lambda: consent_revoke(actor=request.user, consent=consent),
        done=reverse("portal:consent_list", kwargs={"org": org}),
        success=_("The consent is revoked. Nothing more will be shared under it."),
    )


@roles_required(Role.CLIENT)
def portal_disclosure_list(request, org):
    client = _portal_client(request)
    disclosures = _shown(request, client, list(disclosure_list(client=client)))
    return render(
        request,
        "consent/portal_disclosures.html",
        {"client": client, "disclosures": disclosures, "notice": PART2_NOTICE},
    )


# --- staff -------------------------------------------------------------------------------


# What the paper form records about the signature, beside the consent's own terms.
PAPER_SIGNATURE_FIELDS = ("signed_name", "signed_on", "revocation_acknowledged", "scan")


def _consents_url(org, client) -> str:
    return reverse("staff:client_consents", kwargs={"org": org, "client_id": client.public_id})


def staff_client_consents(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    consents = list(consent_list(client=client))
    disclosures = list(disclosure_list(client=client))
    record_reads(
        request,
        [(client, client.public_id)] + [(row, client.public_id) for row in consents + disclosures],
    )
    return render(
        request,
        "consent/staff_client_consents.html",
        {"client": client, "consents": consents, "disclosures": disclosures},
    )


def staff_consent_new(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    return _new_consent(
        request,
        PaperConsentForm,
        consent_record_paper,
        client=client,
        initial=prefill(request.GET),
        fields=PAPER_SIGNATURE_FIELDS,
        done=_consents_url(org, client),
        template="consent/staff_paper_form.html",
        context={"client": client},
        success=f"The signed consent of {client.display_name} is recorded.",
    )


@require_POST
def staff_consent_revoke(request, org, client_id, consent_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    consent = consent_get(client=client, consent_id=consent_id)
    return action_view(
        request,
        lambda: consent_revoke(actor=request.user, consent=consent),
        done=_consents_url(org, client),
        success="The consent is revoked, effective now.",
    )


def staff_consent_scan(request, org, client_id, consent_id):
    """The scan is only ever served here, after the visibility check, never from a
    public media URL."""
    client = client_get_for(membership=request.membership, client_id=client_id)
    consent = consent_get(client=client, consent_id=consent_id)
    if not consent.scan:
        raise Http404("This consent has no scan.")
    record_read(request, consent, client_id=client.public_id)
    extension = consent.scan.name.rsplit(".", 1)[-1]
    response = FileResponse(
        consent.scan.open("rb"),
        content_type=consent.scan_content_type,
        as_attachment=True,
        filename=f"consent-{consent.public_id}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response
