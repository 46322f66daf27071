"""The Spanish catalogue covers every string marked for translation: in the templates
(pages and the messages sent to families and clients) and in the Python code (views,
forms, choices, services' messages). A marked string with no Spanish, a fuzzy (guessed)
translation, or a catalogue not compiled after an edit fails here."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Every project app's package (a new line is checked the day it is installed) and the
# project's templates.
_PACKAGES = {app.split(".")[0] for app in settings.INSTALLED_APPS}
SOURCES = ["templates", *sorted(p for p in _PACKAGES if (ROOT / p).is_dir())]
SKIP_PARTS = {"migrations", "__pycache__"}
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
NGETTEXT = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
CONTEXT_SEPARATOR = "\x04"


def parse_po(path: Path) -> dict[str, dict]:
    """msgid -> {"msgstr": [forms], "fuzzy": bool}; enough of the PO format for the
    catalogue `makemessages --no-wrap` writes. An entry with a context is keyed
    "context\x04msgid", as gettext keys it, so it never hides the entry without one."""
    entries, entry, field = {}, None, None

    def close():
        if entry and entry.get("msgid"):
            key = entry["msgid"]
            if "msgctxt" in entry:
                key = f"{entry['msgctxt']}{CONTEXT_SEPARATOR}{key}"
            entries[key] = entry

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            close()
            entry = None
            continue
        entry = entry or {"msgstr": {}, "fuzzy": False}
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif match := re.match(
            r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d)\])?\s+(\".*\")$", line
        ):
            field = (match.group(1), int(match.group(2) or 0))
            value = ast.literal_eval(match.group(3))
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] = value
            else:
                entry[field[0]] = value
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
    return entries


def _files(pattern: str):
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob(pattern)):
            if not SKIP_PARTS & set(path.parts):
                yield path


def template_msgids() -> dict[str, str]:
    """What `makemessages` extracts from the templates, found the same way (templatize)."""
    found = {}
    literal = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    call = re.compile(rf"\b(n?p?gettext)\(((?:{literal}(?:,\s*)?)+)")
    for path in [*_files("*.html"), *_files("*.txt")]:
        if "templates" not in path.parts:
            continue
        for match in call.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
            literals = re.findall(literal, match.group(2))
            strings = [ast.literal_eval(lit.lstrip("u")) for lit in literals]
            if match.group(1).startswith("p") or match.group(1).startswith("np"):
                strings = strings[1:]  # the context comes first
            found.setdefault(strings[0], str(path.relative_to(ROOT)))
    return found


def python_msgids() -> dict[str, str]:
    found = {}
    for path in _files("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in GETTEXT | NGETTEXT or not node.args:
                continue
            args = node.args[1:] if name.startswith(("pgettext", "npgettext")) else node.args
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                key = args[0].value
                context = node.args[0]
                if args is not node.args and isinstance(context, ast.Constant):
                    key = f"{context.value}{CONTEXT_SEPARATOR}{key}"
                found.setdefault(key, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


CATALOGUE = parse_po(PO)


def test_the_extraction_finds_the_family_pages_and_messages():
    """A guard on the test itself: strings known to be marked are found."""
    templates, code = template_msgids(), python_msgids()
    assert "Find help near you" in templates
    assert "Your family's response plan is ready to read." in templates
    assert "Checked in. Thank you, see you tomorrow." in code
    assert "Accepted treatment" in code


@pytest.mark.parametrize(
    "source", ["templates", "python"], ids=["templates", "views-forms-models-services"]
)
def test_every_marked_string_has_spanish(source):
    used = template_msgids() if source == "templates" else python_msgids()
    missing = {
        msgid: where
        for msgid, where in used.items()
        if msgid not in CATALOGUE or not all(CATALOGUE[msgid]["msgstr"].values())
    }
    assert not missing, "no Spanish yet (run makemessages, translate, compilemessages):\n" + (
        "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items()))
    )


def test_no_translation_is_fuzzy():
    fuzzy = [msgid for msgid, entry in CATALOGUE.items() if entry["fuzzy"]]
    assert not fuzzy, f"check these guesses and remove their fuzzy flag: {fuzzy}"


def test_the_compiled_catalogue_matches_the_po_file():
    """compilemessages was run after the last edit of django.po."""
    stale = []
    with translation.override("es"):
        for key, entry in CATALOGUE.items():
            forms, msgid = entry["msgstr"], entry["msgid"]
            if "msgid_plural" in entry:
                got = [translation.ngettext(msgid, entry["msgid_plural"], n) for n in (1, 2)]
                want = [forms[0], forms[max(forms)]]
            elif "msgctxt" in entry:
                got, want = [translation.pgettext(entry["msgctxt"], msgid)], [forms[0]]
            else:
                got, want = [translation.gettext(msgid)], [forms[0]]
            if got != want:
                stale.append(key)
    assert not stale, f"django.mo is older than django.po for: {stale[:10]}"
