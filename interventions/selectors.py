"""Reads of intervention records, always through the caller's visibility.

Requests are the triage queue: intake coordinators, interventionists and admins see
them. An intervention is visible to the staff who see its client (the spine's care-team
rule) and, in the portal, to its participants. A letter is visible to its author and
to the intervention's interventionist, and to no one else."""

from datetime import timedelta

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.care.cohorts import MEDIAN, Figure
from continuum.people.selectors import client_visibility, family_member_for_portal_user
from continuum.tenancy.models import Membership, Role
from continuum.tenancy.selectors import active_members_with, get_or_404

from .models import (
    EducationSession,
    FamilyCheckin,
    Intervention,
    InterventionModel,
    InterventionOutcome,
    InterventionRequest,
    Letter,
    MeetingAnswer,
    Outcome,
    Participant,
    RequestStatus,
    WellbeingCheckin,
)

TRIAGE_ROLES = (Role.ORG_ADMIN, Role.INTAKE_COORDINATOR, Role.INTERVENTIONIST)
CHECKINS_SHOWN_FOR = timedelta(days=90)


def _not_found(what: str):
    return Http404(f"No such {what}.")


# --- requests ---------------------------------------------------------------------------


def request_list_for(*, membership: Membership, status: str = "") -> QuerySet:
    """The queue: urgent first, then oldest."""
    if membership is None or not membership.has_role(*TRIAGE_ROLES):
        return InterventionRequest.objects.none()
    queryset = InterventionRequest.objects.filter(
        organization=membership.organization_id
    ).select_related("client", "requester", "episode")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-is_urgent", "submitted_at", "pk")


def request_get_for(*, membership: Membership, request_id) -> InterventionRequest:
    return get_or_404(
        request_list_for(membership=membership).select_related("decided_by"),
        request_id,
        what="request",
    )


def interventionist_choices(*, organization) -> QuerySet[Membership]:
    return active_members_with(organization=organization, roles=[Role.INTERVENTIONIST])


# --- interventions ----------------------------------------------------------------------


def intervention_list_for(*, membership: Membership) -> QuerySet[Intervention]:
    """Staff: interventions of the clients they see. Portal: those they take part in."""
    if membership is None or not membership.is_active:
        return Intervention.objects.none()
    queryset = Intervention.objects.filter(organization=membership.organization_id)
    if membership.is_staff_member:
        # The assigned interventionist, and the staff who see the client.
        visible = Q(interventionist=membership) | Q(client__in=_visible_clients(membership))
    else:
        visible = Q(pk__in=[])
    if membership.has_role(Role.FAMILY_MEMBER):
        visible |= Q(participants__family_member__portal_user=membership.user_id)
    return (
        queryset.filter(visible)
        .distinct()
        .select_related("client", "interventionist__user", "request")
        .order_by("-created_at", "pk")
    )


def _visible_clients(membership):
    from continuum.people.models import Client

    return Client.objects.filter(organization=membership.organization_id).filter(
        client_visibility(membership=membership)
    )


def intervention_get_for(*, membership: Membership, intervention_id) -> Intervention:
    return get_or_404(
        intervention_list_for(membership=membership), intervention_id, what="intervention"
    )


def intervention_detail_for(*, membership: Membership, intervention_id) -> Intervention:
    """An intervention with everything its page shows, in a fixed number of queries."""
    return get_or_404(
        intervention_list_for(membership=membership)
        .select_related("request__requester", "episode")
        .prefetch_related(
            "agenda",
            "response_plans",
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("family_member").annotate(
                    sessions_count=Count("sessions_attended"),
                    # The letter's status only, never its words: the task list and
                    # the letters page show where each letter stands.
                    letter_status=Subquery(
                        Letter.objects.filter(participant=OuterRef("pk")).values("status")[:1]
                    ),
                ),
            ),
            # The family's own recent check-ins, for the team's read-only list.
            Prefetch(
                "participants__family_member__intervention_checkins",
                queryset=FamilyCheckin.objects.filter(
                    recorded_at__gte=timezone.now() - CHECKINS_SHOWN_FOR
                ),
            ),
            Prefetch(
                "sessions",
                queryset=EducationSession.objects.prefetch_related(
                    "attendees",
                    Prefetch(
                        "answers", queryset=MeetingAnswer.objects.select_related("participant")
                    ),
                ),
            ),
            Prefetch(
                "outcomes", queryset=InterventionOutcome.objects.select_related("recorded_by")
            ),
            Prefetch(
                "wellbeing_checkins",
                queryset=WellbeingCheckin.objects.select_related("family_member"),
            ),
        ),
        intervention_id,
        what="intervention",
    )


def participant_get(*, intervention: Intervention, participant_id) -> Participant:
    try:
        return Participant.objects.select_related("family_member").get(
            intervention=intervention, public_id=participant_id
        )
    except (Participant.DoesNotExist, ValueError):
        raise _not_found("participant") from None


def participant_for_portal(*, membership: Membership, intervention: Intervention) -> Participant:
    """The portal user's own place on the team."""
    participant = (
        Participant.objects.filter(
            intervention=intervention, family_member__portal_user=membership.user_id
        )
        .select_related("family_member", "intervention__interventionist")
        .first()
    )
    if participant is None:
        raise _not_found("participant")
    return participant


def session_get(*, intervention: Intervention, session_id) -> EducationSession:
    try:
        return EducationSession.objects.get(intervention=intervention, public_id=session_id)
    except (EducationSession.DoesNotExist, ValueError):
        raise _not_found("meeting") from None


def portal_family_member(*, membership):
    return family_member_for_portal_user(membership=membership)


# --- letters ----------------------------------------------------------------------------


def letter_list_for(*, membership: Membership, intervention: Intervention | None = None):
    """Only the author and the intervention's interventionist see a letter."""
    if membership is None or not membership.is_active:
        return Letter.objects.none()
    queryset = Letter.objects.filter(organization=membership.organization_id).filter(
        Q(author=membership.user_id)
        | Q(
            participant__intervention__interventionist=membership,
        )
    )
    if intervention is not None:
        queryset = queryset.filter(participant__intervention=intervention)
    return queryset.select_related(
        "participant__intervention__client", "participant__intervention__interventionist", "author"
    ).order_by("participant__speaking_order", "pk")


def letter_get_for(*, membership: Membership, letter_id) -> Letter:
    return get_or_404(letter_list_for(membership=membership), letter_id, what="letter")


# --- measures ---------------------------------------------------------------------------


def measures(*, organization) -> dict:
    """The service line's numbers, each one aggregate query."""
    requests = InterventionRequest.objects.filter(organization=organization)
    by_status = dict(requests.values_list("status").annotate(n=Count("pk")).order_by("status"))
    contact = requests.filter(first_contact_at__isnull=False).aggregate(
        avg=Avg(
            ExpressionWrapper(
                F("first_contact_at") - F("submitted_at"), output_field=DurationField()
            )
        )
    )["avg"]
    engaged = InterventionOutcome.objects.filter(
        organization=organization, outcome=Outcome.ACCEPTED, admission_date__isnull=False
    ).aggregate(
        avg=Avg(
            ExpressionWrapper(
                F("admission_date") - F("intervention__request__submitted_at__date"),
                output_field=DurationField(),
            )
        ),
        n=Count("pk"),
    )
    by_model = {
        row["intervention__model"]: row
        for row in InterventionOutcome.objects.filter(
            organization=organization, outcome__in=[Outcome.ACCEPTED, Outcome.DECLINED]
        )
        .values("intervention__model")
        .annotate(total=Count("pk"), accepted=Count("pk", filter=Q(outcome=Outcome.ACCEPTED)))
        .order_by("intervention__model")
    }
    acceptance = []
    for value, label in InterventionModel.choices:
        row = by_model.get(value, {"total": 0, "accepted": 0})
        rate = round(100 * row["accepted"] / row["total"]) if row["total"] else None
        acceptance.append(
            {"model": label, "total": row["total"], "accepted": row["accepted"], "rate": rate}
        )
    return {
        "by_status": [
            {"status": label, "value": value, "count": by_status.get(value, 0)}
            for value, label in RequestStatus.choices
        ],
        "first_contact_hours": round(contact.total_seconds() / 3600, 1) if contact else None,
        "days_to_engagement": round(engaged["avg"].total_seconds() / 86400, 1)
        if engaged["avg"] is not None
        else None,
        "engaged_count": engaged["n"],
        "acceptance": acceptance,
    }


def cohort_figures(*, episodes, today) -> list[Figure]:
    """For a discharge cohort: how many interventions of each model ended in acceptance
    (of those accepted or declined; a postponed one is not decided), and the days from
    the family's request to the admission it led to, one value per admission. Two
    queries, whatever the cohort's size."""
    decided = {
        row["model"]: row
        for row in Intervention.objects.filter(
            episode__in=episodes, outcome__in=[Outcome.ACCEPTED, Outcome.DECLINED]
        )
        .values("model")
        .annotate(total=Count("pk"), accepted=Count("pk", filter=Q(outcome=Outcome.ACCEPTED)))
        .order_by("model")
    }
    figures = [
        Figure(
            f"acceptance_{value}",
            str(_("Intervention accepted: %(model)s") % {"model": label}),
            denominator=decided.get(value, {}).get("total", 0),
            numerator=decided.get(value, {}).get("accepted", 0),
            note=str(_("of interventions accepted or declined")),
        )
        for value, label in InterventionModel.choices
    ]
    # The latest accepted outcome with an admission date, once per intervention.
    admitted = {}
    for intervention_id, admission, submitted in (
        InterventionOutcome.objects.filter(
            intervention__episode__in=episodes,
            outcome=Outcome.ACCEPTED,
            admission_date__isnull=False,
        )
        .order_by("intervention_id", "-recorded_at", "-id")
        .values_list("intervention_id", "admission_date", "intervention__request__submitted_at")
    ):
        admitted.setdefault(
            intervention_id, (admission - timezone.localtime(submitted).date()).days
        )
    figures.append(
        Figure(
            "days_to_admission",
            str(_("Days from the family's request to admission (median)")),
            denominator=len(admitted),
            values=tuple(sorted(admitted.values())),
            kind=MEDIAN,
            note=str(_("of admissions after an intervention")),
        )
    )
    return figures


def request_age(request: InterventionRequest, *, now=None) -> timedelta:
    return (now or timezone.now()) - request.submitted_at


# --- the family portal's home ----------------------------------------------------------


def request_list_for_requester(*, membership: Membership) -> QuerySet[InterventionRequest]:
    """The requests this portal user sent themselves, newest first: a family member reads
    back their own words, nobody else's."""
    if membership is None or not membership.is_active:
        return InterventionRequest.objects.none()
    return (
        InterventionRequest.objects.filter(
            organization=membership.organization_id,
            requester__portal_user=membership.user_id,
        )
        .select_related("client", "requester")
        .order_by("-submitted_at", "-pk")
    )


def intervention_list_for_participant(*, membership: Membership) -> QuerySet[Intervention]:
    """The interventions this portal user takes part in, with what their home page shows:
    their own place on the team (`mine`) with their own letter, the meetings with their
    own answers, the response plan and the outcomes, in a fixed number of queries."""
    if membership is None or not membership.is_active:
        return Intervention.objects.none()
    user_id = membership.user_id
    return (
        Intervention.objects.filter(
            organization=membership.organization_id,
            participants__family_member__portal_user=user_id,
        )
        .distinct()
        .select_related("client", "interventionist__user", "request")
        .prefetch_related(
            "response_plans",
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(family_member__portal_user=user_id)
                .select_related("family_member")
                .prefetch_related(
                    Prefetch("letters", queryset=Letter.objects.filter(author=user_id))
                ),
                to_attr="mine",
            ),
            Prefetch(
                "sessions",
                queryset=EducationSession.objects.prefetch_related(
                    Prefetch(
                        "answers",
                        queryset=MeetingAnswer.objects.filter(
                            participant__family_member__portal_user=user_id
                        ),
                    )
                ),
            ),
            Prefetch(
                "outcomes", queryset=InterventionOutcome.objects.select_related("recorded_by")
            ),
        )
        .order_by("-created_at", "pk")
    )


def family_checkin_list_for(*, membership: Membership) -> QuerySet[FamilyCheckin]:
    """A family member's own check-ins, newest first; nobody else's."""
    if membership is None or not membership.is_active:
        return FamilyCheckin.objects.none()
    return FamilyCheckin.objects.filter(
        organization=membership.organization_id, family_member__portal_user=membership.user_id
    ).order_by("-recorded_at", "-pk")


def participant_session_get(*, participant: Participant, session_id) -> EducationSession:
    """One meeting of the participant's own intervention (404 for any other)."""
    try:
        return EducationSession.objects.get(
            intervention=participant.intervention_id, public_id=session_id
        )
    except (EducationSession.DoesNotExist, ValueError):
        raise _not_found("meeting") from None
