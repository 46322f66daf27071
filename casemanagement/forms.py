from django import forms
from django.utils.translation import gettext_lazy as _

from continuum.consent.models import InformationCategory

from . import instruments
from .models import (
    Adherence,
    AppointmentStatus,
    ContactKind,
    Direction,
    Domain,
    ProviderKind,
    StepOwner,
    StepStatus,
    Transport,
    VisitType,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProviderChoiceForm(forms.Form):
    """A form that names one of the client's providers: the view passes them
    (`providers=`) and `provider_field` offers them."""

    provider_field = "provider"

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.provider_field].queryset = providers


class GoalForm(forms.Form):
    domain = forms.ChoiceField(choices=Domain.choices)
    title = forms.CharField(max_length=200, label="Goal")
    measure = forms.CharField(max_length=200, required=False, label="How progress is measured")


class StepForm(ProviderChoiceForm):
    description = forms.CharField(max_length=300)
    owner = forms.ChoiceField(choices=StepOwner.choices)
    provider = forms.ModelChoiceField(queryset=None, required=False)
    due_on = forms.DateField(required=False, widget=DATE)


class StepStatusForm(forms.Form):
    status = forms.ChoiceField(choices=StepStatus.choices)


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Progress note")


class ReviewForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Review summary")


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(choices=ProviderKind.choices)
    name = forms.CharField(max_length=200)
    practice = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(max_length=300, required=False)
    listing_id = forms.UUIDField(required=False, label="Directory listing id")


class ContactForm(ProviderChoiceForm):
    kind = forms.ChoiceField(choices=ContactKind.choices)
    provider = forms.ModelChoiceField(queryset=None, required=False)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.OUTBOUND)
    information = forms.MultipleChoiceField(
        choices=InformationCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Information shared",
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class AppointmentForm(ProviderChoiceForm):
    provider = forms.ModelChoiceField(queryset=None, required=False)
    visit_type = forms.ChoiceField(choices=VisitType.choices)
    starts_at = forms.DateTimeField(widget=DATETIME)
    ends_at = forms.DateTimeField(widget=DATETIME)
    location = forms.CharField(max_length=300, required=False)
    telehealth_url = forms.URLField(required=False, label="Telehealth link", assume_scheme="https")
    transport = forms.ChoiceField(choices=Transport.choices)
    case_manager_accompanies = forms.BooleanField(required=False)


class AppointmentRescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(widget=DATETIME, label="New start")
    ends_at = forms.DateTimeField(widget=DATETIME, label="New end")


class AppointmentStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s, label)
            for s, label in AppointmentStatus.choices
            if s in ("attended", "missed", "cancelled")
        ]
    )


class MedicationForm(ProviderChoiceForm):
    provider_field = "prescriber"

    name = forms.CharField(max_length=120)
    dose = forms.CharField(max_length=80)
    schedule = forms.CharField(max_length=120)
    prescriber = forms.ModelChoiceField(queryset=None, required=False)
    is_moud = forms.BooleanField(required=False, label="Medication for addiction treatment")
    started_on = forms.DateField(required=False, widget=DATE)
    ended_on = forms.DateField(required=False, widget=DATE)
    refill_due_on = forms.DateField(required=False, widget=DATE)


class FillForm(forms.Form):
    filled_on = forms.DateField(widget=DATE)
    next_refill_due_on = forms.DateField(required=False, widget=DATE)


class FollowUpReportForm(forms.Form):
    months = forms.IntegerField(
        min_value=1,
        max_value=24,
        initial=12,
        required=False,
        label="Discharges of the last (months)",
        error_messages={
            "invalid": "Enter a whole number of months from 1 to 24.",
            "min_value": "Enter a whole number of months from 1 to 24.",
            "max_value": "Enter a whole number of months from 1 to 24.",
        },
    )


class AdherenceForm(forms.Form):
    adherence = forms.ChoiceField(
        choices=Adherence.choices, widget=forms.RadioSelect, label=_("This week")
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


def assessment_form_class(code: str, *, ask_sex: bool):
    """A form with one radio group per item, in the instrument's own words."""
    instrument = instruments.instrument_get(code)
    fields = {}
    if code == instruments.AUDITC and ask_sex:
        fields["sex"] = forms.ChoiceField(
            choices=[("female", _("Female")), ("male", _("Male"))],
            widget=forms.RadioSelect,
            label=_("Sex"),
        )
    for item in instrument.items:
        fields[item.key] = forms.TypedChoiceField(
            label=f"{item.number}. {item.text}",
            choices=[(c.value, c.label) for c in item.choices],
            coerce=int,
            widget=forms.RadioSelect,
            required=item.required,
            empty_value=None,
        )
    return type(f"{code.title()}Form", (forms.Form,), fields)
