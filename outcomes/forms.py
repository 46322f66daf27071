from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from continuum.widgets import SegmentedChoice

from . import instruments
from .models import Housing, WorkSchool

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _choice(label, choices, *, segmented=True):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=SegmentedChoice(words=True) if segmented else forms.RadioSelect,
        error_messages={"required": _("Choose an answer.")},
    )


class SurveyForm(forms.Form):
    """The follow-up survey. Every question is required; the service checks the answers
    again (`clean_answers`), the form only gathers them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for key, label in instruments.SUBSTANCES:
            self.fields[f"days_{key}"] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=instruments.MAX_DAYS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "days"}),
                error_messages={
                    "required": _("Enter a number of days from 0 to 30 (0 if none)."),
                    "invalid": _("Enter a number of days from 0 to 30 (0 if none)."),
                    "min_value": _("Enter a number of days from 0 to 30 (0 if none)."),
                    "max_value": _("Enter a number of days from 0 to 30 (0 if none)."),
                },
            )
        self.fields["returned_to_treatment"] = _choice(
            _(
                "In the past 30 days, have you gone back to treatment for alcohol or drugs "
                "(detox, residential, a hospital stay)?"
            ),
            YES_NO,
        )
        self.fields["emergency_care"] = _choice(
            _("In the past 30 days, have you been to an emergency room?"), YES_NO
        )
        self.fields["housing"] = _choice(
            _("Where are you living now?"), Housing.choices, segmented=False
        )
        self.fields["work_school"] = _choice(
            _("Are you working or in school?"), WorkSchool.choices, segmented=False
        )
        self.fields["legal_trouble"] = _choice(
            _(
                "In the past 30 days, have you had legal trouble (an arrest, a charge, a court date)?"
            ),
            YES_NO,
        )
        self.fields["quality_of_life"] = _choice(
            _("How would you rate your quality of life?"),
            [(c.value, f"{c.value} {c.label}") for c in instruments.QUALITY_OF_LIFE],
        )
        for item in instruments.BARC10_INSTRUMENT.items:
            self.fields[f"barc_{item.key}"] = _choice(
                f"{item.number}. {item.text}",
                [(c.value, f"{c.value} {c.label}") for c in item.choices],
            )
        # Every question is required; the page says what the mark means.
        for field in self.fields.values():
            field.label = format_lazy("{} *", field.label)

    def day_fields(self):
        return [self[f"days_{key}"] for key, _label in instruments.SUBSTANCES]

    def event_fields(self):
        names = ("returned_to_treatment", "emergency_care", "housing", "work_school")
        return [self[name] for name in (*names, "legal_trouble", "quality_of_life")]

    def barc_fields(self):
        return [self[f"barc_{item.key}"] for item in instruments.BARC10_INSTRUMENT.items]


class AgreementForm(forms.Form):
    agreed = forms.TypedChoiceField(
        label=_("Does the client agree to be contacted for follow-up after discharge?"),
        choices=[
            ("yes", _("Yes, they agree to follow-up contact")),
            ("no", _("No, or they have withdrawn their agreement")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )


class PortalAgreementForm(forms.Form):
    agreed = forms.TypedChoiceField(
        label=_("May we contact you after treatment to ask how you are doing?"),
        choices=[
            ("yes", _("Yes, send me the follow-up questions")),
            ("no", _("No, do not contact me for follow-up")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )


class DaysField(forms.CharField):
    """Numbers of days, separated by commas or spaces: "30, 90, 180, 365"."""

    def to_python(self, value):
        text = super().to_python(value)
        parts = [p for p in text.replace(",", " ").split() if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(
                _("Give whole numbers of days, separated by commas, e.g. 30, 90, 180, 365.")
            ) from None

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value


class SettingsForm(forms.Form):
    offsets_days = DaysField(
        label=_("Follow-up days after discharge"),
        help_text=_("From 1 to 730 days, at most 8, e.g. 30, 90, 180, 365."),
    )
    reminder_days = DaysField(
        label=_("Reminder days after the survey is sent"),
        help_text=_("At most 3, each before the link closes, e.g. 3, 7."),
    )
    expire_after_days = forms.IntegerField(
        label=_("Days a survey link stays open"),
        min_value=1,
        max_value=60,
        help_text=_("From 1 to 60 days; then the client's coach or case manager is asked to call."),
    )


class CohortForm(forms.Form):
    """Which discharge cohort the outcomes page shows. Read from the query string; a
    value that is not on offer is refused with the values that are."""

    period = forms.ChoiceField(label=_("Discharged in"))
    program = forms.ChoiceField(label=_("Residential program"), required=False)
    line = forms.ChoiceField(label=_("Engaged with"), required=False)

    def __init__(self, data, *, periods, programs, lines, default_period):
        data = data.copy()
        data.setdefault("period", default_period)
        super().__init__(data, label_suffix="")
        self.periods = periods
        self.fields["period"].choices = [(p.value, p.label) for p in periods]
        self.fields["program"].choices = [("", _("Every program"))] + [(p, p) for p in programs]
        self.fields["line"].choices = [("", _("Everyone discharged"))] + [
            (line.key, line.label) for line in lines
        ]
        refusals = {
            "period": _("No discharges to aftercare are on record for that period. Choose one of:"),
            "program": _("No such residential program on record. Choose one of:"),
            "line": _("No such line. Choose one of:"),
        }
        for name, values in (
            ("period", [p.value for p in periods]),
            ("program", list(programs)),
            ("line", [str(line.label) for line in lines]),
        ):
            self.fields[name].error_messages["invalid_choice"] = format_lazy(
                "{} {}.", refusals[name], ", ".join(values) or _("none on record")
            )
