"""Scales are large buttons that stay a native radio group (keyboard, screen readers)."""

import re

from casemanagement.forms import assessment_form_class
from coaching.forms import CheckInForm


def _group(html: str, name: str) -> str:
    """The fieldset of one field."""
    (group,) = [
        g for g in re.findall(r"<fieldset>.*?</fieldset>", html, re.S) if f'name="{name}"' in g
    ]
    return group


def test_the_craving_scale_is_eleven_radios_in_a_labelled_group():
    html = CheckInForm(triggers=()).as_div()
    group = _group(html, "craving")
    assert "<legend>Craving right now (0 = none, 10 = strongest)" in group
    assert group.count('class="segmented"') == 1
    assert group.count('type="radio" name="craving"') == 11
    # The form's starting value is the first button, already pressed.
    assert re.search(r'value="0"[^>]*checked', group)


def test_words_get_room_and_numbers_do_not():
    html = CheckInForm(triggers=()).as_div()
    assert 'class="segmented segmented--words"' in _group(html, "mood")
    assert 'class="segmented"' in _group(html, "craving")


def test_questionnaire_items_are_segmented_with_their_own_words():
    html = assessment_form_class("phq9", ask_sex=False)().as_div()
    group = _group(html, "q9")
    assert 'class="segmented segmented--words"' in group
    assert group.count('type="radio" name="q9"') == 4
    assert "Not at all" in group
