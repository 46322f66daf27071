"""The BARC-10 and the follow-up survey's questions: published item wording, answer
labels and scoring. Pure functions only, no database, so scoring is tested on answer
sets computed by hand.

BARC-10: Vilsaint CL, Kelly JF, Bergman BG, Groshkova T, Best D, White W. Development
and validation of a Brief Assessment of Recovery Capital (BARC-10) for alcohol and drug
use disorder. Drug and Alcohol Dependence 2017;177:71-76. Ten items, each answered on a
six-point agreement scale (1 Strongly disagree ... 6 Strongly agree); the total is the
sum, 10 to 60, and every item is required. The English wording is the published one; the
Spanish wording (locale/es) is the center's own translation, not a validated one."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from continuum.care.instruments import AnswerError as AnswerError  # callers catch it from here
from continuum.care.instruments import Choice, Item, clean_answers

BARC10 = "barc10"


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str
    instructions: str
    items: tuple[Item, ...]
    min_total: int
    max_total: int


@dataclass(frozen=True)
class Result:
    total: int
    answers: dict


AGREEMENT = (
    Choice(1, _("Strongly disagree")),
    Choice(2, _("Disagree")),
    Choice(3, _("Somewhat disagree")),
    Choice(4, _("Somewhat agree")),
    Choice(5, _("Agree")),
    Choice(6, _("Strongly agree")),
)

BARC10_TEXTS = (
    _("There are more important things to me in life than using substances."),
    _("In general I am happy with my life."),
    _("I have enough energy to complete the tasks I set myself."),
    _("I am proud of the community I live in and feel part of it."),
    _("I get lots of support from friends."),
    _(
        "I regard my life as challenging and fulfilling without the need for using drugs "
        "or alcohol."
    ),
    _("My living space has helped to drive my recovery journey."),
    _("I take full responsibility for my actions."),
    _("I am happy dealing with a range of professional people."),
    _("I am making good progress on my recovery journey."),
)

BARC10_INSTRUMENT = Instrument(
    code=BARC10,
    name=_("Brief Assessment of Recovery Capital (BARC-10)"),
    short_name="BARC-10",
    instructions=_("How much do you agree with each statement?"),
    items=tuple(
        Item(key=f"q{n}", number=str(n), text=text, choices=AGREEMENT)
        for n, text in enumerate(BARC10_TEXTS, start=1)
    ),
    min_total=10,
    max_total=60,
)


def score_barc10(answers: dict) -> Result:
    """Every one of the ten items answered 1-6; the total is their sum (10-60). Raises
    AnswerError whose every message names the allowed answers."""
    items = BARC10_INSTRUMENT.items
    cleaned = clean_answers(items, answers, name="BARC-10", item_list=f"q1 to q{len(items)}")
    return Result(total=sum(cleaned.values()), answers=cleaned)


# --- the rest of the follow-up survey ---------------------------------------------------

# Days of use in the past 30 days, asked for alcohol and each kind of drug.
SUBSTANCES = (
    ("alcohol", _("Alcohol")),
    ("cannabis", _("Cannabis (marijuana)")),
    ("opioids", _("Opioids (heroin, fentanyl, pain pills not as prescribed)")),
    ("stimulants", _("Stimulants (cocaine, crack, methamphetamine)")),
    ("sedatives", _("Sedatives (benzodiazepines, sleeping pills not as prescribed)")),
    ("other_drugs", _("Any other drug")),
)
MAX_DAYS = 30

QUALITY_OF_LIFE = (
    Choice(1, _("Very poor")),
    Choice(2, _("Poor")),
    Choice(3, _("Neither poor nor good")),
    Choice(4, _("Good")),
    Choice(5, _("Very good")),
)
