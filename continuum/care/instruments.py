"""What every standard instrument is made of, whichever line asks it (case management's
PHQ-9, GAD-7, AUDIT-C and BAM; the follow-up survey's BARC-10): an item with its published
wording and answer labels, and the error that names the allowed answers. Each line keeps
its own instruments and scoring; the spine only gives them one shape."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    key: str
    number: str
    text: str
    choices: tuple[Choice, ...]
    # Unscored items are asked and stored but count toward no score.
    scored: bool = True
    required: bool = True


def allowed_values(item: Item) -> str:
    """The item's answers as an error message lists them: "0 (Not at all), 1 (...)"."""
    return ", ".join(f"{c.value} ({c.label})" for c in item.choices)


class AnswerError(ValueError):
    """Answers that do not fit the instrument; `errors` maps item keys to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def clean_answers(items: tuple[Item, ...], answers: dict, *, name: str, item_list: str) -> dict:
    """Answers keyed by item key, each one of its item's choice values: the cleaned
    answers (unanswered optional items left out), or AnswerError whose every message says
    what is allowed. `name` and `item_list` word the refusal of an unknown key."""
    errors: dict[str, str] = {}
    cleaned: dict[str, int] = {}
    known = {item.key for item in items}
    for key in answers:
        if key not in known:
            errors[key] = f"Not an item of the {name}; its items are {item_list}."
    for item in items:
        raw = answers.get(item.key)
        if raw is None or raw == "":
            if item.required:
                errors[item.key] = f"Choose an answer: {allowed_values(item)}."
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if isinstance(raw, bool | float) or value not in {c.value for c in item.choices}:
            errors[item.key] = f"Choose one of the answers: {allowed_values(item)}."
            continue
        cleaned[item.key] = value
    if errors:
        raise AnswerError(errors)
    return cleaned
