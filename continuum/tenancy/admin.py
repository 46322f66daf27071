from django.contrib import admin

from .models import Organization
from .services import organization_operator_save


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Platform operators create and configure organizations here. Members and records
    are managed inside each organization by its own admins, never from this site. Every
    save goes through `organization_operator_save`, audited in the same transaction."""

    list_display = ["name", "slug", "is_active", "staff_mfa_required", "intake_open", "created_at"]
    list_filter = ["is_active", "staff_mfa_required", "intake_open"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    # Chosen among the organization's members by its own admins; listing members here
    # would also query a tenant table outside any organization's scope.
    exclude = ["on_call_fallback"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an organization's records outlive it; deactivate instead

    def save_model(self, request, obj, form, change):
        organization_operator_save(
            actor=request.user,
            organization=obj,
            changed=list(form.changed_data),
            created=not change,
        )
