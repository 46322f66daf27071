from django import forms

from .models import ClosedReason, DischargeType, Phase, TaskStatus, Weekday

DATE = forms.DateInput(attrs={"type": "date"})


class EpisodeOpenForm(forms.Form):
    phase = forms.ChoiceField(
        choices=[(p.value, p.label) for p in Phase if p != Phase.CLOSED],
        initial=Phase.INQUIRY,
        label="Starts in",
        help_text="Most episodes start at inquiry; choose a later phase for a direct admission.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note")


class TransitionForm(forms.Form):
    # Validated by the service, whose refusal names the phases that are allowed.
    to_phase = forms.CharField(label="Move to", widget=forms.Select)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    admission_date = forms.DateField(
        required=False, widget=DATE, help_text="When entering residential."
    )
    residential_program = forms.CharField(
        max_length=200, required=False, help_text="When entering residential."
    )
    discharge_date = forms.DateField(
        required=False, widget=DATE, help_text="When leaving residential."
    )
    discharge_type = forms.ChoiceField(
        choices=[("", "—"), *DischargeType.choices],
        required=False,
        help_text="When leaving residential.",
    )
    closed_reason = forms.ChoiceField(
        choices=[("", "—"), *ClosedReason.choices], required=False, label="Reason for closing"
    )

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = episode.allowed_next_phases
        self.fields["to_phase"].widget.choices = [("", "Choose…")] + [
            (p, Phase(p).label) for p in allowed
        ]

    def service_details(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "admission_date",
                "residential_program",
                "discharge_date",
                "discharge_type",
                "closed_reason",
            )
            if data.get(name)
        }


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)


# --- the on-call rota -----------------------------------------------------------------

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def member_choices(candidates) -> list[tuple[int, str]]:
    """Choices built once for the whole page: a ModelChoiceField would run its query again
    for every shift's form."""
    choices = []
    for membership in candidates:
        name = membership.user.get_full_name() or membership.user.email
        roles = ", ".join(str(label) for label in membership.role_labels)
        choices.append((membership.pk, f"{name} ({roles})"))
    return choices


class MemberChoiceForm(forms.Form):
    """A form that names a staff member from `choices=` (built once by member_choices),
    offered by `member_field` after a blank option that says what choosing none means."""

    member_field = ""
    blank_label = ""

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.member_field].choices = [("", self.blank_label), *choices]


class OnCallShiftForm(MemberChoiceForm):
    member_field = "membership"
    blank_label = "Choose a staff member"

    membership = forms.TypedChoiceField(coerce=int, label="Staff member")
    weekday = forms.TypedChoiceField(
        coerce=int,
        # Blank first, so an unused shift of the form stays blank and is skipped.
        choices=[("", "Choose a day"), *Weekday.choices],
        label="Day",
    )
    starts_at = forms.TimeField(widget=TIME, label="From", help_text="24-hour time, e.g. 17:00.")
    ends_at = forms.TimeField(
        widget=TIME,
        label="Until",
        help_text="A time at or before the start runs past midnight, e.g. 17:00 until 09:00.",
    )


OnCallShiftFormSet = forms.formset_factory(OnCallShiftForm, extra=2, can_delete=True, max_num=70)


class OnCallFallbackForm(MemberChoiceForm):
    member_field = "fallback"
    blank_label = "Nobody: go straight to the admins"

    fallback = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Fallback",
        help_text="Asked when no shift covers the hour.",
    )
