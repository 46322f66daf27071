from django import forms
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import Channel


class PreferencesForm(forms.Form):
    """One checkbox group per notification kind, then quiet hours and the SMS number."""

    quiet_hours_start = forms.TimeField(
        required=False,
        label=_("Quiet hours start"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("In the organization's time zone. Leave both empty for none."),
    )
    quiet_hours_end = forms.TimeField(
        required=False, label=_("Quiet hours end"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    sms_number = forms.CharField(
        required=False, max_length=20, label=_("Mobile number for text messages")
    )

    def __init__(self, *args, channels_by_kind: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds.KINDS.values():
            self.fields[f"kind_{kind.name}"] = forms.MultipleChoiceField(
                choices=Channel.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=kind.label,
                initial=channels_by_kind.get(kind.name, list(kind.default_channels)),
            )
        order = [f"kind_{name}" for name in kinds.KINDS]
        self.order_fields([*order, "quiet_hours_start", "quiet_hours_end", "sms_number"])

    def channels_by_kind(self) -> dict[str, list[str]]:
        return {name: self.cleaned_data.get(f"kind_{name}", []) for name in kinds.KINDS}
