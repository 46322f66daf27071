"""Helpers for pages and API endpoints that show a client's records: each call leaves a
read event in the audit trail."""

from .services import audit_read, audit_read_many, audit_read_records, audit_read_rows


def record_read(request, obj, *, client_id=None):
    """Call from a page view after fetching a client record it is about to show."""
    return audit_read(
        actor=request.user, organization=request.organization, obj=obj, client_id=client_id
    )


def record_reads(request, items):
    """Call from a list page with (object, client public id) pairs of the rows shown."""
    return audit_read_many(actor=request.user, organization=request.organization, items=items)


def record_row_reads(request, model, rows):
    """Call from a list page built from plain rows with (public id, client public id)
    pairs of the `model` records shown."""
    return audit_read_rows(
        actor=request.user, organization=request.organization, model=model, rows=rows
    )


def record_mixed_reads(request, rows):
    """Call from a page that shows records of several kinds, with (model, public id, client
    public id) for each record shown: one statement for all of them."""
    return audit_read_records(actor=request.user, organization=request.organization, rows=rows)


class AuditedRetrieveMixin:
    """DRF: records a read for the object a retrieve (or any get_object) returns.

    Override `audit_client_id(obj)` when the object is about a client but is not one."""

    def audit_client_id(self, obj):
        return None

    def get_object(self):
        obj = super().get_object()
        audit_read(
            actor=self.request.user,
            organization=self.request.organization,
            obj=obj,
            client_id=self.audit_client_id(obj),
        )
        return obj


class AuditedListMixin:
    """DRF: records a read for every object on the page a list response returns."""

    def audit_client_id(self, obj):
        return None

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            audit_read_many(
                actor=self.request.user,
                organization=self.request.organization,
                items=[(obj, self.audit_client_id(obj)) for obj in page],
            )
        return page
