"""Form widgets the pages share.

`SegmentedChoice` shows a scale (craving 0 to 10, mood 1 to 5, a questionnaire's answers) as a
row of large buttons a thumb can hit. It stays a group of native radio buttons inside the
field's fieldset and legend: arrow keys move between the choices, a screen reader names
the group and each choice, and the look is CSS alone (`.segmented` in continuum.css), so
no script is needed and the content security policy stays strict."""

from django import forms


class SegmentedChoice(forms.RadioSelect):
    def __init__(self, attrs=None, choices=(), *, words: bool = False):
        super().__init__(attrs, choices)
        # Numbers sit many to a row; choices in words get room for their text.
        self.group_class = "segmented segmented--words" if words else "segmented"

    def get_context(self, name, value, attrs):
        # The class marks the group only: the radios inherit the widget's attributes.
        context = super().get_context(name, value, attrs)
        own = context["widget"]["attrs"].get("class", "")
        context["widget"]["attrs"]["class"] = " ".join(filter(None, (self.group_class, own)))
        return context
