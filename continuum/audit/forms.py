from django import forms

from .selectors import AuditFilters


class AuditFilterForm(forms.Form):
    """Filters for the audit trail; every field optional. `user` choices are the
    organization's members, given by the view."""

    user = forms.TypedChoiceField(label="User", required=False, choices=(), empty_value=None)
    client = forms.UUIDField(
        label="Client id", required=False, help_text="The client's id as shown in their URL."
    )
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=64,
        help_text='A whole action ("consent.revoked") or a prefix ending in a dot ("consent.").',
    )
    date_from = forms.DateField(
        label="From (UTC)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To (UTC)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Anyone")] + [
            (str(m.user.public_id), m.user.get_full_name() or m.user.email) for m in members
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            actor_id=data.get("user") or None,
            client_id=data.get("client"),
            action=(data.get("action") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
