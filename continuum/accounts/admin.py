"""Accounts in the platform operator's admin: who may sign in, nothing more.

No password field and no password form (an operator never sets one: the person resets
their own), no second-factor devices (allauth's own pages, by their owner), no API tokens
(only their hashes exist), no deletion (deactivate instead). Every save goes through
`user_operator_save`, which audits it in the same transaction."""

from allauth.mfa.models import Authenticator
from django.contrib import admin

from .models import User
from .services import OPERATOR_USER_FIELDS, user_operator_save

# allauth registers its authenticators (TOTP secrets, recovery seeds) for the admin.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff"]
    fields = [*OPERATOR_USER_FIELDS, "last_login", "date_joined"]
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        user_operator_save(
            actor=request.user, user=obj, changed=list(form.changed_data), created=not change
        )
