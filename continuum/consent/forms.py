from django import forms
from django.utils.translation import gettext_lazy as _

from continuum.people.selectors import family_for

from .models import InformationCategory, Purpose, RecipientKind
from .services import CONTENT_FIELDS
from .uploads import MAX_SCAN_BYTES

REVOCATION_STATEMENT = _(
    "I understand that I may revoke this consent at any time, in writing or by telling "
    "staff, except to the extent that action has already been taken in reliance on it."
)


class OptionalFieldsForm(forms.Form):
    """No field is required by the form itself: the service decides what a complete
    consent or signature is, and names each missing element."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ConsentForm(OptionalFieldsForm):
    """The elements of a 42 CFR 2.31 consent."""

    disclosing_program = forms.CharField(
        label=_("Who may disclose"),
        max_length=200,
        help_text=_("The program or organization that holds the records."),
    )
    information_categories = forms.MultipleChoiceField(
        label=_("Information that may be disclosed"),
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    information_detail = forms.CharField(
        label=_("Limits or details of the information"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('For example "attendance for March only".'),
    )
    recipient_kind = forms.ChoiceField(
        label=_("Who may receive it"),
        choices=RecipientKind.choices,
        widget=forms.RadioSelect,
    )
    recipient_name = forms.CharField(
        label=_("Name of the person or organization"),
        max_length=200,
        help_text=_("Not needed for “my treating providers” or a family member chosen below."),
    )
    recipient_family_member = forms.TypedChoiceField(
        label=_("Family member"), choices=(), empty_value=None
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purpose of the disclosure"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose_detail = forms.CharField(
        label=_("Describe the purpose"), widget=forms.Textarea(attrs={"rows": 2})
    )
    expires_on = forms.DateField(
        label=_("Expires on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expiration_event = forms.CharField(
        label=_("Or expires when"),
        max_length=300,
        help_text=_('An event, e.g. "when I complete aftercare". Give a date or an event.'),
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self._family = {
            str(link.family_member.public_id): link.family_member
            for link in family_for(client=client)
        }
        self.fields["recipient_family_member"].choices = [("", "—")] + [
            (key, member.display_name) for key, member in self._family.items()
        ]

    def consent_values(self) -> dict:
        values = {name: self.cleaned_data.get(name) for name in CONTENT_FIELDS}
        values["recipient_family_member"] = self._family.get(
            values["recipient_family_member"] or ""
        )
        for name in (
            "disclosing_program",
            "information_detail",
            "recipient_kind",
            "recipient_name",
            "purpose_detail",
            "expiration_event",
        ):
            values[name] = values[name] or ""
        return values


class SignForm(OptionalFieldsForm):
    revocation_acknowledged = forms.BooleanField(label=REVOCATION_STATEMENT)
    signed_name = forms.CharField(label=_("Type your full name to sign"), max_length=200)


class PaperConsentForm(ConsentForm):
    signed_name = forms.CharField(label=_("Name as signed"), max_length=200)
    signed_on = forms.DateField(
        label=_("Date signed"), widget=forms.DateInput(attrs={"type": "date"})
    )
    revocation_acknowledged = forms.BooleanField(
        label=_("The signed form includes the statement of the right to revoke")
    )
    scan = forms.FileField(
        label=_("Scan of the signed consent"),
        help_text=f"PDF, PNG or JPEG, at most {MAX_SCAN_BYTES // (1024 * 1024)} MB.",
        # A new consent has no scan to clear: a "clear" box would only let a posted value
        # stand in for a file.
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
