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
