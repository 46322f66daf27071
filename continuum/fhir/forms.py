from django import forms

from continuum.consent.models import InformationCategory, Purpose, RecipientKind

from .services import EXPORT_CATEGORIES


class ExportForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label="Recipient is",
        choices=[c for c in RecipientKind.choices if c[0] != RecipientKind.FAMILY_MEMBER],
    )
    recipient_name = forms.CharField(
        label="Recipient's name", max_length=200, help_text="As named in the client's consent."
    )
    purpose = forms.ChoiceField(label="Purpose", choices=Purpose.choices)
    information = forms.MultipleChoiceField(
        label="Information to include",
        choices=[(c, InformationCategory(c).label) for c in EXPORT_CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        initial=list(EXPORT_CATEGORIES),
    )
