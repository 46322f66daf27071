"""A family member's or client's pages come in the language they chose, on any device.

The language of a page is the visitor's cookie (django.middleware.locale). A visitor who
signs in without one, on a new device or browser, gets the language saved on their record
(FamilyMember / Client.preferred_language) in the organization they are signing in to.
A cookie already there is the visitor's choice on this device, and stays."""

from allauth.account.signals import user_logged_in
from django.conf import settings
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django.utils import translation

from continuum.tenancy.models import PORTAL_ROLES
from continuum.tenancy.scoping import organization_scope
from continuum.tenancy.selectors import memberships_for_user

from .selectors import preferred_language_for


def _organization_for(user, next_url: str):
    """The organization named by the page the visitor is going to, else their first
    portal membership: a person's records live per organization."""
    portal = [m for m in memberships_for_user(user=user) if m.has_role(*PORTAL_ROLES)]
    if not portal:
        return None
    try:
        slug = resolve(next_url or "/").kwargs.get("org")
    except Resolver404:
        slug = None
    for membership in portal:
        if membership.organization.slug == slug:
            return membership.organization
    return portal[0].organization


@receiver(user_logged_in)
def apply_saved_language(sender, request, user, response=None, **kwargs):
    if response is None or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    organization = _organization_for(user, response.get("Location", ""))
    if organization is None:
        return
    with organization_scope(organization):
        language = preferred_language_for(user=user, organization=organization)
    if language not in dict(settings.LANGUAGES):
        return
    # The rest of this request (the "signed in" message) speaks it too.
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
