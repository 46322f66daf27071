"""The family portal's own forms: answering a meeting's invitation and the family
member's wellbeing check-in. Kept apart from the staff forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from continuum.widgets import SegmentedChoice

from .models import Rsvp
from .services import NOTE_MAX_LENGTH

ANSWERS = [(value, label) for value, label in Rsvp.choices if value != Rsvp.PENDING]


class AnswerForm(forms.Form):
    rsvp = forms.ChoiceField(
        label=_("Will you come?"),
        choices=ANSWERS,
        widget=SegmentedChoice(words=True),
        error_messages={"required": _("Choose one: will attend, cannot attend, or maybe.")},
    )


def _scale(label, help_text):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=SegmentedChoice(),
        error_messages={"required": _("Choose a number from 1 to 5.")},
    )


class FamilyCheckinForm(forms.Form):
    mood = _scale(_("How is your mood today?"), _("1 is very low, 5 is good."))
    stress = _scale(_("How calm do you feel today?"), _("1 is very stressed, 5 is calm."))
    note = forms.CharField(
        label=_("Anything you want to note (optional)"),
        help_text=_("The team helping your family reads your check-ins, to support you too."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
