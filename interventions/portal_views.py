"""The family portal's home sections and the pages their forms post to.

The sections (registered from `extensions.py` on the spine's portal home) read one
picture of the family member's cases, built once per request (`family_home`), so the
home page costs the same number of queries whatever the number of meetings, letters or
check-ins. What a family member sees stays as the intervention page shows it: their
own request, their own place on the team, their own letter and answers, the shared
response plan; how the day ended for the loved one only under the client's consent
naming them (`services.outcome_disclose_to_participant`)."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from continuum.audit.mixins import record_mixed_reads
from continuum.consent.services import ConsentRequired
from continuum.directory import family_support_near
from continuum.forms_views import bind, form_view
from continuum.people.models import Relationship
from continuum.tenancy.models import Role
from continuum.tenancy.permissions import roles_required

from . import selectors, services
from .forms import HelpRequestForm
from .models import (
    Intervention,
    InterventionRequest,
    LetterStatus,
    Outcome,
    RequestStatus,
    Rsvp,
)
from .portal_forms import AnswerForm, FamilyCheckinForm
from .resources import FAMILY_RESOURCES

HISTORY_ON_HOME = 5
HISTORY_ON_PAGE = 20

# The questions of the help form the family answered, in the form's order; the consent
# to be called back is not a question about the loved one.
REQUEST_QUESTIONS = tuple(
    name
    for name in HelpRequestForm.base_fields
    if name in services.REQUEST_FIELDS and name != "consent_to_contact"
)


@dataclass
class Event:
    """The next thing the family is invited to: a meeting, or the day itself."""

    title: str
    starts_at: datetime
    answer_url: str
    answer: str = Rsvp.PENDING
    answered_at: datetime | None = None
    location: str = ""
    video_link: str = ""

    @property
    def answer_label(self) -> str:
        return Rsvp(self.answer).label


@dataclass
class Case:
    """One loved one, as this family member may see their case."""

    client: object
    request: InterventionRequest | None = None
    intervention: Intervention | None = None
    participant: object = None
    after_the_day: object = None
    events: list = field(default_factory=list)

    @property
    def letter(self):
        if self.participant is None:
            return None
        return next(iter(self.participant.letters.all()), None)

    @property
    def plan(self):
        plan = self.intervention.response_plan if self.intervention else None
        return plan if plan and plan.shared_at else None

    @property
    def day_is_over(self) -> bool:
        return bool(self.intervention and self.intervention.outcome)

    @property
    def declined(self) -> bool:
        # Known to the family only as the consent lets them know it.
        return bool(self.after_the_day and self.after_the_day.outcome == Outcome.DECLINED)

    @property
    def stage(self) -> str:
        if self.intervention is not None:
            if self.intervention.outcome:
                return "after"
            return "scheduled" if self.intervention.scheduled_at else "planning"
        request = self.request
        if request.status == RequestStatus.NEW:
            return "contacted" if request.first_contact_at else "received"
        return request.status

    @property
    def next_event(self):
        return self.events[0] if self.events else None


class FamilyHome:
    """Everything the family sections show, read once per request."""

    def __init__(self, request):
        self.request = request
        self.membership = request.membership
        self.organization = request.organization
        self.cases = self._cases()

    def _cases(self) -> list[Case]:
        requests = list(selectors.request_list_for_requester(membership=self.membership))
        interventions = list(
            selectors.intervention_list_for_participant(membership=self.membership)
        )
        own_requests = {r.pk: r for r in requests}
        cases = []
        for intervention in interventions:
            participant = intervention.mine[0]
            case = Case(
                client=intervention.client,
                request=own_requests.pop(intervention.request_id, None),
                intervention=intervention,
                participant=participant,
            )
            case.after_the_day = self._after_the_day(intervention, participant)
            case.events = self._events(intervention, participant)
            cases.append(case)
        cases.extend(Case(client=r.client, request=r) for r in own_requests.values())
        # Every portal read of a request or an intervention is audited, in one statement.
        record_mixed_reads(
            self.request,
            [
                (InterventionRequest, c.request.public_id, c.client.public_id)
                for c in cases
                if c.request
            ]
            + [
                (Intervention, c.intervention.public_id, c.client.public_id)
                for c in cases
                if c.intervention
            ],
        )
        return cases

    def _after_the_day(self, intervention, participant):
        if not intervention.outcome:
            return None
        try:
            return services.outcome_disclose_to_participant(
                actor=self.request.user, intervention=intervention, participant=participant
            )
        except ConsentRequired:
            return None

    def _events(self, intervention, participant) -> list[Event]:
        if intervention.outcome:
            return []
        now = timezone.now()
        org = self.organization.slug
        events = []
        for session in intervention.sessions.all():
            if session.starts_at <= now:
                continue
            answer = next(iter(session.answers.all()), None)
            events.append(
                Event(
                    title=session.get_kind_display(),
                    starts_at=session.starts_at,
                    answer_url=reverse(
                        "portal:intervention_meeting_answer",
                        kwargs={
                            "org": org,
                            "intervention_id": intervention.public_id,
                            "session_id": session.public_id,
                        },
                    ),
                    answer=answer.answer if answer else Rsvp.PENDING,
                    answered_at=answer.answered_at if answer else None,
                )
            )
        if intervention.scheduled_at and intervention.scheduled_at > now:
            events.append(
                Event(
                    title=_("The intervention"),
                    starts_at=intervention.scheduled_at,
                    answer_url=reverse(
                        "portal:intervention_answer",
                        kwargs={"org": org, "intervention_id": intervention.public_id},
                    ),
                    answer=participant.rsvp,
                    answered_at=participant.rsvp_at,
                    location=intervention.location,
                    video_link=intervention.video_link,
                )
            )
        return sorted(events, key=lambda event: event.starts_at)

    @cached_property
    def family_member(self):
        return selectors.portal_family_member(membership=self.membership)

    @cached_property
    def checkins(self) -> list:
        return list(selectors.family_checkin_list_for(membership=self.membership)[:HISTORY_ON_HOME])

    @cached_property
    def local_resources(self) -> list:
        zip_code = next((c.client.zip_code for c in self.cases if c.client.zip_code), "")
        return family_support_near(organization=self.organization, zip_code=zip_code)


def family_home(request) -> FamilyHome | None:
    """The family member's picture for this request, built on first use."""
    membership = request.membership
    if membership is None or not membership.has_role(Role.FAMILY_MEMBER):
        return None
    home = request.__dict__.get("_interventions_family_home")
    if home is None:
        home = request._interventions_family_home = FamilyHome(request)
    return home


# --- the sections: each returns its context, or None when it has nothing to say ---------


def status_section(request):
    home = family_home(request)
    if home is None or not home.cases:
        return None
    return {"cases": home.cases}


def next_meeting_section(request):
    home = family_home(request)
    cases = [c for c in home.cases if c.next_event] if home else []
    if not cases:
        return None
    return {"cases": cases, "form": AnswerForm()}


def response_plan_section(request):
    home = family_home(request)
    cases = [c for c in home.cases if c.plan or c.declined] if home else []
    if not cases:
        return None
    return {"cases": cases}


def letter_section(request):
    home = family_home(request)
    if home is None:
        return None
    # After the day a letter is only there to be read again; none was written, none is asked.
    cases = [c for c in home.cases if c.participant and (c.letter or not c.day_is_over)]
    if not cases:
        return None
    return {"cases": cases, "LetterStatus": LetterStatus}


def request_section(request):
    home = family_home(request)
    sent = [c.request for c in home.cases if c.request] if home else []
    if not sent:
        return None
    return {"sent": [{"request": r, "answers": request_answers(r)} for r in sent]}


def checkin_section(request):
    home = family_home(request)
    if home is None or home.family_member is None:
        return None
    return {"checkins": home.checkins, "form": FamilyCheckinForm()}


def resources_section(request):
    home = family_home(request)
    if home is None:
        return None
    return {"resources": FAMILY_RESOURCES, "local_resources": home.local_resources}


def request_answers(help_request: InterventionRequest) -> list[tuple[str, str]]:
    """(question, answer) for each question of the help form the family answered, with
    the form's own words; questions left empty are not listed."""
    fields = HelpRequestForm.base_fields
    answers = []
    for name in REQUEST_QUESTIONS:
        value = getattr(help_request, name)
        if name == "danger_signs":
            value = "; ".join(str(label) for label in help_request.danger_sign_labels)
        elif name == "relationship" and value == Relationship.OTHER:
            # The form files a skipped answer as "other": say both, invent neither.
            value = _("Other, or not given")
        elif name in ("relationship", "urgency"):
            value = getattr(help_request, f"get_{name}_display")() if value else ""
        if value in ("", None):
            continue
        answers.append((str(fields[name].label), str(value)))
    return answers


# --- the pages the sections' forms post to ---------------------------------------------


def _home_url(org) -> str:
    return reverse("portal:home", kwargs={"org": org})


def _confirmation(answer: str, answered_at) -> str:
    return _("Thank you. On %(when)s we recorded your answer: “%(answer)s”") % {
        "answer": Rsvp(answer).label,
        "when": date_format(timezone.localtime(answered_at), "DATETIME_FORMAT"),
    }


def _my_place(request, intervention_id):
    membership = request.membership
    intervention = selectors.intervention_get_for(
        membership=membership, intervention_id=intervention_id
    )
    return selectors.participant_for_portal(membership=membership, intervention=intervention)


@roles_required(Role.FAMILY_MEMBER)
def answer_day(request, org, intervention_id):
    participant = _my_place(request, intervention_id)
    intervention = participant.intervention
    return form_view(
        request,
        bind(request, AnswerForm, initial={"rsvp": participant.rsvp}),
        save=lambda d: services.participant_rsvp(
            actor=request.user, participant=participant, rsvp=d["rsvp"]
        ),
        done=_home_url(org),
        success=lambda p: _confirmation(p.rsvp, p.rsvp_at),
        template="interventions/portal_answer.html",
        context={
            "title": _("The intervention"),
            "starts_at": intervention.scheduled_at,
            "intervention": intervention,
            "answered": participant.rsvp != Rsvp.PENDING,
        },
    )


@roles_required(Role.FAMILY_MEMBER)
def answer_meeting(request, org, intervention_id, session_id):
    participant = _my_place(request, intervention_id)
    session = selectors.participant_session_get(participant=participant, session_id=session_id)
    current = session.answers.filter(participant=participant).first()
    return form_view(
        request,
        bind(request, AnswerForm, initial={"rsvp": current.answer if current else None}),
        save=lambda d: services.meeting_answer(
            actor=request.user, participant=participant, session=session, rsvp=d["rsvp"]
        ),
        done=_home_url(org),
        success=lambda a: _confirmation(a.answer, a.answered_at),
        template="interventions/portal_answer.html",
        context={
            "title": session.get_kind_display(),
            "starts_at": session.starts_at,
            "intervention": participant.intervention,
            "answered": current is not None,
        },
    )


@roles_required(Role.FAMILY_MEMBER)
def checkin(request, org):
    membership = request.membership
    family_member = selectors.portal_family_member(membership=membership)
    if family_member is None:
        # A family login not yet linked to a family record has nobody to record for.
        return render(request, "interventions/portal_checkin.html", {"unlinked": True})
    return form_view(
        request,
        bind(request, FamilyCheckinForm),
        save=lambda d: services.family_checkin_record(
            actor=request.user, family_member=family_member, **d
        ),
        done=_home_url(org),
        success=_("Thank you. Your check-in is saved. Taking care of yourself matters too."),
        template="interventions/portal_checkin.html",
        context={
            "checkins": list(
                selectors.family_checkin_list_for(membership=membership)[:HISTORY_ON_PAGE]
            )
        },
    )
