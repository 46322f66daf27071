from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from continuum.paging import page_of, query_without_page
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import roles_required
from continuum.tenancy.selectors import membership_list

from .export import csv_rows
from .forms import AuditFilterForm
from .selectors import AuditFilters, audit_event_list
from .services import audit_record

PAGE_SIZE = 50


def _filter_form(request):
    members = membership_list(organization=request.organization)
    return AuditFilterForm(request.GET or None, members=members)


def _filters(form) -> AuditFilters | None:
    """The form's filters; None when the input is invalid (nothing is shown then)."""
    if not form.is_bound:
        return AuditFilters()
    return form.filters() if form.is_valid() else None


@roles_required(Role.ORG_ADMIN)
def audit_list(request, org):
    form = _filter_form(request)
    filters = _filters(form)
    page = None
    if filters is not None:
        events = audit_event_list(organization=request.organization, filters=filters)
        page = page_of(request, events, PAGE_SIZE)
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
        status=200 if filters is not None else 400,
    )


@roles_required(Role.ORG_ADMIN)
def audit_export(request, org):
    form = _filter_form(request)
    filters = _filters(form)
    if filters is None:
        return render(
            request,
            "audit/audit_list.html",
            {"form": form, "page": None, "query": ""},
            status=400,
        )
    # The export is itself a read of the trail: it is recorded before anything is sent.
    audit_record(
        actor=request.user,
        organization=request.organization,
        action="audit.exported",
        # An export without filters is the whole trail: no form was bound, nothing cleaned.
        detail={k: str(v) for k, v in getattr(form, "cleaned_data", {}).items() if v},
    )
    events = audit_event_list(organization=request.organization, filters=filters)
    response = StreamingHttpResponse(
        csv_rows(events.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{org}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
