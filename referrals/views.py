import codecs
import csv
import io
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from continuum.audit.mixins import record_read
from continuum.consent.refusals import record_consent_path
from continuum.consent.services import PART2_NOTICE, ConsentRequired
from continuum.forms_views import add_service_errors, answer, bind, form_status, form_view, try_save
from continuum.paging import page_of, query_without_page
from continuum.people.selectors import client_get_for
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.permissions import public_view, roles_required
from continuum.tenancy.scoping import organization_scope

from . import hsds, selectors, services
from . import taxonomy as hsds_taxonomy
from .forms import (
    CapacityForm,
    DirectorySettingsForm,
    FamilyRequestForm,
    ImportForm,
    ListingForm,
    ProviderResponseForm,
    ReclassifyForm,
    SearchForm,
    StaffReferralForm,
    StatusForm,
    TaxonomyMappingForm,
)
from .models import ImportStatus, Kind, Listing

PAGE_SIZE = 20
ADMIN = Role.ORG_ADMIN


def _refused(request, exc):
    """A provider's link that cannot be used: the reason, and nothing of the referral."""
    return render(request, "referrals/respond_refused.html", {"reason": str(exc)}, status=403)


def _search(request, *, include_closed: bool):
    form = SearchForm(request.GET or None)
    page = results = params = None
    if form.is_bound and form.is_valid():
        params = form.params()
        qs = selectors.listing_search(
            organization=request.organization, params=params, include_closed=include_closed
        )
        page = page_of(request, qs, PAGE_SIZE, paginator=selectors.SearchPaginator)
        results = [
            (listing, selectors.match_reasons(listing, params)) for listing in page.object_list
        ]
        for listing, _reasons in results:
            listing.distance_label = selectors.distance_label(listing)
    return {
        "form": form,
        "page": page,
        "results": results,
        "params": params,
        "query": query_without_page(request),
    }


@public_view
def find(request, org):
    context = _search(request, include_closed=False)
    return render(request, "referrals/find.html", context)


@public_view
@ratelimit(key="ip", rate="60/m", block=False)
def find_api(request, org):
    """Read-only public search as JSON; limited per address."""
    if getattr(request, "limited", False):
        return JsonResponse({"detail": _("Too many searches; try again in a minute.")}, status=429)
    form = SearchForm(request.GET or None)
    if not form.is_bound:
        return JsonResponse({"results": [], "detail": _("Give a ZIP code or other criteria.")})
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    params = form.params()
    qs = selectors.listing_search(organization=request.organization, params=params)
    page = page_of(request, qs, PAGE_SIZE, paginator=selectors.SearchPaginator)
    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": [
                {
                    "id": str(listing.public_id),
                    "name": listing.name,
                    "kind": listing.kind,
                    "distance_miles": round(listing.distance, 1)
                    if getattr(listing, "distance", None) is not None
                    else None,
                    "distance": selectors.distance_label(listing),
                    "why": selectors.match_reasons(listing, params),
                    "organization": listing.directory_organization.name
                    if listing.directory_organization
                    else "",
                    "location": listing.nearest or {},
                    "phone": listing.phone,
                    "url": listing.url,
                    "hours": listing.hours,
                    "languages": listing.language_labels(),
                    "accepting_new_clients": listing.accepting_new_clients,
                    "capacity": listing.capacity_state(),
                    "last_verified": listing.last_verified_at.date().isoformat()
                    if listing.last_verified_at
                    else None,
                }
                for listing in page.object_list
            ],
        }
    )


@public_view
def listing_public(request, org, listing_id):
    listing = selectors.listing_get(
        organization=request.organization, listing_id=listing_id, public=True
    )
    return form_view(
        request,
        bind(request, FamilyRequestForm),
        save=lambda d: services.referral_request_family(
            organization=request.organization, listing=listing, actor=request.user, **d
        ),
        done=reverse("public:listing_public", kwargs={"org": org, "listing_id": listing.public_id}),
        template="referrals/listing_public.html",
        context={"listing": listing},
        success=_("Thank you. We will contact you within one business day."),
    )


@public_view
def referral_respond(request, org, response_token):
    try:
        referral = services.referral_from_token(
            organization=request.organization, token=response_token
        )
        form = bind(request, ProviderResponseForm)
        saved, answered = try_save(
            form,
            lambda d: services.referral_provider_respond(
                organization=request.organization, token=response_token, **d
            ),
        )
    except services.LinkRefused as exc:
        return _refused(request, exc)
    if saved:
        return render(request, "referrals/respond_done.html", {"referral": answered})
    return render(
        request,
        "referrals/respond.html",
        {"referral": referral, "form": form},
        status=form_status(request),
    )


@public_view
def listing_capacity(request, org, capacity_token):
    """The provider's openings page, reached from the signed link we sent them."""
    try:
        listing = services.listing_from_capacity_token(
            organization=request.organization, token=capacity_token
        )
    except services.LinkRefused as exc:
        return _refused(request, exc)
    initial = {"state": listing.capacity_state(), "waitlist_weeks": listing.waitlist_weeks}
    return form_view(
        request,
        bind(request, CapacityForm, initial=initial),
        save=lambda d: services.listing_capacity_update(
            organization=request.organization, token=capacity_token, **d
        ),
        done=lambda listing: render(request, "referrals/capacity_done.html", {"listing": listing}),
        template="referrals/capacity.html",
        context={"listing": listing},
    )


# --- portal ---------------------------------------------------------------------------


@roles_required(Role.FAMILY_MEMBER)
def portal_referrals(request, org):
    qs = selectors.referral_list_for_requester(membership=request.membership)
    page = page_of(request, qs, PAGE_SIZE)
    return render(request, "referrals/portal_referrals.html", {"page": page})


# --- staff: directory -----------------------------------------------------------------


def _manage_url(org) -> str:
    return reverse("staff:directory_manage", kwargs={"org": org})


@roles_required(*STAFF_ROLES)
def directory_search(request, org):
    context = _search(request, include_closed=True)
    return render(request, "referrals/directory_search.html", context)


@roles_required(*STAFF_ROLES)
def listing_detail(request, org, listing_id):
    listing = selectors.listing_get(organization=request.organization, listing_id=listing_id)
    return render(request, "referrals/listing_detail.html", {"listing": listing})


@roles_required(ADMIN)
def directory_manage(request, org):
    qs = selectors.listing_admin_list(organization=request.organization)
    if request.GET.get("review"):
        qs = selectors.listings_needing_review(organization=request.organization).order_by("name")
    page = page_of(request, qs, 50)
    review_count = selectors.listings_needing_review(organization=request.organization).count()
    jobs = selectors.import_job_list(organization=request.organization)[:5]
    return render(
        request,
        "referrals/directory_manage.html",
        {
            "page": page,
            "review_count": review_count,
            "jobs": jobs,
            "reviewing": bool(request.GET.get("review")),
        },
    )


@roles_required(ADMIN)
def listing_edit(request, org, listing_id=None):
    listing = None
    if listing_id is not None:
        listing = selectors.listing_get(organization=request.organization, listing_id=listing_id)
    form = bind(
        request, ListingForm, instance=listing or Listing(organization=request.organization)
    )
    return form_view(
        request,
        form,
        save=lambda d: services.listing_save(
            actor=request.user,
            organization=request.organization,
            listing=listing,
            location=form.location_values(),
            **form.listing_values(),
        ),
        done=lambda saved: reverse(
            "staff:listing_detail", kwargs={"org": org, "listing_id": saved.public_id}
        ),
        template="referrals/listing_form.html",
        context={"listing": listing},
        success=lambda saved: f"Saved {saved.name}.",
    )


def _capacity_link(request, org, listing_id, *, send: bool):
    listing = selectors.listing_get(organization=request.organization, listing_id=listing_id)
    try:
        token = services.listing_capacity_link(actor=request.user, listing=listing, send=send)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff:listing_edit", org=org, listing_id=listing.public_id)
    if send:
        messages.success(request, f"The openings link is on its way to {listing.email}.")
    link = request.build_absolute_uri(
        reverse("public:listing_capacity", kwargs={"org": org, "capacity_token": token})
    )
    return render(request, "referrals/capacity_link.html", {"listing": listing, "link": link})


@roles_required(ADMIN)
@require_POST
def listing_capacity_link(request, org, listing_id):
    """A new openings link, shown to copy."""
    return _capacity_link(request, org, listing_id, send=False)


@roles_required(ADMIN)
@require_POST
def listing_capacity_link_send(request, org, listing_id):
    """A new openings link, shown and e-mailed to the provider."""
    return _capacity_link(request, org, listing_id, send=True)


@roles_required(ADMIN)
def directory_settings(request, org):
    current = selectors.directory_settings_get(organization=request.organization)
    initial = {"capacity_fresh_days": current.capacity_fresh_days}
    return form_view(
        request,
        bind(request, DirectorySettingsForm, initial=initial),
        save=lambda d: services.directory_settings_update(
            actor=request.user, organization=request.organization, **d
        ),
        done=_manage_url(org),
        template="referrals/directory_settings.html",
        success="Directory settings saved.",
    )


@roles_required(ADMIN)
@require_POST
def listing_verify(request, org, listing_id):
    listing = selectors.listing_get(organization=request.organization, listing_id=listing_id)
    services.listing_verify(actor=request.user, listing=listing)
    messages.success(request, f"Marked {listing.name} as verified today.")
    return redirect("staff:listing_detail", org=org, listing_id=listing.public_id)


@roles_required(ADMIN)
def import_new(request, org):
    return form_view(
        request,
        bind(request, ImportForm),
        save=lambda d: services.import_job_create(
            actor=request.user,
            organization=request.organization,
            filename=d["file"].name,
            payload=d["file"].read(),
        ),
        done=lambda job: reverse(
            "staff:import_detail", kwargs={"org": org, "import_id": job.public_id}
        ),
        template="referrals/import_new.html",
        context={
            "sheet_columns": [
                (column, text, hsds.SHEET_VALUES.get(column, ()))
                for column, text in hsds.SHEET_COLUMNS
            ]
        },
    )


@roles_required(ADMIN)
def import_detail(request, org, import_id):
    job = selectors.import_job_get(organization=request.organization, job_id=import_id)
    template = "referrals/_import_progress.html" if request.htmx else "referrals/import_detail.html"
    context = {"job": job, "Status": ImportStatus, "report": selectors.import_report(job)}
    return render(request, template, context)


REPORT_COLUMNS = ["kind", "what", "row", "id", "field", "value", "result", "reason"]


@roles_required(ADMIN)
def import_report_csv(request, org, import_id):
    """Every notice and rejection of an import, one row each, for a spreadsheet."""
    job = selectors.import_job_get(organization=request.organization, job_id=import_id)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for error in job.errors or []:
        writer.writerow({**error, "kind": "rejected", "what": "Record rejected"})
    for item in job.warnings or []:
        kind = item.get("kind", "")
        writer.writerow({**item, "what": hsds.NOTICE_KINDS.get(kind, "")})
    response = HttpResponse(
        codecs.BOM_UTF8 + buffer.getvalue().encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-report-{job.public_id}.csv"'
    return response


@roles_required(ADMIN)
def import_template(request, org):
    response = HttpResponse(hsds.sheet_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="directory-template.csv"'
    return response


@roles_required(ADMIN)
def taxonomy_mapping(request, org):
    return form_view(
        request,
        bind(request, TaxonomyMappingForm),
        save=lambda d: services.taxonomy_mapping_add(
            actor=request.user, organization=request.organization, **d
        ),
        done=reverse("staff:taxonomy_mapping", kwargs={"org": org}),
        template="referrals/taxonomy_mapping.html",
        context={
            "mappings": selectors.taxonomy_mapping_list(organization=request.organization),
            "shipped": hsds_taxonomy.AIRS_CODES,
        },
        success=lambda mapping: (
            f"{mapping.term} is now read as {mapping.field} “{mapping.value}”. "
            "Re-classify imported listings to apply it to them."
        ),
    )


@roles_required(ADMIN)
@require_POST
def taxonomy_mapping_delete(request, org, mapping_id):
    mapping = selectors.taxonomy_mapping_get(
        organization=request.organization, mapping_id=mapping_id
    )
    services.taxonomy_mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, f"Removed the mapping of {mapping.term}.")
    return redirect("staff:taxonomy_mapping", org=org)


@roles_required(ADMIN)
def directory_reclassify(request, org):
    other = selectors.listing_admin_list(organization=request.organization).filter(kind=Kind.OTHER)
    return form_view(
        request,
        bind(request, ReclassifyForm),
        save=lambda d: services.listing_reclassify(
            actor=request.user, organization=request.organization, **d
        ),
        done=_manage_url(org),
        template="referrals/reclassify.html",
        context={"other_count": other.count()},
        success=_reclassified,
    )


def _reclassified(result) -> str:
    kinds = ", ".join(
        f"{n} {Kind(kind).label.lower()}" for kind, n in sorted(result["by_kind"].items())
    )
    return (
        f"Re-classified {result['changed']} of {result['examined']} imported listings"
        + (f": {kinds}." if kinds else ".")
        + (
            ""
            if result["changed"]
            else " Add taxonomy mappings for their terms, then re-classify again."
        )
    )


EXPORT_BATCH = 500


def _export_records(organization):
    """Service records in batches by primary key. Each batch is read inside the tenant
    scope of its own, because a streamed response is consumed after the view (and the
    request's scope) has returned."""
    last = 0
    while True:
        with organization_scope(organization):
            batch = list(
                selectors.listing_admin_list(organization=organization)
                .filter(pk__gt=last)
                .select_related("directory_organization")
                .prefetch_related("locations")
                .order_by("pk")[:EXPORT_BATCH]
            )
            records = [hsds.service_record(listing) for listing in batch]
        yield from records
        if len(batch) < EXPORT_BATCH:
            return
        last = batch[-1].pk


def export_json_stream(organization):
    """The export as a JSON array, written record by record: memory does not grow with
    the directory."""
    yield "["
    for index, record in enumerate(_export_records(organization)):
        yield ("," if index else "") + "\n" + json.dumps(record)
    yield "\n]\n"


@roles_required(ADMIN)
def directory_export(request, org, fmt):
    if fmt == "zip":
        package = hsds.csv_package(list(_export_records(request.organization)))
        response = HttpResponse(package, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{org}-hsds.zip"'
    else:
        response = StreamingHttpResponse(
            export_json_stream(request.organization), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{org}-hsds.json"'
    return response


# --- staff: referrals -----------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def referral_new(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    listings = selectors.listing_list(organization=request.organization).order_by("name")
    initial = {"listing": request.GET.get("listing")} if request.GET.get("listing") else None
    form = bind(request, StaffReferralForm, listings=listings, initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                actor=request.user,
                organization=request.organization,
                client=client,
                **form.cleaned_data,
            )
        except ConsentRequired as exc:
            refusal = exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral sent to {referral.listing.name}.")
            return redirect("staff:referral_detail", org=org, referral_id=referral.public_id)
    context = {"form": form, "client": client, "consent_refusal": refusal}
    if refusal is not None:
        context["consent_refusal_url"] = record_consent_path(
            organization=request.organization, refusal=refusal
        )
    return render(request, "referrals/referral_new.html", context)


@roles_required(*STAFF_ROLES)
def referral_list(request, org):
    qs = selectors.referral_list_for(membership=request.membership)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = page_of(request, qs, 50)
    return render(request, "referrals/referral_list.html", {"page": page, "status": status})


@roles_required(*STAFF_ROLES)
def client_referrals(request, org, client_id):
    """The client record's referrals tab: where this client has been referred, newest
    first, and the way to refer them."""
    client = client_get_for(membership=request.membership, client_id=client_id)
    record_read(request, client)
    referrals = (
        selectors.referral_list_for(membership=request.membership)
        .filter(client=client)
        .order_by("-created_at", "-id")
    )
    page = page_of(request, referrals, 50)
    return render(request, "referrals/client_referrals.html", {"client": client, "page": page})


def _record_read(request, referral) -> None:
    # A self-referral from the public directory names no client: nothing to record.
    if referral.client_id:
        record_read(request, referral, client_id=referral.client.public_id)


@roles_required(*STAFF_ROLES)
def referral_detail(request, org, referral_id):
    referral = selectors.referral_get_for(membership=request.membership, referral_id=referral_id)
    form = bind(request, StatusForm)
    saved, _result = try_save(
        form, lambda d: services.referral_set_status(actor=request.user, referral=referral, **d)
    )
    if saved:
        return answer(
            request,
            reverse(
                "staff:referral_detail", kwargs={"org": org, "referral_id": referral.public_id}
            ),
            success="Status updated.",
        )
    _record_read(request, referral)
    changes = referral.changes.select_related("changed_by")
    return render(
        request,
        "referrals/referral_detail.html",
        {"referral": referral, "form": form, "changes": changes},
        status=form_status(request),
    )


@roles_required(*STAFF_ROLES)
def referral_packet(request, org, referral_id):
    referral = selectors.referral_get_for(membership=request.membership, referral_id=referral_id)
    _record_read(request, referral)
    return render(
        request,
        "referrals/packet.html",
        {"referral": referral, "organization": request.organization, "notice": PART2_NOTICE},
    )


@roles_required(ADMIN)
def referral_reports(request, org):
    report = selectors.referral_report(organization=request.organization)
    return render(request, "referrals/reports.html", {"report": report})
