from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from continuum.widgets import SegmentedChoice

from .models import (
    AccompanimentKind,
    ContactKind,
    Engagement,
    EngagementStatus,
    Fellowship,
    FollowThrough,
    Intensity,
    Mood,
    RiskLevel,
    Sleep,
    Specialty,
    TestKind,
    TestResult,
)
from .services.engagements import ENGAGEMENT_SETTINGS


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class CheckInForm(forms.Form):
    """Big, few, pre-filled: done in under a minute on a phone."""

    sober = forms.TypedChoiceField(
        label=_("Sober today?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=SegmentedChoice(words=True),
    )
    craving = forms.TypedChoiceField(
        label=_("Craving right now (0 = none, 10 = strongest)"),
        choices=[(str(level), str(level)) for level in range(11)],
        coerce=int,
        initial="0",
        widget=SegmentedChoice(),
    )
    mood = forms.TypedChoiceField(
        label=_("Mood"),
        choices=Mood.choices,
        coerce=int,
        widget=SegmentedChoice(words=True),
    )
    sleep = forms.ChoiceField(
        label=_("Sleep last night"),
        choices=Sleep.choices,
        widget=SegmentedChoice(words=True),
    )
    triggers = forms.MultipleChoiceField(
        label=_("Triggers you met today"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "big-choice"}),
    )
    meeting_attended = forms.BooleanField(label=_("I went to a meeting"), required=False)
    note = forms.CharField(
        label=_("Anything else? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, triggers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["triggers"].choices = [(t, t) for t in triggers]
        if not triggers:
            del self.fields["triggers"]


class EngagementForm(forms.ModelForm):
    coach = forms.ModelChoiceField(queryset=None, required=False, label="Coach")

    class Meta:
        model = Engagement
        fields = ["coach", *ENGAGEMENT_SETTINGS]
        widgets = {
            "starts_on": DateInput(),
            "planned_end_on": DateInput(),
            "checkin_due_time": TimeInput(format="%H:%M"),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "planned_end_on": _("Planned end date"),
            "includes_monitoring": _("Includes sobriety testing"),
            "checkin_due_time": _("Daily check-in due by"),
            "missed_checkin_days": _("Alert after missed check-ins (days in a row)"),
            "craving_threshold": _("Alert at craving level (1 to 10)"),
            "no_contact_days": _("Alert after no contact (days)"),
            "acknowledge_within_minutes": _("Alerts acknowledged within (minutes)"),
        }

    def __init__(self, *args, coaches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coaches
        self.fields["coach"].label_from_instance = lambda m: m.user.get_full_name() or m.user.email
        self.fields["intensity"].choices = Intensity.choices

    def _post_clean(self):
        # The service validates and saves; the model's own checks would need the client.
        pass

    def settings(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("coach", None)
        return data


class ProposeEngagementForm(EngagementForm):
    client = forms.ModelChoiceField(queryset=None, label="Client")

    class Meta(EngagementForm.Meta):
        fields = ["client", *EngagementForm.Meta.fields]

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["client"].label_from_instance = lambda c: c.display_name
        self.order_fields(["client"])

    def settings(self) -> dict:
        data = super().settings()
        data.pop("client", None)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=EngagementStatus.choices)
    reason = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label="How",
        choices=ContactKind.choices,
        widget=forms.RadioSelect(attrs={"class": "big-choice"}),
    )
    accompaniment = forms.ChoiceField(
        label="Accompanied to (for accompaniment)",
        choices=[("", "—"), *AccompanimentKind.choices],
        required=False,
    )
    started_at = forms.DateTimeField(label="Started", widget=DateTimeInput())
    duration_minutes = forms.IntegerField(
        label="Minutes", min_value=1, max_value=24 * 60, initial=30
    )
    summary = forms.CharField(
        label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    risk_observed = forms.ChoiceField(label="Risk observed", choices=RiskLevel.choices)
    plan_follow_through = forms.ChoiceField(
        label="Following the aftercare plan?", choices=FollowThrough.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "started_at", timezone.localtime().replace(second=0, microsecond=0)
            )


class MeetingForm(forms.Form):
    fellowship = forms.ChoiceField(label="Meeting", choices=Fellowship.choices)
    attended_on = forms.DateField(label="Date", widget=DateInput())
    note = forms.CharField(label="Note", required=False, max_length=300)
    verified = forms.BooleanField(label="I saw the client attend", required=False)


class SobrietyTestForm(forms.Form):
    tested_on = forms.DateField(label="Date", widget=DateInput())
    kind = forms.ChoiceField(label="Test", choices=TestKind.choices)
    result = forms.ChoiceField(label="Result", choices=TestResult.choices)


class PlanForm(forms.Form):
    triggers = forms.CharField(
        label="Personal triggers (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    warning_signs = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    coping_strategies = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    people_to_call = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reasons_for_recovery = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_triggers(self):
        return _lines(self.cleaned_data["triggers"])


class HighRiskEventForm(forms.Form):
    title = forms.CharField(label=_("What is coming up"), max_length=200)
    starts_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    plan = forms.CharField(
        label=_("Plan for the day"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    extra_contacts = forms.IntegerField(
        label=_("Extra calls with the coach that day"), min_value=0, max_value=10, initial=1
    )


class CoachProfileForm(forms.Form):
    specialties = forms.MultipleChoiceField(
        choices=Specialty.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.CharField(
        label="Languages (codes, comma separated)", required=False, initial="en"
    )
    lived_experience = forms.BooleanField(label="Lived experience of recovery", required=False)
    bio = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    phone = forms.CharField(label="Phone clients can call", required=False, max_length=40)
    capacity = forms.IntegerField(label="Capacity (active engagements)", min_value=0, max_value=60)
    availability = forms.CharField(required=False, max_length=200)
    hours_start = forms.TimeField(label="Hours from", widget=TimeInput(format="%H:%M"))
    hours_end = forms.TimeField(label="Hours until", widget=TimeInput(format="%H:%M"))
    on_call = forms.BooleanField(label="On call for urgent requests", required=False)
    accepting_clients = forms.BooleanField(label="Accepting new clients", required=False)

    def clean_languages(self):
        return _lines(self.cleaned_data["languages"])
