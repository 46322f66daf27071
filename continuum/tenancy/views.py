from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from continuum.forms_views import action_view, add_service_errors, bind, form_view

from . import portal
from .dashboard import BoardColumn, CardContent, CardItem, cards_for
from .forms import AcceptInvitationForm, InvitationForm, MembershipForm, OrganizationSettingsForm
from .models import STAFF_ROLES, Role
from .permissions import public_view, roles_required
from .selectors import (
    account_exists,
    invitation_get,
    invitation_list_pending,
    membership_get,
    membership_list,
    memberships_for_user,
)
from .services import (
    invitation_accept,
    invitation_create,
    invitation_get_by_token,
    invitation_revoke,
    membership_deactivate,
    membership_reactivate,
    membership_update,
    organization_update_settings,
)


def area_home_url(membership) -> str:
    slug = membership.organization.slug
    if membership.is_staff_member:
        return reverse("staff:dashboard", kwargs={"org": slug})
    return reverse("portal:home", kwargs={"org": slug})


# --- outside any organization ---------------------------------------------------------


def home(request):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("home"))
    memberships = memberships_for_user(user=request.user)
    if len(memberships) == 1:
        return redirect(area_home_url(memberships[0]))
    return redirect("organization_switcher")


@login_required
def organization_switcher(request):
    memberships = memberships_for_user(user=request.user)
    choices = [{"membership": m, "url": area_home_url(m)} for m in memberships]
    return render(request, "tenancy/switcher.html", {"choices": choices})


# --- public -----------------------------------------------------------------------------


@public_view
def landing(request, org):
    return render(request, "tenancy/landing.html")


@public_view
def invitation_accept_view(request, org, token):
    organization = request.organization
    invitation = invitation_get_by_token(organization=organization, token=token)
    if invitation is None:
        return render(request, "tenancy/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    existing_account = user is None and account_exists(email=invitation.email)
    if existing_account:
        return redirect_to_login(request.get_full_path())
    form = AcceptInvitationForm(request.POST or None) if user is None else None
    error = None
    if request.method == "POST":
        try:
            if user is not None:
                membership = invitation_accept(organization=organization, token=token, user=user)
            elif form.is_valid():
                membership = invitation_accept(
                    organization=organization,
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ValidationError as exc:
            membership = None
            if form is not None:
                add_service_errors(form, _password_errors_to_field(exc))
            else:
                error = exc.messages[0]
        if membership is not None:
            messages.success(
                request, _("Welcome to %(organization)s.") % {"organization": organization.name}
            )
            return redirect(area_home_url(membership))
    return render(
        request,
        "tenancy/invitation_accept.html",
        {"invitation": invitation, "form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )


def _password_errors_to_field(error: ValidationError) -> ValidationError:
    # validate_password raises a plain list; those messages belong to the password field.
    if hasattr(error, "error_dict"):
        return error
    return ValidationError({"password1": error.error_list})


# --- portal -----------------------------------------------------------------------------


def portal_home(request, org):
    return render(
        request,
        "tenancy/portal_home.html",
        {"sections": portal.sections_for(request, request.membership)},
    )


# --- staff ------------------------------------------------------------------------------


def staff_dashboard(request, org):
    """Where a member's day starts: what needs them now (safety first), today's and the
    overdue work, and each line's own view of their clients, every card with its count."""
    return render(request, "tenancy/staff_dashboard.html", {"cards": cards_for(request)})


@roles_required(*STAFF_ROLES)
def components(request, org):
    """Every component of templates/components/ with example content, so a page's author
    sees what exists before writing markup of their own."""
    example_card = CardContent(
        name="example",
        title="Safety alerts waiting for you",
        count=1,
        severity="urgent",
        items=[
            CardItem(
                title="Same-day call: Sam Example",
                url="#",
                detail="Asked for help now · 4 minutes ago",
                badge="Urgent",
                severity="urgent",
            )
        ],
        explain="A card with its count, what the count means, its items and a link.",
        url="#",
    )
    example_board = CardContent(
        name="example-board",
        title="Request pipeline",
        count=2,
        columns=[
            BoardColumn(
                "New",
                1,
                [CardItem(title="Sam Example", url="#", badge="Urgent", severity="urgent")],
            ),
            BoardColumn("Planning", 1, [CardItem(title="Alex Example", url="#", detail="2 days")]),
            BoardColumn("Scheduled", 0, []),
        ],
    )
    rows = [
        {"name": "Sam Example", "status": "Active", "since": "4 Dec 2026"},
        {"name": "Alex Example", "status": "Paused", "since": "1 Nov 2026"},
    ]
    return render(
        request,
        "tenancy/components.html",
        {
            "example_card": example_card,
            "example_board": example_board,
            "example_rows": rows,
            "example_tabs": [
                {"label": "Overview", "url": "#", "current": True},
                {"label": "Timeline", "url": "#", "current": False},
                {"label": "Coaching", "url": "#", "current": False},
            ],
            "severities": ["urgent", "high", "normal", "low", "ok", "info"],
        },
    )


def _team_url(org) -> str:
    return reverse("staff:team", kwargs={"org": org})


@roles_required(Role.ORG_ADMIN)
def team(request, org):
    organization = request.organization
    members = list(membership_list(organization=organization))
    # Staff are the team; families and clients hold portal accounts and are listed apart.
    return render(
        request,
        "tenancy/team.html",
        {
            "staff": [m for m in members if m.is_staff_member],
            "portal_accounts": [m for m in members if not m.is_staff_member],
            "invitations": invitation_list_pending(organization=organization),
        },
    )


@roles_required(Role.ORG_ADMIN)
def team_invite(request, org):
    return form_view(
        request,
        bind(request, InvitationForm),
        save=lambda d: invitation_create(
            actor=request.user,
            organization=request.organization,
            email=d["email"],
            roles=d["roles"],
        ),
        done=_team_url(org),
        template="tenancy/team_invite.html",
        success=lambda invitation: f"Invitation sent to {invitation.email}.",
    )


@roles_required(Role.ORG_ADMIN)
def team_member(request, org, member_id):
    membership = membership_get(organization=request.organization, public_id=member_id)
    initial = {"roles": membership.roles, "title": membership.title}
    return form_view(
        request,
        bind(request, MembershipForm, initial=initial),
        save=lambda d: membership_update(
            actor=request.user, membership=membership, roles=d["roles"], title=d["title"]
        ),
        done=_team_url(org),
        template="tenancy/team_member.html",
        context={"member": membership},
        success=f"Roles of {membership.user} saved.",
    )


@roles_required(Role.ORG_ADMIN)
@require_POST
def team_member_deactivate(request, org, member_id):
    membership = membership_get(organization=request.organization, public_id=member_id)
    return action_view(
        request,
        lambda: membership_deactivate(actor=request.user, membership=membership),
        done=_team_url(org),
        success=f"{membership.user} can no longer access {request.organization.name}.",
    )


@roles_required(Role.ORG_ADMIN)
@require_POST
def team_member_reactivate(request, org, member_id):
    membership = membership_get(organization=request.organization, public_id=member_id)
    return action_view(
        request,
        lambda: membership_reactivate(actor=request.user, membership=membership),
        done=_team_url(org),
        success=f"{membership.user} is active again.",
    )


@roles_required(Role.ORG_ADMIN)
@require_POST
def team_invitation_revoke(request, org, invitation_id):
    invitation = invitation_get(organization=request.organization, public_id=invitation_id)
    return action_view(
        request,
        lambda: invitation_revoke(actor=request.user, invitation=invitation),
        done=_team_url(org),
        success=f"Invitation for {invitation.email} revoked.",
    )


@roles_required(Role.ORG_ADMIN)
def organization_settings(request, org):
    organization = request.organization
    form = bind(request, OrganizationSettingsForm, instance=organization)

    def save(data):
        # The form's instance already carries the edited values; compare with a fresh copy.
        organization.refresh_from_db()
        values = {name: data[name] for name in form.Meta.fields}
        organization_update_settings(actor=request.user, organization=organization, **values)

    return form_view(
        request,
        form,
        save=save,
        done=reverse("staff:settings", kwargs={"org": org}),
        template="tenancy/settings.html",
        success="Settings saved.",
    )
