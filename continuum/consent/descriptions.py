"""What a disclosure was, said in the reader's language.

The accounting of disclosures is read by the client in the portal and by staff, each in
their own language, long after whoever made the disclosure wrote it. So a disclosure
stores what was disclosed as a kind and its facts (codes, counts), and the kind's
`render(facts)` says it in the active language when the row is shown. A line registers
the kinds it discloses from its `extensions.py`:

    from continuum.consent import descriptions
    descriptions.register("casemanagement.provider_contact", render_provider_contact)

`Disclosure.description` keeps the English sentence for rows from before kinds, for a
kind no longer registered, and for anyone reading the table itself."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation

from continuum.extensions import Registry


@dataclass(frozen=True)
class DisclosureDescription:
    name: str
    render: Callable[[dict], str]


DESCRIPTIONS: Registry[DisclosureDescription] = Registry(
    "disclosure_descriptions",
    key="name",
    holds="DisclosureDescription(name, render): render(facts) says what was disclosed",
)


def register(name: str, render: Callable[[dict], str]) -> DisclosureDescription:
    return DESCRIPTIONS.register(DisclosureDescription(name=name, render=render))


def describe(kind: str, facts: dict) -> str:
    """The description in the active language; empty when the kind is unknown or its
    facts no longer fit it, so the caller falls back to the stored sentence."""
    entry = DESCRIPTIONS.get(kind) if kind else None
    if entry is None:
        return ""
    try:
        return str(entry.render(facts))
    except (KeyError, TypeError, ValueError):
        return ""


def in_english(kind: str, facts: dict) -> str:
    with translation.override("en"):
        return describe(kind, facts)
