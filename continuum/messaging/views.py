"""Conversation pages, in the staff and the portal area (the URL namespace says which):
thin, they parse, call one service or selector, and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from continuum.care import safety
from continuum.consent.refusals import record_consent_path
from continuum.consent.services import ConsentRequired
from continuum.forms_views import add_service_errors
from continuum.paging import page_number, page_of
from continuum.people.selectors import (
    client_get_for,
    client_list_for,
    family_for,
    family_member_for_portal_user,
)
from continuum.tenancy.models import PORTAL_ROLES, STAFF_ROLES
from continuum.tenancy.permissions import roles_required

from . import selectors, services
from .forms import MessageForm, PortalInviteForm, StartForm

PAGE_SIZE = 20


def _area(request) -> str:
    return request.resolver_match.namespace


def _context(request, **values) -> dict:
    area = _area(request)
    return {"base_template": f"{area}_base.html", "area": area, **values}


def _thread_url(request, thread) -> str:
    return reverse(
        f"{_area(request)}:messaging_thread",
        kwargs={"org": request.organization.slug, "thread_id": thread.public_id},
    )


def _refusal(request, exc: ConsentRequired) -> dict:
    """Every refusal names the way forward: staff get the page that records the missing
    consent; a family member is told who can set it up."""
    if _area(request) == "staff":
        return {
            "refusal": exc.messages[0],
            "refusal_url": record_consent_path(organization=request.organization, refusal=exc),
        }
    return {
        "refusal": _(
            "Messages with the team need your loved one's written permission (a consent "
            "naming you). Ask your loved one, or call %(organization)s, to set it up."
        )
        % {"organization": request.organization.name}
    }


def _inbox(request, org):
    seats = selectors.seat_list_for(membership=request.membership)
    page = page_of(request, seats, PAGE_SIZE)
    context = _context(request, page=page)
    if _area(request) == "portal":
        # Whom they can write about: themselves, or the loved ones they are linked to.
        context["start_clients"] = client_list_for(membership=request.membership)
    return render(request, "messaging/inbox.html", context)


def _badge(request, org):
    unread = selectors.unread_total_for(membership=request.membership)
    return render(request, "messaging/partials/badge.html", {"unread": unread})


def _thread(request, org, thread_id):
    seat = selectors.seat_get_for(membership=request.membership, thread_id=thread_id)
    form = MessageForm(request.POST or None)
    context = _context(request, seat=seat, thread=seat.thread, form=form)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_send(
                    actor=request.user,
                    membership=request.membership,
                    seat=seat,
                    body=form.cleaned_data["body"],
                )
            except ConsentRequired as exc:
                context.update(_refusal(request, exc))
                status = 403
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("Message sent."))
                return redirect(_thread_url(request, seat.thread))
        else:
            status = 400
    try:
        context["page"], context["thread_messages"] = services.thread_page_open(
            actor=request.user, seat=seat, page=page_number(request.GET.get("page"))
        )
    except ConsentRequired as exc:
        context.update(_refusal(request, exc))
        context["thread_messages"] = []
        status = 403
    if _area(request) == "staff":
        context["staff_names"] = selectors.staff_names_for(thread=seat.thread)
    return render(request, "messaging/thread.html", context, status=status)


# --- staff ------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def staff_inbox(request, org):
    return _inbox(request, org)


@roles_required(*STAFF_ROLES)
def staff_badge(request, org):
    return _badge(request, org)


@roles_required(*STAFF_ROLES)
def staff_thread(request, org, thread_id):
    return _thread(request, org, thread_id)


@roles_required(*STAFF_ROLES)
def thread_urgent(request, org, thread_id):
    """Its own page: a confirmation, then the truth about who was asked to call."""
    seat = selectors.seat_get_for(membership=request.membership, thread_id=thread_id)
    if request.method == "POST":
        try:
            urgent = services.thread_mark_urgent(
                actor=request.user, membership=request.membership, seat=seat
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, safety.staff_told_sentence(urgent.event))
        return redirect(_thread_url(request, seat.thread))
    return render(request, "messaging/urgent.html", _context(request, thread=seat.thread))


@roles_required(*STAFF_ROLES)
def client_threads(request, org, client_id):
    """One client's conversations that I take part in, and opening a new one."""
    client = client_get_for(membership=request.membership, client_id=client_id)
    form = StartForm(request.POST or None, client=client, family=family_for(client=client))
    context = _context(request, client=client, form=form)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                thread = services.thread_start(
                    actor=request.user,
                    membership=request.membership,
                    client=client,
                    family_member=form.family_member(),
                )
            except ConsentRequired as exc:
                context.update(_refusal(request, exc))
                status = 403
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(_thread_url(request, thread))
    context["seats"] = selectors.threads_for_client(membership=request.membership, client=client)
    return render(request, "messaging/client_threads.html", context, status=status)


@roles_required(*STAFF_ROLES)
def portal_invite(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    initial = {"counterpart": "client", "email": client.email}
    form = PortalInviteForm(
        request.POST or None, client=client, family=family_for(client=client), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        record = form.family_member() or client
        try:
            services.portal_invite(
                actor=request.user, record=record, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{record.display_name} is invited: an e-mail to {form.cleaned_data['email']} "
                "explains how to sign in with a code.",
            )
            return redirect("staff:client_detail", org=org, client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "messaging/portal_invite.html", {"client": client, "form": form}, status=status
    )


# --- portal -----------------------------------------------------------------------------


@roles_required(*PORTAL_ROLES)
def portal_inbox(request, org):
    return _inbox(request, org)


@roles_required(*PORTAL_ROLES)
def portal_badge(request, org):
    return _badge(request, org)


@roles_required(*PORTAL_ROLES)
def portal_thread(request, org, thread_id):
    return _thread(request, org, thread_id)


@roles_required(*PORTAL_ROLES)
def portal_start(request, org, client_id):
    """Write to the team: the client about themselves, a family member about the loved
    one they are linked to. Confirmed with a button, then the thread page."""
    client = client_get_for(membership=request.membership, client_id=client_id)
    context = _context(request, client=client)
    status = 200
    if request.method == "POST":
        family_member = None
        if client.portal_user_id != request.user.pk:
            family_member = family_member_for_portal_user(membership=request.membership)
        try:
            thread = services.thread_start(
                actor=request.user,
                membership=request.membership,
                client=client,
                family_member=family_member,
            )
        except ConsentRequired as exc:
            context.update(_refusal(request, exc))
            status = 403
        except ValidationError as exc:
            context["refusal"] = " ".join(exc.messages)
            status = 400
        else:
            return redirect(_thread_url(request, thread))
    return render(request, "messaging/start.html", context, status=status)
