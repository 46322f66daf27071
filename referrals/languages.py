"""Languages of the directory: stored as lower-case language codes (ISO 639 / BCP 47
language subtag), resolved from whatever a data set writes through the `langcodes`
registry (with its `language_data` names), and shown by name.

ALIASES is the one place for names the registry does not know or would match wrongly
("Creole" in a US 211 data set is Haitian Creole, not any creole; the registry's fuzzy
match turns "French Creole" into French)."""

from dataclasses import dataclass
from functools import lru_cache

import langcodes
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The project's own code for American Sign Language predates the registry ("ase").
ASL = "asl"

ALIASES: dict[str, str] = {
    "creole": "ht",
    "haitian": "ht",
    "haitian creole": "ht",
    "french creole": "ht",
    "kreyol": "ht",
    "kreyòl": "ht",
    "kreyol ayisyen": "ht",
    "kreyòl ayisyen": "ht",
    "asl": ASL,
    "ase": ASL,
    "american sign language": ASL,
    "sign language": ASL,
    "sign": ASL,
    "mandarin": "zh",
    "cmn": "zh",
    "chinese (mandarin)": "zh",
    "farsi": "fa",
    "tagalog/filipino": "tl",
    "filipino": "tl",
    "fil": "tl",
}

# The languages offered in the search filter, as families read them. Any other stored
# code is shown by the registry's name in the reader's language.
LANGUAGE_LABELS = {
    "en": _("English"),
    "es": _("Spanish"),
    "fr": _("French"),
    "ht": _("Haitian Creole"),
    "pt": _("Portuguese"),
    "ru": _("Russian"),
    "zh": _("Chinese"),
    "vi": _("Vietnamese"),
    "ko": _("Korean"),
    "ar": _("Arabic"),
    "ur": _("Urdu"),
    "pl": _("Polish"),
    ASL: _("American Sign Language"),
}


@dataclass(frozen=True)
class Resolved:
    code: str  # "" when the value names no language we can recognise
    how: str  # "code", "name", "alias", "guess" or "unknown"


def _code_of(tag: str) -> str:
    language = langcodes.Language.get(tag).language or ""
    return ALIASES.get(language, language)


# Cached: a large import asks about the same few dozen names thousands of times, and
# langcodes' lookups by name take about a millisecond each.
@lru_cache(maxsize=4096)
def resolve(*, name: str = "", code: str = "") -> Resolved:
    """The language code for an HSDS language entry: its code if valid, else its name
    (any case, English or native), through ALIASES first."""
    for value in (code, name):
        key = " ".join(str(value or "").split()).casefold()
        if not key:
            continue
        if key in ALIASES:
            return Resolved(ALIASES[key], "alias")
        try:
            if langcodes.tag_is_valid(key):
                return Resolved(_code_of(key), "code" if value is code else "name")
        except ValueError:
            pass
    key = " ".join(str(name or "").split()).casefold()
    if key:
        try:
            found = langcodes.find(key)
        except LookupError:
            return Resolved("", "unknown")
        exact = key in {
            found.display_name().casefold(),
            found.autonym().casefold(),
            found.language_name().casefold(),
        }
        return Resolved(_code_of(found.language), "name" if exact else "guess")
    return Resolved("", "unknown")


@lru_cache(maxsize=1024)
def english_name(code: str) -> str:
    if code == ASL:
        return "American Sign Language"
    try:
        return langcodes.Language.get(code).display_name("en")
    except (ValueError, LookupError):
        return code


def label(code: str) -> str:
    """The language's name in the active language ("Haitian Creole", "criollo haitiano")."""
    if code in LANGUAGE_LABELS:
        return str(LANGUAGE_LABELS[code])
    try:
        name = langcodes.Language.get(code).display_name(translation.get_language() or "en")
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]
