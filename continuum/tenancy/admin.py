from django.contrib import admin

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Platform operators create and configure organizations here. Members and records
    are managed inside each organization by its own admins, never from this site."""

    list_display = ["name", "slug", "is_active", "staff_mfa_required", "intake_open", "created_at"]
    list_filter = ["is_active", "staff_mfa_required", "intake_open"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
