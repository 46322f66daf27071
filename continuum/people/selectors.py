"""Reads of people records, always through the caller's visibility.

Staff see the clients whose active care team includes them; org admins and intake
coordinators see all; a client sees their own record; a family member sees the clients
they are linked to; a staff member with an unexpired emergency (break-glass) grant sees
that client. Missing and not-visible records are the same 404."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from continuum.tenancy.models import Membership, Role
from continuum.tenancy.selectors import active_members_with, get_or_404

from .models import BreakGlassGrant, CareTeamMember, Client, FamilyMember, FamilyRelationship

SEES_ALL_CLIENTS = frozenset({Role.ORG_ADMIN, Role.INTAKE_COORDINATOR})
CARE_TEAM_ROLES = (
    Role.INTERVENTIONIST,
    Role.SOBER_COACH,
    Role.CASE_MANAGER,
    Role.INTAKE_COORDINATOR,
)


def active_care_team(*, day=None) -> QuerySet[CareTeamMember]:
    day = day or timezone.localdate()
    return CareTeamMember.objects.filter(started_on__lte=day).filter(
        # ended_on is exclusive: ending an assignment today removes access at once.
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )


def client_visibility(*, membership: Membership, day=None, now=None) -> Q:
    """The filter selecting the clients `membership` may see; matches nothing for none.
    `day` and `now` (today and the present moment by default) let a compiled statement
    carry them as parameters."""
    if membership is None or not membership.is_active:
        return Q(pk__in=[])
    if membership.has_role(*SEES_ALL_CLIENTS):
        return Q(organization=membership.organization_id)
    visible = Q(pk__in=[])
    if membership.is_staff_member:
        visible |= Q(
            Exists(active_care_team(day=day).filter(client=OuterRef("pk"), membership=membership))
        )
        # Emergency access, while it lasts: a subquery of the same statement, no extra query.
        visible |= Q(
            Exists(
                BreakGlassGrant.objects.filter(
                    client=OuterRef("pk"),
                    membership=membership,
                    expires_at__gt=now or timezone.now(),
                )
            )
        )
    if membership.has_role(Role.CLIENT):
        visible |= Q(portal_user=membership.user_id)
    if membership.has_role(Role.FAMILY_MEMBER):
        visible |= Q(
            Exists(
                FamilyRelationship.objects.filter(
                    client=OuterRef("pk"), family_member__portal_user=membership.user_id
                )
            )
        )
    return visible


def client_list_for(*, membership: Membership, day=None, now=None) -> QuerySet[Client]:
    return Client.objects.filter(organization=membership.organization_id).filter(
        client_visibility(membership=membership, day=day, now=now)
    )


def client_get_for(*, membership: Membership, client_id) -> Client:
    return get_or_404(client_list_for(membership=membership), client_id, what="client")


def client_search(
    queryset: QuerySet[Client], *, text: str = "", care_team_role: str = "", day=None
) -> QuerySet:
    """Narrow a visible client list by name and by who serves them."""
    for word in text.split()[:4]:
        queryset = queryset.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    if care_team_role:
        queryset = queryset.filter(
            Exists(active_care_team(day=day).filter(client=OuterRef("pk"), role=care_team_role))
        )
    return queryset


def _portal_record(model, membership: Membership | None, role: str):
    """The record (client, family member) a portal member signs in as, in their
    organization, or None for a member without that role."""
    if membership is None or not membership.has_role(role):
        return None
    return model.objects.filter(
        organization=membership.organization_id, portal_user=membership.user_id
    ).first()


def client_for_portal_user(*, membership: Membership) -> Client | None:
    return _portal_record(Client, membership, Role.CLIENT)


def client_for_portal_request(request) -> Client | None:
    """The signed-in client's record, looked up once per request: the portal home's
    sections from several lines all need it."""
    if not hasattr(request, "_portal_client"):
        request._portal_client = client_for_portal_user(membership=request.membership)
    return request._portal_client


def family_member_for_portal_user(*, membership: Membership) -> FamilyMember | None:
    return _portal_record(FamilyMember, membership, Role.FAMILY_MEMBER)


def care_team_for(*, client: Client, current_only: bool = True) -> QuerySet[CareTeamMember]:
    team = active_care_team() if current_only else CareTeamMember.objects.all()
    return (
        team.filter(client=client).select_related("membership__user").order_by("role", "started_on")
    )


def family_for(*, client: Client) -> QuerySet[FamilyRelationship]:
    return (
        FamilyRelationship.objects.filter(client=client)
        .select_related("family_member")
        .order_by("-is_primary_contact", "family_member__last_name", "family_member__first_name")
    )


def care_team_member_get(*, client: Client, care_team_member_id) -> CareTeamMember:
    links = CareTeamMember.objects.filter(client=client).select_related("membership__user")
    return get_or_404(links, care_team_member_id, what="care-team member")


def staff_for_care_team(*, organization) -> QuerySet[Membership]:
    """Active staff who can be put on a care team."""
    return active_members_with(organization=organization, roles={*CARE_TEAM_ROLES, Role.ORG_ADMIN})


def care_team_member_for(*, client: Client, role: str) -> Membership | None:
    """The active member serving the client in `role` longest, if any."""
    link = (
        active_care_team()
        .filter(client=client, role=role, membership__is_active=True)
        .select_related("membership__user")
        .order_by("started_on")
        .first()
    )
    return link.membership if link else None


def case_manager_for(*, client: Client) -> Membership | None:
    return care_team_member_for(client=client, role=Role.CASE_MANAGER)


def family_members_known_to(
    *, membership: Membership, exclude_client: Client
) -> QuerySet[FamilyMember]:
    """Family members linked to other clients this member may see: candidates to link to
    one more client (a parent of siblings)."""
    return (
        FamilyMember.objects.filter(
            Exists(
                FamilyRelationship.objects.filter(family_member=OuterRef("pk"))
                .filter(client__in=client_list_for(membership=membership).values("pk"))
                .exclude(client=exclude_client)
            )
        )
        .exclude(client_links__client=exclude_client)
        .order_by("last_name", "first_name")
    )


def break_glass_grants_for(*, organization) -> QuerySet[BreakGlassGrant]:
    """Emergency accesses, newest first, with who and whom: for the org admins' review."""
    return (
        BreakGlassGrant.objects.filter(organization=organization)
        .select_related("membership__user", "client")
        .order_by("-created_at", "-id")
    )


def break_glass_find_client(
    *, organization, client_id=None, last_name="", first_name="", date_of_birth=None
):
    """The one client matching an exact identifier, or None. Deliberately no partial
    matching: emergency access starts from what the requester already knows."""
    clients = Client.objects.filter(organization=organization)
    if client_id:
        clients = clients.filter(public_id=client_id)
    elif last_name and first_name and date_of_birth:
        clients = clients.filter(
            last_name__iexact=last_name.strip(),
            first_name__iexact=first_name.strip(),
            date_of_birth=date_of_birth,
        )
    else:
        return None
    found = list(clients[:2])
    return found[0] if len(found) == 1 else None


def preferred_language_for(*, user, organization) -> str:
    """The language a family member or client chose in `organization` (their records
    there agree: continuum.people.services.preferred_language_set writes all of them);
    empty for anyone without such a record. Run inside the organization's scope."""
    for model in (FamilyMember, Client):
        language = (
            model.objects.filter(organization=organization, portal_user=user)
            .values_list("preferred_language", flat=True)
            .first()
        )
        if language:
            return language
    return ""
