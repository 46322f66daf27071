"""Standard instruments for measurement-based care: published item wording, answer
labels and scoring. Pure functions only, no database, so every scoring rule is tested on
known answer sets.

Reference: docs/casemanagement.md and the shared instruments reference (PHQ-9, GAD-7,
AUDIT-C, BAM Likert version from VA VISN 4 MIRECC)."""

from dataclasses import dataclass, field

from continuum.care.instruments import AnswerError, Choice, Item, clean_answers

PHQ9 = "phq9"
GAD7 = "gad7"
AUDITC = "auditc"
BAM = "bam"


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    key: str
    label: str


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    short_name: str
    instructions: str
    items: tuple[Item, ...]
    max_total: int | None
    bands: tuple[Band, ...] = ()

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def day_count_keys(self) -> tuple[str, ...]:
        """Items answered with a number of days (BAM), whose code the day count decides."""
        return tuple(item.key for item in self.items if item.choices is DAYS)


@dataclass(frozen=True)
class Result:
    total: int | None
    band: str = ""
    band_label: str = ""
    subscales: dict = field(default_factory=dict)
    positive: bool | None = None
    # Needs same-day clinical follow-up whatever the total (PHQ-9 item 9).
    urgent: bool = False
    flags: tuple[str, ...] = ()


# --- PHQ-9 and GAD-7 --------------------------------------------------------------------

FREQUENCY = (
    Choice(0, "Not at all"),
    Choice(1, "Several days"),
    Choice(2, "More than half the days"),
    Choice(3, "Nearly every day"),
)
DIFFICULTY = (
    Choice(0, "Not difficult at all"),
    Choice(1, "Somewhat difficult"),
    Choice(2, "Very difficult"),
    Choice(3, "Extremely difficult"),
)
DIFFICULTY_TEXT = (
    "If you checked off any problems, how difficult have these problems made it for you "
    "to do your work, take care of things at home, or get along with other people?"
)

PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or "
    "your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite "
    "\u2014 being so fidgety or restless that you have been moving around a lot more than "
    "usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)

GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)


def _frequency_items(texts: tuple[str, ...]) -> tuple[Item, ...]:
    items = tuple(
        Item(key=f"q{n}", number=str(n), text=text, choices=FREQUENCY)
        for n, text in enumerate(texts, start=1)
    )
    difficulty = Item(
        key="difficulty",
        number=str(len(texts) + 1),
        text=DIFFICULTY_TEXT,
        choices=DIFFICULTY,
        scored=False,
        required=False,
    )
    return (*items, difficulty)


INSTRUMENTS: dict[str, Instrument] = {}

# Both two-week screens score 0-3 an item and share their lower severity bands.
TWO_WEEK_BANDS = (
    Band(0, 4, "minimal", "Minimal"),
    Band(5, 9, "mild", "Mild"),
    Band(10, 14, "moderate", "Moderate"),
)


def _two_week_screen(code: str, name: str, short_name: str, *, problems: str, texts, top_bands):
    return Instrument(
        code=code,
        name=name,
        short_name=short_name,
        instructions=f"Over the last 2 weeks, how often have you been bothered by {problems}?",
        items=_frequency_items(texts),
        max_total=3 * len(texts),
        bands=(*TWO_WEEK_BANDS, *top_bands),
    )


INSTRUMENTS[PHQ9] = _two_week_screen(
    PHQ9,
    "Patient Health Questionnaire (PHQ-9)",
    "PHQ-9",
    problems="any of the following problems",
    texts=PHQ9_ITEMS,
    top_bands=(
        Band(15, 19, "moderately_severe", "Moderately severe"),
        Band(20, 27, "severe", "Severe"),
    ),
)
INSTRUMENTS[GAD7] = _two_week_screen(
    GAD7,
    "Generalized Anxiety Disorder scale (GAD-7)",
    "GAD-7",
    problems="the following problems",
    texts=GAD7_ITEMS,
    top_bands=(Band(15, 21, "severe", "Severe"),),
)

# --- AUDIT-C ----------------------------------------------------------------------------

INSTRUMENTS[AUDITC] = Instrument(
    code=AUDITC,
    name="Alcohol Use Disorders Identification Test \u2013 Consumption (AUDIT-C)",
    short_name="AUDIT-C",
    instructions="Think about your drinking in the past year.",
    items=(
        Item(
            "q1",
            "1",
            "How often do you have a drink containing alcohol?",
            (
                Choice(0, "Never"),
                Choice(1, "Monthly or less"),
                Choice(2, "2-4 times a month"),
                Choice(3, "2-3 times a week"),
                Choice(4, "4 or more times a week"),
            ),
        ),
        Item(
            "q2",
            "2",
            "How many standard drinks containing alcohol do you have on a typical day?",
            (
                Choice(0, "1 or 2"),
                Choice(1, "3 or 4"),
                Choice(2, "5 or 6"),
                Choice(3, "7 to 9"),
                Choice(4, "10 or more"),
            ),
        ),
        Item(
            "q3",
            "3",
            "How often do you have six or more drinks on one occasion?",
            (
                Choice(0, "Never"),
                Choice(1, "Less than monthly"),
                Choice(2, "Monthly"),
                Choice(3, "Weekly"),
                Choice(4, "Daily or almost daily"),
            ),
        ),
    ),
    max_total=12,
)

AUDITC_POSITIVE_AT = {"male": 4, "female": 3}

# --- BAM (Likert version) ---------------------------------------------------------------

DAYS = (
    Choice(0, "0"),
    Choice(1, "1-3"),
    Choice(2, "4-8"),
    Choice(3, "9-15"),
    Choice(4, "16-30"),
)
EXTENT = (
    Choice(0, "Not at all"),
    Choice(1, "Slightly"),
    Choice(2, "Moderately"),
    Choice(3, "Considerably"),
    Choice(4, "Extremely"),
)
HEALTH = (
    Choice(0, "Excellent"),
    Choice(1, "Very Good"),
    Choice(2, "Good"),
    Choice(3, "Fair"),
    Choice(4, "Poor"),
)
YES_NO = (Choice(0, "No"), Choice(4, "Yes"))

_P30 = "In the past 30 days, "
BAM_DRUGS = (
    ("7a", "7A", "Marijuana (cannabis, pot, weed)?"),
    (
        "7b",
        "7B",
        "Sedatives/Tranquilizers (e.g., \u201cbenzos\u201d, Valium, Xanax, Ativan, Ambien, "
        "\u201cbarbs\u201d, Phenobarbital, downers, etc.)?",
    ),
    ("7c", "7C", "Cocaine/Crack?"),
    (
        "7d",
        "7D",
        "Other Stimulants (e.g., amphetamine, methamphetamine, Dexedrine, Ritalin, Adderall, "
        "\u201cspeed\u201d, \u201ccrystal meth\u201d, \u201cice\u201d, etc.)?",
    ),
    (
        "7e",
        "7E",
        "Opiates (e.g., Heroin, Morphine, Dilaudid, Demerol, Oxycontin, oxy, codeine "
        "(Tylenol 2,3,4), Percocet, Vicodin, Fentanyl, etc.)?",
    ),
    ("7f", "7F", "Inhalants (glues, adhesives, nail polish remover, paint thinner, etc.)?"),
    (
        "7g",
        "7G",
        "Other drugs (steroids, non-prescription sleep/diet pills, Benadryl, Ephedra, other "
        "over-the-counter/unknown medications)?",
    ),
)

INSTRUMENTS[BAM] = Instrument(
    code=BAM,
    name="Brief Addiction Monitor (BAM)",
    short_name="BAM",
    instructions="These questions ask about the past 30 days.",
    items=(
        Item("q1", "1", _P30 + "would you say your physical health has been?", HEALTH),
        Item(
            "q2",
            "2",
            _P30 + "how many nights did you have trouble falling asleep or staying asleep?",
            DAYS,
        ),
        Item(
            "q3",
            "3",
            _P30 + "how many days have you felt depressed, anxious, angry or very upset "
            "throughout most of the day?",
            DAYS,
        ),
        Item("q4", "4", _P30 + "how many days did you drink ANY alcohol?", DAYS),
        Item(
            "q5",
            "5",
            _P30 + "how many days did you have at least 5 drinks (if you are a man) or at "
            "least 4 drinks (if you are a woman)? [One drink is considered one shot of hard "
            "liquor (1.5 oz.) or 12-ounce can/bottle of beer or 5-ounce glass of wine.]",
            DAYS,
        ),
        Item(
            "q6",
            "6",
            _P30 + "how many days did you use any illegal/street drugs or abuse any "
            "prescription medications?",
            DAYS,
        ),
        *(
            Item(
                key,
                number,
                _P30 + "how many days did you use " + text,
                DAYS,
                scored=False,
                required=False,
            )
            for key, number, text in BAM_DRUGS
        ),
        Item(
            "q8",
            "8",
            _P30 + "how much were you bothered by cravings or urges to drink alcohol or use drugs?",
            EXTENT,
        ),
        Item(
            "q9",
            "9",
            "How confident are you in your ability to be completely abstinent (clean) from "
            "alcohol and drugs in the next 30 days?",
            EXTENT,
        ),
        Item(
            "q10",
            "10",
            _P30 + "how many days did you attend self-help meetings like AA or NA to "
            "support your recovery?",
            DAYS,
        ),
        Item(
            "q11",
            "11",
            _P30 + "how many days were you in any situations or with any people that might "
            "put you at an increased risk for using alcohol or drugs (i.e., around risky "
            "\u201cpeople, places or things\u201d)?",
            DAYS,
        ),
        Item(
            "q12",
            "12",
            "Does your religion or spirituality help support your recovery?",
            EXTENT,
        ),
        Item(
            "q13",
            "13",
            _P30 + "how many days did you spend much of the time at work, school, or doing "
            "volunteer work?",
            DAYS,
        ),
        Item(
            "q14",
            "14",
            "Do you have enough income (from legal sources) to pay for necessities such as "
            "housing, transportation, food and clothing for yourself and your dependents?",
            YES_NO,
        ),
        Item(
            "q15",
            "15",
            _P30 + "how much have you been bothered by arguments or problems getting along "
            "with any family members or friends?",
            EXTENT,
        ),
        Item(
            "q16",
            "16",
            _P30 + "how many days were you in contact or spent time with any family members "
            "or friends who are supportive of your recovery?",
            DAYS,
        ),
        Item(
            "q17",
            "17",
            "How satisfied are you with your progress toward achieving your recovery goals?",
            EXTENT,
            scored=False,
        ),
    ),
    max_total=None,
)

BAM_SUBSCALES = {
    "use": ("q4", "q5", "q6"),
    "risk": ("q1", "q2", "q3", "q8", "q11", "q15"),
    "protective": ("q9", "q10", "q12", "q13", "q14", "q16"),
}
BAM_SUBSCALE_LABELS = {"use": "Use", "risk": "Risk factors", "protective": "Protective factors"}
BAM_SUBSCALE_MAX = {"use": 12, "risk": 24, "protective": 24}
# (threshold, direction, meaning): use is significant at 1 or more, risk high at 12 or
# more, protection low at 12 or below. The flags and the charts' threshold lines read it.
BAM_THRESHOLDS = {
    "use": (1, "at_or_above", "clinically significant"),
    "risk": (12, "at_or_above", "high"),
    "protective": (12, "at_or_below", "low"),
}


def bam_days_score(days: int) -> int:
    """Likert score of a day-count answer: 0 days = 0, 1-3 = 1, 4-8 = 2, 9-15 = 3,
    16-30 = 4."""
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 30:
        raise ValueError("A day count is a whole number from 0 to 30.")
    if days == 0:
        return 0
    if days <= 3:
        return 1
    if days <= 8:
        return 2
    if days <= 15:
        return 3
    return 4


def bam_subscale_flags(subscales: dict[str, int]) -> tuple[str, ...]:
    names = {
        "use": "use_clinically_significant",
        "risk": "risk_high",
        "protective": "protective_low",
    }
    flags = []
    for name, (threshold, direction, _meaning) in BAM_THRESHOLDS.items():
        value = subscales[name]
        if value >= threshold if direction == "at_or_above" else value <= threshold:
            flags.append(names[name])
    return tuple(flags)


FLAG_LABELS = {
    "item9_positive": "Item 9 (thoughts of death or self-harm) answered above 0",
    "gad7_further_evaluation": "10 or more: further evaluation warranted",
    "use_clinically_significant": "Use: any use is clinically significant",
    "risk_high": "Risk factors high (12 or more)",
    "protective_low": "Protective factors low (12 or below)",
    "auditc_positive": "Positive screen",
}

# --- validation and scoring -------------------------------------------------------------


def instrument_get(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except KeyError:
        raise KeyError(f"Unknown instrument {code!r}.") from None


def _item_keys(instrument: Instrument) -> str:
    return ", ".join(item.key for item in instrument.items)


def validate_answers(code: str, answers: dict) -> dict[str, int]:
    """Answers keyed by item key, each one of the item's choice values. Returns the
    cleaned answers (unanswered optional items left out); raises AnswerError whose every
    message names what is allowed."""
    instrument = instrument_get(code)
    return clean_answers(
        instrument.items,
        answers,
        name=instrument.short_name,
        item_list=_item_keys(instrument),
    )


def codes_from_days(code: str, days: dict) -> dict[str, int]:
    """Day counts (0-30) for an instrument's day-count items, turned into their codes
    (`bam_days_score`): {"q4": 12} -> {"q4": 3}. Raises AnswerError item by item."""
    instrument = instrument_get(code)
    allowed = instrument.day_count_keys
    errors: dict[str, str] = {}
    codes: dict[str, int] = {}
    for key, raw in days.items():
        if key not in allowed:
            errors[key] = (
                f"Not a day-count item of the {instrument.short_name}; day counts are "
                f"accepted for {', '.join(allowed) or 'no item of this instrument'}."
            )
            continue
        try:
            codes[key] = bam_days_score(raw)
        except ValueError:
            errors[key] = "Enter a whole number of days from 0 to 30."
    if errors:
        raise AnswerError(errors)
    return codes


def band_for(instrument: Instrument, total: int) -> Band:
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"{total} is outside the {instrument.short_name} range.")


def _scored_total(instrument: Instrument, answers: dict[str, int]) -> int:
    return sum(answers[item.key] for item in instrument.items if item.scored)


def score_phq9(answers: dict) -> Result:
    answers = validate_answers(PHQ9, answers)
    instrument = INSTRUMENTS[PHQ9]
    total = _scored_total(instrument, answers)
    band = band_for(instrument, total)
    urgent = answers["q9"] > 0
    return Result(
        total=total,
        band=band.key,
        band_label=band.label,
        urgent=urgent,
        flags=("item9_positive",) if urgent else (),
    )


def score_gad7(answers: dict) -> Result:
    answers = validate_answers(GAD7, answers)
    instrument = INSTRUMENTS[GAD7]
    total = _scored_total(instrument, answers)
    band = band_for(instrument, total)
    return Result(
        total=total,
        band=band.key,
        band_label=band.label,
        flags=("gad7_further_evaluation",) if total >= 10 else (),
    )


def score_auditc(answers: dict, *, sex: str) -> Result:
    if sex not in AUDITC_POSITIVE_AT:
        raise AnswerError({"sex": "AUDIT-C is scored by sex: choose female or male."})
    answers = validate_answers(AUDITC, answers)
    total = _scored_total(INSTRUMENTS[AUDITC], answers)
    positive = total >= AUDITC_POSITIVE_AT[sex]
    return Result(
        total=total,
        band="positive" if positive else "negative",
        band_label="Positive screen" if positive else "Negative screen",
        positive=positive,
        flags=("auditc_positive",) if positive else (),
    )


def score_bam(answers: dict) -> Result:
    answers = validate_answers(BAM, answers)
    subscales = {name: sum(answers[key] for key in keys) for name, keys in BAM_SUBSCALES.items()}
    # No validated total score exists for the BAM.
    return Result(total=None, subscales=subscales, flags=bam_subscale_flags(subscales))


def score(code: str, answers: dict, *, sex: str = "") -> Result:
    if code == PHQ9:
        return score_phq9(answers)
    if code == GAD7:
        return score_gad7(answers)
    if code == AUDITC:
        return score_auditc(answers, sex=sex)
    if code == BAM:
        return score_bam(answers)
    raise KeyError(f"Unknown instrument {code!r}.")


def answer_label(code: str, key: str, value: int) -> str:
    for choice in instrument_get(code).item(key).choices:
        if choice.value == value:
            return choice.label
    return str(value)


INSTRUMENT_CHOICES = [(code, i.short_name) for code, i in INSTRUMENTS.items()]
