from django.utils import timezone
from rest_framework import serializers

from continuum.care.instruments import allowed_values
from continuum.people.serializers import ClientRowSerializer
from continuum.tenancy.serializers import PublicIdSerializer, public_id_of, shown

from . import instruments
from .models import (
    Appointment,
    Assessment,
    CarePlan,
    Gap,
    Goal,
    GoalStep,
    Medication,
    Provider,
    QuestionnaireAssignment,
)


class StepSerializer(PublicIdSerializer):
    class Meta:
        model = GoalStep
        fields = ["id", "description", "owner", "due_on", "status", "completed_at"]


class GoalSerializer(PublicIdSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "domain", "title", "measure", "status", "steps"]


class PlanSerializer(PublicIdSerializer):
    goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = CarePlan
        fields = [
            "id", "status", "recommendations", "review_interval_days", "next_review_on",
            "last_reviewed_at", "opened_at", "acknowledged_at", "goals",
        ]  # fmt: skip


class ProviderSerializer(PublicIdSerializer):
    class Meta:
        model = Provider
        fields = [
            "id",
            "kind",
            "name",
            "practice",
            "phone",
            "email",
            "address",
            "listing_id",
            "is_active",
        ]


class AppointmentSerializer(PublicIdSerializer):
    provider = public_id_of("provider", default=None)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "provider",
            "visit_type",
            "starts_at",
            "ends_at",
            "location",
            "telehealth_url",
            "transport",
            "case_manager_accompanies",
            "status",
        ]


class MedicationSerializer(PublicIdSerializer):
    class Meta:
        model = Medication
        fields = [
            "id",
            "name",
            "dose",
            "schedule",
            "is_moud",
            "started_on",
            "ended_on",
            "refill_due_on",
        ]


class AssessmentSerializer(PublicIdSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "instrument",
            "answers",
            "day_counts",
            "sex",
            "total",
            "band",
            "subscales",
            "flags",
            "urgent",
            "source",
            "completed_at",
        ]


class AssessmentRecordedSerializer(AssessmentSerializer):
    """The answer to recording one: for a safety event (PHQ-9 item 9 above 0), who was
    asked to follow up, in words for the person who entered it."""

    safety_told = shown(default="")

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "safety_told"]


def instrument_reference() -> str:
    """Every instrument's item keys and answer codes, for the API schema (Markdown),
    written from the instrument definitions so it cannot drift from them."""
    parts = []
    for code, instrument in instruments.INSTRUMENTS.items():
        lines = [f"**{instrument.short_name}** (`{code}`):"]
        for item in instrument.items:
            need = "required" if item.required else "optional"
            scored = "" if item.scored else ", not scored"
            lines.append(
                f"- `{item.key}` (item {item.number}, {need}{scored}): {allowed_values(item)}"
            )
        if instrument.day_count_keys:
            lines.append(
                "- Day-count items "
                + ", ".join(f"`{k}`" for k in instrument.day_count_keys)
                + " may instead be sent in `days` as a number of days from 0 to 30; the code is "
                "derived (0 days = 0, 1-3 = 1, 4-8 = 2, 9-15 = 3, 16-30 = 4)."
            )
        if code == instruments.AUDITC:
            lines.append("- `sex` (`female` or `male`) is required: the screen is scored by sex.")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


ERROR_SHAPE = (
    "Errors (400) have one shape: an object whose keys are the input fields (`instrument`, "
    "`sex`, `answers`, `days`) or item keys (`q1` ...), each with a list of messages that "
    "name the allowed values. Nothing is saved when there is an error."
)


# The fields that recording an assessment and answering an assigned questionnaire share,
# declared once so that both doors refuse the same input in the same words.


def instrument_field(choices) -> serializers.ChoiceField:
    choose = f"Choose one of: {', '.join(instruments.INSTRUMENTS)}."
    return serializers.ChoiceField(
        choices=choices, error_messages={"invalid_choice": choose, "required": choose}
    )


def item_answers_field(help_text: str) -> serializers.DictField:
    # Any JSON value per item: the instrument's own validation answers with the allowed
    # codes, so every item error reads the same whatever was sent.
    return serializers.DictField(
        child=serializers.JSONField(), required=False, default=dict, help_text=help_text
    )


def sex_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=["", "female", "male"],
        required=False,
        default="",
        error_messages={
            "invalid_choice": "Choose female or male (the AUDIT-C is scored by sex), or leave "
            "it out for other instruments."
        },
    )


class AssessmentInputSerializer(serializers.Serializer):
    instrument = instrument_field(list(instruments.INSTRUMENTS))
    answers = item_answers_field("Item key -> answer code. See the item keys and codes above.")
    days = item_answers_field("BAM day-count items only: item key -> number of days (0-30).")
    sex = sex_field()


class GapSerializer(ClientRowSerializer):
    owner = shown("owner.user.email", default=None)

    class Meta:
        model = Gap
        fields = ["id", "client", "rule", "detail", "owner", "detected_at", "resolved_at"]


# --- follow-up report (read-only; built from selectors.followup_report) -----------------


class VisitSerializer(serializers.Serializer):
    day = serializers.DateField()
    kind = serializers.CharField(help_text="What the visit was: a visit type or a dispensing.")


class WindowSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["met", "open", "missed"])
    last_day = serializers.DateField(help_text="The last day a visit counts (local date).")
    days_left = serializers.IntegerField(help_text="While open: days still to go, today included.")
    visit = VisitSerializer(allow_null=True, help_text="The qualifying visit, once met.")


class EngagementSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["met", "open", "missed"])
    last_day = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField()
    visits = VisitSerializer(many=True)


class ContinuitySerializer(serializers.Serializer):
    # A plain string: a second choice set for a field named "state" would make the
    # schema's enum names collide with the windows' met/open/missed.
    state = serializers.CharField(help_text="met, open, missed (ended by a gap) or not_started.")
    medication = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    covered_until = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField()
    gap_days = serializers.IntegerField()


class FollowUpRowSerializer(serializers.Serializer):
    episode = serializers.UUIDField(source="episode.public_id")
    client = serializers.UUIDField(source="episode.client.public_id")
    client_name = serializers.CharField(source="episode.client.display_name")
    discharge_date = serializers.DateField(source="episode.discharge_date")
    discharge_type = serializers.CharField(source="episode.discharge_type")
    follow_up_7 = WindowSerializer()
    follow_up_30 = WindowSerializer()
    initiation = WindowSerializer()
    engagement = EngagementSerializer()
    continuity = ContinuitySerializer(allow_null=True)


class MonthCellSerializer(serializers.Serializer):
    measure = serializers.CharField()
    met = serializers.IntegerField()
    decided = serializers.IntegerField(help_text="Met plus missed: the rate's denominator.")
    open = serializers.IntegerField()
    rate = serializers.IntegerField(allow_null=True, help_text="Percent met; null while all open.")


class MonthRateSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    discharges = serializers.IntegerField()
    measures = MonthCellSerializer(source="cells", many=True)


class FollowUpReportSerializer(serializers.Serializer):
    since = serializers.DateField()
    today = serializers.DateField()
    months = MonthRateSerializer(many=True)
    discharges = FollowUpRowSerializer(source="rows", many=True)


class FollowUpQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(
        min_value=1,
        max_value=24,
        required=False,
        default=12,
        error_messages={
            "invalid": "Enter a whole number of months from 1 to 24.",
            "min_value": "Enter a whole number of months from 1 to 24.",
            "max_value": "Enter a whole number of months from 1 to 24.",
        },
    )


# --- questionnaires assigned to a client ---------------------------------------------------


class QuestionnaireSerializer(PublicIdSerializer):
    """A questionnaire asked of the client, open until answered; `assessment` is the
    scored answer once there is one."""

    status = serializers.SerializerMethodField()
    assessment = AssessmentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = QuestionnaireAssignment
        fields = [
            "id",
            "instrument",
            "due_on",
            "status",
            "assigned_at",
            "answered_at",
            "assessment",
        ]

    def get_status(self, obj) -> str:
        if obj.answered_at is not None:
            return "answered"
        return "overdue" if obj.is_overdue(timezone.localdate()) else "open"


class QuestionnaireAssignInputSerializer(serializers.Serializer):
    # The model's choices: the schema names them once (ENUM_NAME_OVERRIDES).
    instrument = instrument_field(instruments.INSTRUMENT_CHOICES)
    due_on = serializers.DateField(
        help_text="The organization's day by which to answer (YYYY-MM-DD), from today on."
    )


class QuestionnaireAnswerInputSerializer(serializers.Serializer):
    answers = item_answers_field("Item key -> answer code, as for recording an assessment.")
    sex = sex_field()
