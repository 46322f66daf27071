import uuid

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from continuum.care.models import ClosedReason
from continuum.people.models import Relationship

from .models import (
    DangerSign,
    EducationSession,
    Intervention,
    Outcome,
    Participant,
    ParticipantRole,
    ResponsePlan,
    Urgency,
)
from .services import CLOSE_REASONS, INTAKE_FIELDS, PLAN_FIELDS, TRANSPORT_FIELDS, TREATMENT_FIELDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


def _name_field(label, required_message) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=100, error_messages={"required": required_message}
    )


class HelpRequestForm(forms.Form):
    """The public request for help. Labels speak to a worried family member.

    Required is only what staff need to call back: who is asking, one way to reach them
    (phone or e-mail), whom it is about (the name their record is filed under, which a
    same-day resubmission is matched by) and the permission to contact them. The rest
    helps, and can be skipped."""

    requester_first_name = _name_field(
        _("Your first name"), _("Tell us your first name, so we know whom to ask for.")
    )
    requester_last_name = _name_field(
        _("Your last name"), _("Tell us your last name, so we know whom to ask for.")
    )
    requester_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_(
            "We send a confirmation and a link to your page. "
            "Give us an e-mail address, a phone number, or both."
        ),
        error_messages={
            "invalid": _("Enter an e-mail address like name@example.com, or leave it empty.")
        },
        required=False,
    )
    requester_phone = forms.CharField(
        label=_("Your phone number"),
        help_text=_("Give us a phone number, an e-mail address, or both."),
        max_length=40,
        required=False,
    )
    preferred_contact_times = forms.CharField(
        label=_("When is a good time to call you?"), max_length=200, required=False
    )
    relationship = forms.ChoiceField(
        label=_("How are you related to your loved one?"),
        choices=[("", _("Choose one")), *Relationship.choices],
        required=False,
    )
    loved_one_first_name = _name_field(
        _("Your loved one's first name"),
        _("Tell us your loved one's first name. A nickname is fine."),
    )
    loved_one_last_name = _name_field(
        _("Your loved one's last name"),
        _("Tell us your loved one's last name, as far as you know."),
    )
    loved_one_age = forms.IntegerField(
        label=_("Their age"),
        min_value=12,
        max_value=110,
        required=False,
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            _("Enter their age in years, between 12 and 110, or leave it empty."),
        ),
    )
    substances = forms.CharField(
        label=_("Which substances are they using?"),
        help_text=_(
            "For example: alcohol, opioids, fentanyl, methamphetamine. Separate with commas."
        ),
        max_length=300,
        required=False,
    )
    duration = forms.CharField(
        label=_("For how long, as far as you know?"), max_length=200, required=False
    )
    prior_treatment = forms.CharField(
        label=_("Have they had treatment before?"), widget=TEXT, required=False
    )
    recent_events = forms.CharField(
        label=_("What has happened recently?"), widget=TEXT, required=False
    )
    danger_signs = forms.MultipleChoiceField(
        label=_("Is any of this happening now or recently?"),
        help_text=_("Tick any that apply. If someone is in danger right now, call 911."),
        choices=DangerSign.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    others_involved = forms.CharField(
        label=_("Who else in the family (or among friends) is involved?"),
        widget=TEXT,
        required=False,
    )
    urgency = forms.ChoiceField(
        label=_("How soon do you need help?"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    insurance = forms.CharField(
        label=_("Their health insurance, if you know it"), max_length=200, required=False
    )
    consent_to_contact = forms.BooleanField(
        label=_("You may contact me by phone and e-mail about this request."),
        error_messages={"required": _("Please let us contact you, so we can help.")},
    )
    # Left empty by people; filled by form-filling robots.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Marks required fields in words, not only with an asterisk or the attribute.
            field.template_name = "interventions/_help_field.html"
            if field.required:
                field.widget.attrs["aria-required"] = "true"

    def clean(self):
        data = super().clean()
        # An invalid e-mail address already has its own error; this one would mislead.
        unreachable = not data.get("requester_email") and not data.get("requester_phone")
        if unreachable and "requester_email" not in self.errors:
            self.add_error(
                "requester_phone",
                _("Give us a phone number or an e-mail address, so we can call you back."),
            )
        return data


def _section(fields, **widgets):
    declared = fields_for_model(
        Intervention, fields=[f for f in fields if f != "video_link"], widgets=widgets
    )
    if "video_link" in fields:
        declared["video_link"] = forms.URLField(
            required=False, assume_scheme="https", label="Video link"
        )
    return type("SectionForm", (forms.Form,), declared)


IntakeForm = _section(
    INTAKE_FIELDS,
    addiction_nature=TEXT,
    family_impact=TEXT,
    history=TEXT,
    risks=TEXT,
    intake_notes=TEXT,
)
PlanForm = _section(PLAN_FIELDS, scheduled_at=DATETIME)
TreatmentForm = _section(TREATMENT_FIELDS, bed_hold_date=DATE)


def program_listing_field(choices) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[("", "Not in our directory"), *choices],
        coerce=uuid.UUID,
        empty_value=None,
        required=False,
        label="Program from the directory",
    )


TransportForm = _section(TRANSPORT_FIELDS, pickup_at=DATETIME)


class AcceptForm(forms.Form):
    interventionist = forms.ModelChoiceField(queryset=None, empty_label="Choose an interventionist")
    note = forms.CharField(required=False, widget=TEXT)

    def __init__(self, *args, interventionists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interventionist"].queryset = interventionists
        self.fields["interventionist"].label_from_instance = lambda m: m.user.get_full_name()
        self.fields["interventionist"].to_field_name = "public_id"


class ReferForm(forms.Form):
    referred_to = forms.CharField(label="Referred to", max_length=200)
    note = forms.CharField(required=False, widget=TEXT)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[(r.value, ClosedReason(r).label) for r in CLOSE_REASONS], label="Reason"
    )
    note = forms.CharField(widget=TEXT)


class AgendaForm(forms.Form):
    items = forms.CharField(
        label="Agenda",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One item per line; add minutes after a bar, e.g. 'Opening | 5'.",
    )

    def clean_items(self):
        parsed = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), 1):
            if not line.strip():
                continue
            title, _, minutes = line.partition("|")
            minutes = minutes.strip()
            if minutes and not minutes.isdigit():
                raise forms.ValidationError(f"Line {number}: minutes must be a whole number.")
            parsed.append((title.strip(), int(minutes) if minutes else None))
        if not parsed:
            raise forms.ValidationError("Add at least one agenda item.")
        return parsed


class ParticipantForm(forms.ModelForm):
    """A participant's details. The relationship is chosen from the kinds the client's
    record knows, so a sister stays a sister there; an older participant's typed words
    are offered as they were, until someone picks a kind."""

    relationship = forms.ChoiceField(
        label="Relationship to the loved one",
        required=False,
        choices=[("", "Choose one"), *Relationship.choices],
    )
    speaking_order = forms.IntegerField(
        label="Speaking place",
        required=False,
        min_value=1,
        help_text="1 speaks first. Leave empty for someone who attends without speaking.",
        error_messages={"min_value": "Enter a place from 1, or leave it empty."},
    )

    class Meta:
        model = Participant
        fields = ["name", "email", "role", "relationship", "speaking_order"]
        labels = {"name": "Name", "email": "E-mail address", "role": "Role"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Choose one"), *ParticipantRole.choices]
        self.fields["role"].error_messages["required"] = "Choose the person's role."
        self.fields["name"].error_messages["required"] = "Enter the person's name."
        typed = self.instance.relationship if self.instance.pk else ""
        if typed and typed not in Relationship.values:
            self.fields["relationship"].choices = [
                ("", "Choose one"),
                (typed, f"{typed} (as typed)"),
                *Relationship.choices,
            ]


class SpeakingOrderForm(forms.Form):
    """One speaking place per participant; empty for those who attend without speaking."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for participant in self.participants:
            self.fields[f"place_{participant.public_id}"] = forms.IntegerField(
                label=participant.name,
                required=False,
                min_value=1,
                max_value=len(self.participants),
                initial=participant.speaking_order,
                error_messages=dict.fromkeys(
                    ("invalid", "min_value", "max_value"),
                    f"Enter a place from 1 to {len(self.participants)}, or leave it empty.",
                ),
            )

    def clean(self):
        data = super().clean()
        taken = {}
        for participant in self.participants:
            name = f"place_{participant.public_id}"
            place = data.get(name)
            if place is None:
                continue
            if place in taken:
                self.add_error(
                    name,
                    f"{taken[place]} already has place {place}; give each a place of their own.",
                )
            else:
                taken[place] = participant.name
        return data

    def order(self) -> list[str]:
        """Participant ids in speaking order."""
        placed = [
            (self.cleaned_data[f"place_{p.public_id}"], str(p.public_id))
            for p in self.participants
            if self.cleaned_data.get(f"place_{p.public_id}") is not None
        ]
        return [participant_id for _place, participant_id in sorted(placed)]


class ConfirmForm(forms.Form):
    """A page that asks before it changes something that cannot be undone."""


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label="Attended", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(p.public_id), p.name) for p in participants]


class SessionForm(forms.ModelForm):
    class Meta:
        model = EducationSession
        fields = ["kind", "starts_at", "topics", "materials"]
        widgets = {"starts_at": DATETIME, "topics": TEXT, "materials": TEXT}


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the day ended: accepted, declined or postponed."},
    )
    admission_date = forms.DateField(
        required=False, widget=DATE, help_text="Only when accepted; today if left empty."
    )
    notes = forms.CharField(required=False, widget=TEXT)
    early_reason = forms.CharField(
        label="Why are you recording the outcome before the day?",
        required=False,
        widget=TEXT,
    )

    def __init__(self, *args, early: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Asked only before the day; the service refuses an early outcome without it.
        if not early:
            del self.fields["early_reason"]


class ResponsePlanForm(forms.ModelForm):
    share = forms.BooleanField(required=False, label="Share with the participants now")

    class Meta:
        model = ResponsePlan
        fields = [
            "boundaries",
            "consequences",
            "responsibilities",
            "next_checkin_on",
            "support_resources",
        ]
        widgets = {
            "boundaries": TEXT,
            "consequences": TEXT,
            "responsibilities": TEXT,
            "support_resources": TEXT,
            "next_checkin_on": DATE,
        }
        labels = {"next_checkin_on": _("Next check-in with the family")}


class LetterForm(forms.Form):
    body = forms.CharField(
        label=_("Your letter"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=_("Speak from love: a memory, the changes you have seen, what you hope for."),
    )


class LetterReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("changes", "Ask for changes")], widget=forms.RadioSelect
    )
    comment = forms.CharField(required=False, widget=TEXT)
