import zoneinfo

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from .models import Organization, Role
from .services import ORGANIZATION_SETTINGS

STAFF_ROLE_CHOICES = [
    (r.value, r.label)
    for r in (
        Role.ORG_ADMIN,
        Role.INTAKE_COORDINATOR,
        Role.INTERVENTIONIST,
        Role.SOBER_COACH,
        Role.CASE_MANAGER,
    )
]


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    roles = forms.MultipleChoiceField(
        choices=STAFF_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Roles"
    )


class MembershipForm(forms.Form):
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(max_length=120, required=False)


class OrganizationSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(z, z) for z in sorted(zoneinfo.available_timezones())],
    )

    class Meta:
        model = Organization
        fields = list(ORGANIZATION_SETTINGS)
        widgets = {"crisis_line_text": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "staff_mfa_required": _("Staff must use two-factor authentication"),
            "intake_open": _("Taking help requests online"),
            "crisis_line_text": _("Crisis line wording"),
            "response_time_hours": _("Answer new requests within (hours)"),
            "contact_phone": _("Phone number for families"),
            "contact_email": _("E-mail address for families"),
            "contact_hours": _("Phone hours"),
        }


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=200, label=_("Your name"))
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput,
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
