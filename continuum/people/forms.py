from django import forms
from django.conf import settings

from continuum.tenancy.models import STAFF_ROLES, Role

from .models import Relationship

LANGUAGE_CHOICES = [*settings.LANGUAGES, ("other", "Other")]


class ListField(forms.CharField):
    """A comma-separated list in one text box."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [part.strip() for part in value.split(",") if part.strip()]


class ClientForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    preferred_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    pronouns = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    zip_code = forms.RegexField(
        regex=r"^\d{5}(-\d{4})?$",
        required=False,
        label="ZIP code",
        error_messages={"invalid": "Enter a 5-digit ZIP code."},
    )
    preferred_language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en")
    primary_substances = ListField(required=False, help_text="Separate with commas.")
    co_occurring_conditions = ListField(
        required=False, label="Co-occurring conditions", help_text="Separate with commas."
    )
    risk_flags = ListField(required=False, help_text="Separate with commas, e.g. overdose history.")


class FamilyMemberForm(forms.Form):
    existing = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Link someone already known",
        help_text="For siblings: choose the family member instead of typing their details again.",
    )
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(
        max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    preferred_language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en")
    relationship = forms.ChoiceField(choices=[("", "Choose…"), *Relationship.choices])
    is_primary_contact = forms.BooleanField(required=False, label="Primary contact")

    def __init__(self, *args, known_family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = known_family
        self.fields["existing"].label_from_instance = lambda fm: (
            f"{fm.display_name} ({fm.email or 'no e-mail'})"
        )

    def clean(self):
        data = super().clean()
        if not data.get("existing"):
            for name in ("first_name", "last_name"):
                if not data.get(name):
                    self.add_error(name, "This field is required.")
        return data


class CareTeamForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=None, label="Staff member")
    role = forms.ChoiceField(
        choices=[("", "Choose…")] + [(r.value, r.label) for r in Role if r in STAFF_ROLES]
    )
    started_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = staff
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.user.get_full_name()} ({', '.join(m.role_labels)})"
        )


class EmergencyAccessForm(forms.Form):
    """Break-glass: the exact identifier of one client, and why."""

    client_id = forms.UUIDField(
        required=False,
        label="Client record number",
        help_text="The record number (as on a referral or a printed summary), or:",
    )
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The emergency that requires this record. Administrators review every use.",
    )
    confirm = forms.BooleanField(
        label="I understand this access is recorded and reported to the administrators.",
    )

    def clean(self):
        data = super().clean()
        by_name = data.get("first_name") and data.get("last_name") and data.get("date_of_birth")
        if not data.get("client_id") and not by_name:
            raise forms.ValidationError(
                "Give the client's record number, or their first name, last name and date "
                "of birth exactly."
            )
        return data
