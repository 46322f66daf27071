"""Accounts in the platform operator's admin: who may sign in, nothing more.

No password field and no password form (an operator never sets one: the person resets
their own), no second-factor devices (allauth's own pages, by their owner), no API tokens
(only their hashes exist), no deletion (deactivate instead). Every save goes through
`user_operator_save`, which audits it in the same transaction."""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin

from .models import User
from .services import OPERATOR_USER_FIELDS, user_operator_save

# allauth registers its authenticators (TOTP secrets, recovery seeds) for the admin.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class ReadOnlyEmailAddressAdmin(EmailAddressAdmin):
    """Seen, not changed: an operator who could add or verify an address for someone else's
    account could reset its password there and sign in as them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff"]
    fields = [*OPERATOR_USER_FIELDS, "last_login", "date_joined"]
    readonly_fields = ["last_login", "date_joined"]

    def get_readonly_fields(self, request, obj=None):
        # The address is the way into the account (password reset, login codes): changing
        # it would hand the account to whoever owns the new one.
        return [*self.readonly_fields, "email"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        user_operator_save(
            actor=request.user, user=obj, changed=list(form.changed_data), created=not change
        )
