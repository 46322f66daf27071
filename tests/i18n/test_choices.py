"""Every choice a page shows (a status, kind, relationship, reason, level) reads in the
visitor's language: each label of the project's `TextChoices`/`IntegerChoices`, and of
every model field's choices, is marked for translation lazily (so it is translated when
shown, not once at import in whatever language was active), and Spanish has a word for
each. The staff settings forms' labels are human words, in Spanish too."""

import site
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

from coaching.forms import EngagementForm
from continuum.tenancy.forms import OrganizationSettingsForm
from interventions.forms import ResponsePlanForm
from referrals.forms import ListingForm
from tests.i18n.test_catalogue import CATALOGUE

ROOT = str(settings.BASE_DIR)

# Labels that are the same words in Spanish: proper names of programs and payers, and
# words Spanish borrows unchanged. Each is checked to be in the Spanish catalogue all the
# same (`test_the_allow_list_holds_only_labels_spanish_keeps`), so the list cannot hide a
# missing translation.
SAME_IN_SPANISH = {
    "Medicaid",  # US public insurance programs: names
    "Medicare",
    "LGBTQ+",
    "SMART Recovery",  # peer-support fellowships: names
    "Refuge Recovery",
    "Celebrate Recovery",
    "Alcohol",  # the same word in Spanish
    "Video",
    "Saliva",
    "Normal",  # a task's priority
    "Portal",  # how a follow-up was answered: the same word
}

# Fields whose choices are names, not words: the same in every language, so neither
# marked for translation nor translated.
NAMED_CHOICES = {
    "casemanagement.Assessment.instrument",  # PHQ-9, GAD-7, AUDIT-C, BAM
    "casemanagement.QuestionnaireAssignment.instrument",  # the same instruments, asked for
}


def _project_app_configs():
    # Installed packages are not the project's, even when the virtualenv sits in the
    # checkout (.venv), as it does on a fresh clone.
    installed = tuple(str(Path(p).resolve()) for p in site.getsitepackages())
    return [
        c
        for c in apps.get_app_configs()
        if str(c.path).startswith(ROOT) and not str(Path(c.path).resolve()).startswith(installed)
    ]


def _project_enums():
    """Every Choices enum defined in a module of the project's apps."""
    prefixes = tuple(f"{c.name}." for c in _project_app_configs())
    found, stack = [], list(models.Choices.__subclasses__())
    while stack:
        enum = stack.pop()
        stack += enum.__subclasses__()
        if enum.__module__.startswith(prefixes) and enum.__members__:
            found.append(enum)
    return sorted(found, key=lambda e: f"{e.__module__}.{e.__qualname__}")


def _flat(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            yield from _flat(label)
        else:
            yield value, label


def _field_choices():
    """(where, value, label) for every model field with choices, array items included."""
    for config in _project_app_configs():
        for model in config.get_models():
            for field in model._meta.get_fields():
                where = f"{model._meta.label}.{field.name}"
                if where in NAMED_CHOICES:
                    continue
                inner = getattr(field, "base_field", field)
                for value, label in _flat(getattr(inner, "choices", None) or ()):
                    yield where, value, label


def _enum_choices(enums):
    for enum in enums:
        for member in enum:
            yield f"{enum.__module__}.{enum.__qualname__}", member.value, member.label


def _all_labels():
    return [*_enum_choices(_project_enums()), *_field_choices()]


def not_lazy(labels):
    return sorted(
        {
            f"{where}: {value!r} -> {label!r}"
            for where, value, label in labels
            if not isinstance(label, Promise)
        }
    )


def untranslated(labels):
    missing = set()
    for where, value, label in labels:
        with translation.override("en"):
            english = str(label)
        with translation.override("es"):
            spanish = str(label)
        if spanish == english and english not in SAME_IN_SPANISH:
            missing.add(f"{where}: {value!r} -> {english!r}")
    return sorted(missing)


def test_the_walk_finds_every_apps_choices():
    """A guard on the walk itself: enums of the spine and of each service line, nested
    ones and those no field uses directly, and array fields' item choices."""
    names = {f"{e.__module__}.{e.__qualname__}" for e in _project_enums()}
    assert {
        "continuum.tenancy.models.Role",
        "continuum.care.models.Phase",
        "continuum.care.models.SafetyStep.Action",
        "coaching.models.RiskLevel",
        "interventions.models.ParticipantRole",
        "casemanagement.models.GapRule",
        "referrals.models.ProviderAction",
    } <= names
    fields = {where for where, _value, _label in _field_choices()}
    assert {"tenancy.Membership.roles", "people.FamilyRelationship.relationship"} <= fields


def test_every_choice_label_is_translated_when_shown():
    assert not not_lazy(_all_labels()), (
        "mark these labels with gettext_lazy (`_`), or pgettext_lazy where the same English "
        "word needs different Spanish:\n  " + "\n  ".join(not_lazy(_all_labels()))
    )


def test_every_choice_label_has_spanish():
    missing = untranslated(_all_labels())
    assert not missing, (
        "add Spanish to locale/es/LC_MESSAGES/django.po and run compilemessages (or, for a "
        "word Spanish keeps as it is, add it to SAME_IN_SPANISH):\n  " + "\n  ".join(missing)
    )


def test_a_plain_label_or_one_without_spanish_is_caught():
    """The checks fail on the mistakes they are for: a plain string label, and a lazy one
    the catalogue has no Spanish for."""

    class Probe(models.TextChoices):
        PLAIN = "plain", "Plain words"
        LAZY = "lazy", translation.gettext_lazy("Words nobody translated")

    labels = list(_enum_choices([Probe]))
    assert not_lazy(labels) == [f"{_enum_where(Probe)}: 'plain' -> 'Plain words'"]
    assert untranslated(labels[1:]) == [
        f"{_enum_where(Probe)}: 'lazy' -> 'Words nobody translated'"
    ]


def _enum_where(enum):
    return f"{enum.__module__}.{enum.__qualname__}"


def test_the_allow_list_holds_only_labels_spanish_keeps():
    with translation.override("en"):
        english = {str(label) for _where, _value, label in _all_labels()}
    assert english >= SAME_IN_SPANISH, f"not a label any more: {SAME_IN_SPANISH - english}"
    # In the catalogue, with or without a context ("context\x04msgid").
    listed = {key.rpartition("\x04")[2] for key, entry in CATALOGUE.items() if entry["msgstr"][0]}
    assert SAME_IN_SPANISH - listed == set()


def test_a_task_priority_and_a_risk_level_are_not_a_mood():
    """The same English word, three Spanish ones: a low mood, a low priority, low risk."""
    from coaching.models import Mood, RiskLevel
    from continuum.care.models import TaskPriority

    with translation.override("es"):
        assert (str(Mood.LOW.label), str(TaskPriority.LOW.label), str(RiskLevel.LOW.label)) == (
            "Mal",
            "Baja",
            "Bajo",
        )


@pytest.mark.parametrize(
    ("form_class", "field", "english", "spanish"),
    [
        (
            OrganizationSettingsForm,
            "staff_mfa_required",
            "Staff must use two-factor authentication",
            "El personal debe usar la verificación en dos pasos",
        ),
        (OrganizationSettingsForm, "timezone", "Time zone", "Zona horaria"),
        (
            EngagementForm,
            "checkin_due_time",
            "Daily check-in due by",
            "Hora límite del registro diario",
        ),
        (
            EngagementForm,
            "missed_checkin_days",
            "Alert after missed check-ins (days in a row)",
            "Días seguidos sin registro antes de alertar",
        ),
        (
            ResponsePlanForm,
            "next_checkin_on",
            "Next check-in with the family",
            "Próximo seguimiento con la familia",
        ),
        (ListingForm, "service_area_kind", "Service area", "Zona de servicio"),
    ],
)
def test_staff_settings_read_as_words(form_class, field, english, spanish):
    label = form_class.base_fields[field].label
    with translation.override("en"):
        assert str(label) == english
    with translation.override("es"):
        assert str(label) == spanish
