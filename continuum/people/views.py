from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from continuum.tenancy.models import STAFF_ROLES, Role
from continuum.tenancy.permissions import roles_required
from continuum.tenancy.views import add_service_errors

from .forms import CareTeamForm, ClientForm, FamilyMemberForm
from .selectors import (
    care_team_member_get,
    client_get_for,
    family_members_known_to,
    staff_for_care_team,
)
from .services import care_team_add, care_team_end, client_create, client_update, family_member_add

# Assigning staff to a client grants them the record: only roles that see every client.
CARE_TEAM_MANAGERS = (Role.ORG_ADMIN, Role.INTAKE_COORDINATOR)


def _client_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields}


@roles_required(*STAFF_ROLES)
def client_create_view(request, org):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = client_create(
                actor=request.user, membership=request.membership, **_client_fields(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{client.display_name} added.")
            return redirect("staff:client_detail", org=org, client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/client_form.html", {"form": form, "client": None}, status=status)


@roles_required(*STAFF_ROLES)
def client_edit(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    initial = {name: getattr(client, name) for name in ClientForm.base_fields}
    form = ClientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            client_update(actor=request.user, client=client, **_client_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Client details saved.")
            return redirect("staff:client_detail", org=org, client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/client_form.html", {"form": form, "client": client}, status=status
    )


@roles_required(*STAFF_ROLES)
def family_member_add_view(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    known = family_members_known_to(membership=request.membership, exclude_client=client)
    form = FamilyMemberForm(request.POST or None, known_family=known)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {}
        if not data["existing"]:
            values = {
                n: data[n]
                for n in ("first_name", "last_name", "email", "phone", "preferred_language")
            }
        try:
            link = family_member_add(
                actor=request.user,
                client=client,
                relationship=data["relationship"],
                is_primary_contact=data["is_primary_contact"],
                family_member=data["existing"],
                **values,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{link.family_member.display_name} added to the family.")
            return redirect("staff:client_detail", org=org, client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/family_member_form.html", {"form": form, "client": client}, status=status
    )


@roles_required(*CARE_TEAM_MANAGERS)
def care_team_add_view(request, org, client_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    form = CareTeamForm(
        request.POST or None,
        staff=staff_for_care_team(organization=request.organization),
        initial={"started_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            care_team_add(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Care team updated.")
            return redirect("staff:client_detail", org=org, client_id=client.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/care_team_form.html", {"form": form, "client": client}, status=status
    )


@roles_required(*CARE_TEAM_MANAGERS)
@require_POST
def care_team_end_view(request, org, client_id, care_team_member_id):
    client = client_get_for(membership=request.membership, client_id=client_id)
    link = care_team_member_get(client=client, care_team_member_id=care_team_member_id)
    try:
        care_team_end(actor=request.user, link=link)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, f"{link.membership.user.get_full_name()} no longer serves this client."
        )
    return redirect("staff:client_detail", org=org, client_id=client.public_id)
