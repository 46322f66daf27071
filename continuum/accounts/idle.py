"""Automatic logoff (HIPAA 164.312(a)(2)(iii)): a signed-in session ends after a period
without requests. A user who is staff anywhere gets the shortest
`staff_idle_timeout_minutes` of their organizations; families and clients the shortest
`portal_idle_timeout_minutes`. The limit is fixed at login (a changed setting applies from
the next login), and static/js/idle.js warns two minutes before the end."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum.tenancy.selectors import memberships_for_user

LAST_ACTIVITY = "idle_last_activity"
TIMEOUT = "idle_timeout_seconds"
# Last activity is rewritten at most this often, so a page view does not save the
# session every time; a session can therefore end up to this much early.
ACTIVITY_RESOLUTION = 60


def timeout_for_user(user) -> int:
    memberships = memberships_for_user(user=user)
    staff = [m.organization.staff_idle_timeout_minutes for m in memberships if m.is_staff_member]
    portal = [m.organization.portal_idle_timeout_minutes for m in memberships]
    minutes = min(staff or portal or [settings.STAFF_IDLE_TIMEOUT_DEFAULT])
    return minutes * 60


@receiver(user_logged_in)
def _start_idle_clock(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_ACTIVITY] = int(time.time())
        session[TIMEOUT] = timeout_for_user(user)


def _wants_json(request) -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == reverse("session_keep_alive")
        or bool(request.headers.get("HX-Request"))
    )


class IdleTimeoutMiddleware:
    """Before the tenant middleware, so a logoff (and its audit event) happens outside any
    organization."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        now = int(time.time())
        allowed = request.session.get(TIMEOUT, settings.STAFF_IDLE_TIMEOUT_DEFAULT * 60)
        last = request.session.get(LAST_ACTIVITY)
        if last is not None and now - last >= allowed:
            logout(request)
            if _wants_json(request):
                return JsonResponse({"detail": "Signed out after inactivity."}, status=401)
            messages.info(request, _("You were signed out after a period of inactivity."))
            return redirect_to_login(request.get_full_path())
        if last is None or now - last >= ACTIVITY_RESOLUTION:
            request.session[LAST_ACTIVITY] = now
        request.idle_timeout_seconds = allowed
        return self.get_response(request)


@require_POST
def keep_alive(request):
    """Pinged by the 'Stay signed in' button: the middleware has already renewed the
    session; an expired or anonymous session answers 401."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Not signed in."}, status=401)
    request.session[LAST_ACTIVITY] = int(time.time())
    return JsonResponse({"timeout": request.session.get(TIMEOUT)})
