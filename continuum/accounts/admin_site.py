"""The platform operator's Django admin.

It has no login form of its own: `/admin/login/` sends to the web login, so the admin
gets the same lock-out, audit and second factor as every sign-in. A session is admitted
only if it is an active operator's (`is_staff`) and completed a TOTP step; an operator
without an authenticator is sent to set one up, one who signed in without it (e.g. set
it up later in the session) to confirm a code."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def session_passed_second_factor(request) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class OperatorAdminSite(admin.AdminSite):
    site_header = "Continuum platform administration"
    site_title = "Continuum administration"
    index_title = "Organizations and accounts"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and is_mfa_enabled(user, ["totp"])
            and session_passed_second_factor(request)
        )

    def password_change(self, request, extra_context=None):
        # allauth's page: it asks for the current password and ends the API tokens.
        return redirect("account_change_password")

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied("The platform administration is for platform operators.")
        if not is_mfa_enabled(user, ["totp"]):
            return redirect(reverse("mfa_activate_totp") + "?next=" + next_url)
        if not session_passed_second_factor(request):
            return redirect(reverse("mfa_reauthenticate") + "?next=" + next_url)
        return redirect(next_url)
