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


# The zones a US treatment center is almost always in, by the names people use; every
# other zone follows, grouped by region, for the centers that are not.
COMMON_TIME_ZONES = [
    ("America/New_York", "Eastern time (New York)"),
    ("America/Chicago", "Central time (Chicago)"),
    ("America/Denver", "Mountain time (Denver)"),
    ("America/Phoenix", "Mountain time without daylight saving (Phoenix)"),
    ("America/Los_Angeles", "Pacific time (Los Angeles)"),
    ("America/Anchorage", "Alaska time (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii time (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic time (Puerto Rico)"),
]


def time_zone_choices() -> list:
    common = {zone for zone, _label in COMMON_TIME_ZONES}
    regions: dict[str, list] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        if zone in common or "/" not in zone or zone.startswith(("Etc/", "SystemV/")):
            continue
        region, place = zone.split("/", 1)
        regions.setdefault(region, []).append((zone, place.replace("_", " ").replace("/", " / ")))
    return [("Common in the United States", COMMON_TIME_ZONES), *sorted(regions.items())]


class OrganizationSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        choices=time_zone_choices,
        label=_("Time zone"),
        help_text=_("Due dates, reminders and “today” follow this zone."),
    )

    class Meta:
        model = Organization
        fields = list(ORGANIZATION_SETTINGS)
        widgets = {"crisis_line_text": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "name": _("Organization name"),
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
