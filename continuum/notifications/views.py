"""Inbox, notification preferences and the calendar link, in both the staff and the
portal area (the URL namespace says which), plus the public calendar feed."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from continuum.forms_views import bind, form_view
from continuum.paging import page_of
from continuum.tenancy.permissions import public_view

from .forms import PreferencesForm
from .selectors import (
    calendar_feed_live_for,
    notification_get_for,
    notification_inbox_for,
    notification_unread_count,
    preferences_get,
)
from .services import (
    CalendarFeedEnded,
    calendar_feed_read,
    calendar_feed_revoke,
    calendar_feed_rotate,
    notification_mark_all_read,
    notification_mark_read,
    preferences_update,
)

PAGE_SIZE = 20


def _area(request) -> str:
    return request.resolver_match.namespace


def _area_context(request) -> dict:
    area = _area(request)
    return {"base_template": f"{area}_base.html", "area": area}


def _inbox_response(request, org, *, status=200):
    organization, user = request.organization, request.user
    notifications = notification_inbox_for(organization=organization, user=user)
    page = page_of(request, notifications, PAGE_SIZE)
    unread = notification_unread_count(organization=organization, user=user)
    return render(
        request,
        "notifications/inbox.html",
        {**_area_context(request), "page": page, "unread": unread},
        status=status,
    )


def inbox(request, org):
    return _inbox_response(request, org)


def inbox_badge(request, org):
    """The unread count for the navigation, fetched by htmx so pages pay nothing for it."""
    unread = notification_unread_count(organization=request.organization, user=request.user)
    return render(request, "notifications/partials/badge.html", {"unread": unread})


def _after_marking(request, org):
    if request.htmx:
        response = _inbox_response(request, org)
        response["HX-Trigger"] = "notifications-read"
        return response
    url = reverse(f"{_area(request)}:notification_inbox", kwargs={"org": org})
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@require_POST
def notification_read(request, org, notification_id):
    notification = notification_get_for(
        organization=request.organization, user=request.user, notification_id=notification_id
    )
    notification_mark_read(actor=request.user, notification=notification)
    return _after_marking(request, org)


@require_POST
def notification_read_all(request, org):
    count = notification_mark_all_read(actor=request.user, organization=request.organization)
    if not request.htmx:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked read.", "%(count)d notifications marked read.", count
            )
            % {"count": count},
        )
    return _after_marking(request, org)


def preferences(request, org):
    organization, user = request.organization, request.user
    current = preferences_get(organization=organization, user=user)
    initial = {
        "quiet_hours_start": current.quiet_hours_start,
        "quiet_hours_end": current.quiet_hours_end,
        "sms_number": current.sms_number,
    }
    form = bind(
        request, PreferencesForm, initial=initial, channels_by_kind=current.channels_by_kind
    )
    return form_view(
        request,
        form,
        save=lambda d: preferences_update(
            actor=user,
            organization=organization,
            channels_by_kind=form.channels_by_kind(),
            **{name: d[name] for name in initial},
        ),
        done=reverse(f"{_area(request)}:notification_preferences", kwargs={"org": org}),
        template="notifications/preferences.html",
        context=_area_context(request),
        success=_("Notification preferences saved."),
    )


def _feed_url(request, org, token: str) -> str:
    path = reverse("public:calendar_feed_ics", kwargs={"org": org, "feed_token": token})
    return request.build_absolute_uri(path)


def calendar_link(request, org):
    feed = calendar_feed_live_for(organization=request.organization, user=request.user)
    return render(
        request,
        "notifications/calendar_link.html",
        {**_area_context(request), "feed": feed, "new_url": None},
    )


@require_POST
def calendar_link_rotate(request, org):
    feed, token = calendar_feed_rotate(actor=request.user, organization=request.organization)
    # The token exists only now: show it on this response instead of redirecting.
    return render(
        request,
        "notifications/calendar_link.html",
        {**_area_context(request), "feed": feed, "new_url": _feed_url(request, org, token)},
    )


@require_POST
def calendar_link_revoke(request, org):
    if calendar_feed_revoke(actor=request.user, organization=request.organization):
        messages.success(request, _("Your calendar link no longer works."))
    return redirect(f"{_area(request)}:calendar_link", org=org)


@public_view
def calendar_feed_ics(request, org, feed_token):
    """Calendar apps cannot log in: the secret URL is the credential."""
    try:
        body = calendar_feed_read(organization=request.organization, token=feed_token)
    except CalendarFeedEnded:
        # Calendar apps show the status; a person opening the link reads the way on.
        return HttpResponse(
            _(
                "This calendar link has ended: the access it was made with has changed. "
                "Sign in to %(organization)s and create a new link under Calendar link."
            )
            % {"organization": request.organization.name},
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
