"""The follow-up survey's answers, by signed link, in the portal or by phone."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from continuum.audit.services import audit_change

from .. import instruments
from ..models import FollowUp, FollowUpStatus, Housing, Method, WorkSchool

LINK_SALT = "outcomes.follow-up-link"
# A backstop behind the follow-up's own `expires_at`, which decides.
LINK_MAX_AGE = getattr(settings, "FOLLOW_UP_LINK_MAX_AGE", 60 * 24 * 3600)

YES_NO = {"yes": True, "no": False}


class LinkRefused(Exception):
    """The survey link cannot be used. `state` is "answered", "expired" or "invalid";
    the page says what it means and reveals nothing of the follow-up."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def follow_up_link_token(follow_up: FollowUp) -> str:
    return signing.dumps(
        {"o": follow_up.organization_id, "f": str(follow_up.public_id), "n": follow_up.link_nonce},
        salt=LINK_SALT,
    )


def follow_up_from_token(*, organization, token: str, lock: bool = False) -> FollowUp:
    """The follow-up a survey link is for, while the link may still be answered."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    if not isinstance(data, dict) or data.get("o") != organization.pk:
        raise LinkRefused("invalid")
    rows = FollowUp.objects.filter(organization=organization, public_id=data.get("f"))
    if lock:
        rows = rows.select_for_update()
    follow_up = rows.select_related("client", "organization").first()
    if follow_up is None:
        raise LinkRefused("invalid")
    if follow_up.status == FollowUpStatus.COMPLETED:
        raise LinkRefused("answered")
    if (
        follow_up.status != FollowUpStatus.SENT
        or not follow_up.link_nonce
        or data.get("n") != follow_up.link_nonce
        or timezone.now() >= follow_up.expires_at
    ):
        raise LinkRefused("expired")
    return follow_up


def _yes_no(errors: dict, answers: dict, field: str, message: str):
    value = answers.get(field)
    if value in (True, False):
        return value
    if value not in YES_NO:
        errors[field] = message
        return None
    return YES_NO[value]


def clean_answers(answers: dict) -> dict:
    """The survey's answers as the follow-up stores them. Raises ValidationError keyed
    by field, each message naming what is allowed; every question is required."""
    errors: dict[str, str] = {}
    days = {}
    for key, _label in instruments.SUBSTANCES:
        raw = answers.get(f"days_{key}")
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if isinstance(raw, bool | float) or value is None or not 0 <= value <= instruments.MAX_DAYS:
            errors[f"days_{key}"] = _("Enter a number of days from 0 to 30 (0 if none).")
        else:
            days[key] = value
    yes_no = _("Choose yes or no.")
    cleaned = {
        "days_of_use": days,
        "returned_to_treatment": _yes_no(errors, answers, "returned_to_treatment", yes_no),
        "emergency_care": _yes_no(errors, answers, "emergency_care", yes_no),
        "legal_trouble": _yes_no(errors, answers, "legal_trouble", yes_no),
    }
    for field, choices in (("housing", Housing), ("work_school", WorkSchool)):
        if answers.get(field) not in choices.values:
            errors[field] = _("Choose one of the answers listed.")
        else:
            cleaned[field] = answers[field]
    quality = answers.get("quality_of_life")
    allowed = {c.value for c in instruments.QUALITY_OF_LIFE}
    try:
        quality = int(quality)
    except (TypeError, ValueError):
        quality = None
    if quality not in allowed:
        errors["quality_of_life"] = _("Choose from 1 (very poor) to 5 (very good).")
    cleaned["quality_of_life"] = quality
    try:
        barc = instruments.score_barc10({f"q{n}": answers.get(f"barc_q{n}") for n in range(1, 11)})
    except instruments.AnswerError as exc:
        for key in exc.errors:
            errors[f"barc_{key}"] = _("Choose from 1 (strongly disagree) to 6 (strongly agree).")
        barc = None
    if errors:
        raise ValidationError(errors)
    cleaned["barc10_answers"] = barc.answers
    cleaned["barc10_total"] = barc.total
    return cleaned


def _record(follow_up: FollowUp, *, actor, answers: dict, method: str) -> FollowUp:
    cleaned = clean_answers(answers)
    for field, value in cleaned.items():
        setattr(follow_up, field, value)
    follow_up.status = FollowUpStatus.COMPLETED
    follow_up.completed_at = timezone.now()
    follow_up.method = method
    follow_up.recorded_by = actor
    follow_up.link_nonce = ""
    follow_up.save()
    audit_change(
        actor or "Client (follow-up link)",
        follow_up.organization,
        "follow_up.answered",
        follow_up,
        follow_up.client.public_id,
        detail={"method": method, "barc10_total": follow_up.barc10_total},
    )
    return follow_up


@transaction.atomic
def follow_up_answer_by_link(*, organization, token: str, answers: dict) -> FollowUp:
    """The client's answers from the signed link: the link works once."""
    follow_up = follow_up_from_token(organization=organization, token=token, lock=True)
    return _record(follow_up, actor=None, answers=answers, method=Method.LINK)


@transaction.atomic
def follow_up_answer(*, actor, follow_up: FollowUp, answers: dict, method: str) -> FollowUp:
    """Answers given in the portal (by the client) or by phone (entered by staff for the
    client, marked as such). A follow-up already answered, or cancelled because the
    client no longer agrees to follow-up contact, takes no answers."""
    follow_up = (
        FollowUp.objects.select_for_update()
        .select_related("client", "organization")
        .get(pk=follow_up.pk)
    )
    if method not in (Method.PORTAL, Method.PHONE):
        raise ValueError(f"Unknown method {method!r}.")
    if follow_up.status == FollowUpStatus.COMPLETED:
        raise ValidationError(_("This follow-up has already been answered."))
    if follow_up.status == FollowUpStatus.CANCELLED:
        raise ValidationError(
            _(
                "This follow-up was cancelled because the client does not agree to "
                "follow-up contact. Record their agreement first."
            )
        )
    if method == Method.PORTAL and (
        follow_up.status != FollowUpStatus.SENT or timezone.now() >= follow_up.expires_at
    ):
        raise ValidationError(_("This follow-up is not open for answers."))
    return _record(follow_up, actor=actor, answers=answers, method=method)
