from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from continuum.forms_views import action_view, bind, form_status, form_view, try_save
from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.permissions import roles_required

from .forms import CareTeamForm, ClientForm, EmergencyAccessForm, FamilyMemberForm
from .selectors import (
    break_glass_find_client,
    break_glass_grants_for,
    care_team_member_get,
    client_get_for,
    family_members_known_to,
    staff_for_care_team,
)
from .services import (
    break_glass_open,
    break_glass_refuse,
    care_team_add,
    care_team_end,
    client_create,
    client_update,
    family_member_add,
)

# Assigning staff to a client grants them the record: only roles that see every client.
CARE_TEAM_MANAGERS = (Role.ORG_ADMIN, Role.INTAKE_COORDINATOR)


def _client_url(org, client) -> str:
    return reverse("staff:client_detail", kwargs={"org": org, "client_id": client.public_id})


@roles_required(*STAFF_ROLES)
def client_create_view(request, org):
    return form_view(
        request,
        bind(request, ClientForm),
        save=lambda d: client_create(actor=request.user, membership=request.membership, **d),
        done=lambda client: _client_url(org, client),
        template="people/client_form.html",
        context={"client": None},
        success=lambda client: f"{client.display_name} added.",
    )


@roles_required(*STAFF_ROLES)
def client_edit(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    initial = {name: getattr(client, name) for name in ClientForm.base_fields}
    return form_view(
        request,
        bind(request, ClientForm, initial=initial),
        save=lambda d: client_update(actor=request.user, client=client, **d),
        done=_client_url(org, client),
        template="people/client_form.html",
        context={"client": client},
        success="Client details saved.",
    )


FAMILY_MEMBER_FIELDS = ("first_name", "last_name", "email", "phone", "preferred_language")


@roles_required(*STAFF_ROLES)
def family_member_add_view(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    known = family_members_known_to(membership=request.membership, exclude_client=client)

    def add(data):
        values = {} if data["existing"] else {n: data[n] for n in FAMILY_MEMBER_FIELDS}
        return family_member_add(
            actor=request.user,
            client=client,
            relationship=data["relationship"],
            is_primary_contact=data["is_primary_contact"],
            family_member=data["existing"],
            **values,
        )

    return form_view(
        request,
        bind(request, FamilyMemberForm, known_family=known),
        save=add,
        done=_client_url(org, client),
        template="people/family_member_form.html",
        context={"client": client},
        success=lambda link: f"{link.family_member.display_name} added to the family.",
    )


@roles_required(*CARE_TEAM_MANAGERS)
def care_team_add_view(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    form = bind(
        request,
        CareTeamForm,
        staff=staff_for_care_team(organization=request.organization),
        initial={"started_on": timezone.localdate()},
    )
    return form_view(
        request,
        form,
        save=lambda d: care_team_add(actor=request.user, client=client, **d),
        done=_client_url(org, client),
        template="people/care_team_form.html",
        context={"client": client},
        success="Care team updated.",
    )


@roles_required(*CARE_TEAM_MANAGERS)
@require_POST
def care_team_end_view(request, org, client_id, care_team_member_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    link = care_team_member_get(client=client, care_team_member_id=care_team_member_id)
    return action_view(
        request,
        lambda: care_team_end(actor=request.user, link=link),
        done=_client_url(org, client),
        success=f"{link.membership.user.get_full_name()} no longer serves this client.",
    )


NO_MATCH = (
    "No single client matches these details exactly. Check them, or ask an administrator "
    "or intake coordinator. This attempt has been recorded."
)


def _break_glass_open(request, d):
    """Emergency access to the one client these details match exactly; a miss is
    recorded before it is refused."""
    client = break_glass_find_client(
        organization=request.organization,
        client_id=d["client_id"],
        first_name=d["first_name"],
        last_name=d["last_name"],
        date_of_birth=d["date_of_birth"],
    )
    if client is None:
        break_glass_refuse(actor=request.user, membership=request.membership, reason=d["reason"])
        raise ValidationError(NO_MATCH)
    return break_glass_open(
        actor=request.user,
        membership=request.membership,
        client_id=client.public_id,
        reason=d["reason"],
    )


@roles_required(*STAFF_ROLES)
def break_glass_view(request, org):
    """Emergency access starts from an exact identifier the requester already has: no
    partial matches, a reason first, every attempt audited, and a per-user limit."""
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="people.break_glass",
            key="user",
            rate=settings.BREAK_GLASS_RATE,
            method="POST",
            increment=True,
        ):
            return render(request, "people/break_glass_limited.html", status=429)
        saved, grant = try_save(form, lambda d: _break_glass_open(request, d))
        if saved:
            until = timezone.localtime(grant.expires_at).strftime("%H:%M")
            messages.warning(
                request,
                f"Emergency access granted until {until}. "
                "It is recorded and the administrators have been told.",
            )
            return redirect(_client_url(org, grant.client))
    return render(request, "people/break_glass.html", {"form": form}, status=form_status(request))


@roles_required(Role.ORG_ADMIN)
def break_glass_log_view(request, org):
    grants = break_glass_grants_for(organization=request.organization)[:200]
    return render(
        request,
        "people/break_glass_log.html",
        {"grants": grants, "now": timezone.now()},
    )


@roles_required(Role.FAMILY_MEMBER, Role.CLIENT)
@require_POST
def portal_language(request, org):
    """The portal's language switcher: the cookie, as for any visitor, and the person's
    preferred language, so the messages we send them follow their choice."""
    from contextlib import suppress

    from django.views.i18n import set_language

    from .services import preferred_language_set

    # An unknown language changes nothing here, and set_language ignores it the same way.
    with suppress(ValidationError):
        preferred_language_set(
            actor=request.user,
            organization=request.organization,
            language=request.POST.get("language", ""),
        )
    return set_language(request)
