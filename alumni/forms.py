from django import forms
from django.utils.translation import gettext_lazy as _

from continuum.widgets import SegmentedChoice

from .models import Answer, Doing, HelpChoice

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes_no(label, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=SegmentedChoice(words=True),
        error_messages={"required": _("Choose an answer.")},
        **kwargs,
    )


class PortalProfileForm(forms.Form):
    sobriety_date = forms.DateField(
        label=_("Your sobriety date"),
        required=False,
        widget=DATE,
        help_text=_("The first day of your sobriety. Leave it empty if you would rather not say."),
        error_messages={"invalid": _("Enter a date, for example 2025-03-14.")},
    )
    milestone_messages = _yes_no(
        _("Send me a message on my anniversaries (30, 60 and 90 days, 6 and 9 months, every year)?")
    )
    monthly_checkin = _yes_no(_("Invite me to a short check-in once a month?"))


class StaffSobrietyForm(forms.Form):
    sobriety_date = forms.DateField(
        label="Sobriety date",
        required=False,
        widget=DATE,
        help_text="As the client gives it. Empty removes it.",
        error_messages={"invalid": "Enter a date, for example 2025-03-14."},
    )


class EventForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    starts_at = forms.DateTimeField(
        label="When",
        widget=DATETIME,
        help_text="In the organization's time zone.",
        error_messages={
            "required": "Say when the event starts.",
            "invalid": "Enter a date and time, for example 2026-06-01 18:30.",
        },
    )
    location = forms.CharField(label="Where", max_length=300, required=False)
    online_url = forms.URLField(label="Online link", required=False, assume_scheme="https")
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    capacity = forms.IntegerField(
        label="Capacity", required=False, min_value=1, help_text="Empty for no limit."
    )


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you come?"),
        choices=Answer.choices,
        widget=SegmentedChoice(words=True),
        error_messages={"required": _("Choose yes, maybe or no.")},
    )


class CheckInForm(forms.Form):
    doing = forms.TypedChoiceField(
        label=_("How are you doing this month?"),
        choices=Doing.choices,
        coerce=int,
        widget=SegmentedChoice(words=True),
        error_messages={"required": _("Choose how you are doing.")},
    )
    still_sober = _yes_no(_("Still sober since your sobriety date?"))
    unsafe = _yes_no(_("Are you thinking of harming yourself, or not safe right now?"))
    needs = forms.CharField(
        label=_("Anything you need?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class HelpForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("What would help?"),
        choices=HelpChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you would like help with.")},
    )
    note = forms.CharField(
        label=_("Anything you want us to know (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
