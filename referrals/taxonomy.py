"""Kind of help, payment and population of an imported service, from the taxonomy terms
its HSDS record carries and, failing those, from its own words.

211 data sets tag services with the 211/AIRS taxonomy (codes such as RX-8450.1150);
others with Open Eligibility terms (names such as "Detox"). Neither says "detox" the way
the directory's filters do, so without this every imported listing is "Other service"
and the kind and insurance filters find nothing. The shipped rules below cover the terms
most used for substance-use and mental-health services; an organization adds its own
(`TaxonomyMapping`), which win over the shipped ones. Pure functions: no database here."""

import re
from dataclasses import dataclass

from .models import Kind, Payment, Population

KIND, PAYMENT, POPULATION = "kind", "payment", "population"
FIELDS = {KIND: Kind, PAYMENT: Payment, POPULATION: Population}

# When a record carries terms of several kinds, the most specific help wins: a detox unit
# inside a hospital's behavioural-health service is found as detox.
KIND_PRECEDENCE = [
    Kind.DETOX,
    Kind.MAT,
    Kind.RESIDENTIAL,
    Kind.SOBER_LIVING,
    Kind.IOP_PHP,
    Kind.OUTPATIENT,
    Kind.FAMILY_SUPPORT,
    Kind.PEER_SUPPORT,
    Kind.CASE_MANAGER,
    Kind.PSYCHIATRIST,
    Kind.THERAPIST,
    Kind.SOBER_COACH,
    Kind.INTERVENTIONIST,
]

# 211/AIRS taxonomy codes, matched on the code and every code below it (RX-8450.5000
# covers RX-8450.5000-100, buprenorphine programs). The longest matching code wins.
AIRS_CODES: dict[str, tuple[str, str]] = {
    "RX-8450.1000": (KIND, Kind.DETOX),  # substance use disorder detoxification
    "RX-8450.1150": (KIND, Kind.OUTPATIENT),  # comprehensive outpatient SUD treatment
    "RX-8450.1100": (KIND, Kind.OUTPATIENT),  # outpatient SUD treatment
    "RX-8450.3000": (KIND, Kind.IOP_PHP),  # SUD day treatment / intensive outpatient
    "RX-8450.4000": (KIND, Kind.IOP_PHP),
    "RX-8450.5000": (KIND, Kind.MAT),  # medication assisted maintenance treatment
    "RX-8450.7000": (KIND, Kind.RESIDENTIAL),  # residential SUD treatment facilities
    "RX-8450.8000": (KIND, Kind.RESIDENTIAL),
    "RX-8460": (KIND, Kind.DETOX),  # detoxification (older editions)
    "RX-8470": (KIND, Kind.MAT),  # opioid treatment programs (older editions)
    "BH-8400.6000-800": (KIND, Kind.SOBER_LIVING),  # sober living / recovery homes
    "BH-8400.6000": (KIND, Kind.SOBER_LIVING),  # transitional / halfway houses
    "PN-8100.0500": (KIND, Kind.PEER_SUPPORT),  # addiction/SUD support groups
    "PN-8100.0300": (KIND, Kind.FAMILY_SUPPORT),  # support groups for families
    "PH-1400": (KIND, Kind.CASE_MANAGER),  # case/care management
    "RP-1400": (KIND, Kind.THERAPIST),  # mental health evaluation / counseling
    "RP-1500": (KIND, Kind.OUTPATIENT),  # outpatient mental health facilities
    "RP-6400": (KIND, Kind.THERAPIST),  # psychiatric / psychotherapy services
    "RM-6500": (KIND, Kind.RESIDENTIAL),  # psychiatric inpatient / residential
    "RP-5000": (KIND, Kind.PSYCHIATRIST),  # psychiatric medication services
    "YF-3000": (POPULATION, Population.VETERANS),  # target: veterans
    "YB-8000": (POPULATION, Population.OLDER_ADULTS),  # target: older adults
    "YB-9000": (POPULATION, Population.ADOLESCENTS),  # target: youth
    "YJ-8750": (POPULATION, Population.WOMEN),  # target: women
    "YJ-8500": (POPULATION, Population.MEN),  # target: men
    "YH-5000": (POPULATION, Population.JUSTICE_INVOLVED),  # target: ex-offenders
    "YK-8000": (POPULATION, Population.LGBTQ),  # target: LGBTQ+
}

# Open Eligibility (and plain) term names, compared without case or punctuation.
TERM_NAMES: dict[str, tuple[str, str]] = {
    "detox": (KIND, Kind.DETOX),
    "detoxification": (KIND, Kind.DETOX),
    "withdrawal management": (KIND, Kind.DETOX),
    "medication assisted treatment": (KIND, Kind.MAT),
    "medications for addiction": (KIND, Kind.MAT),
    "medications for opioid use disorder": (KIND, Kind.MAT),
    "moud": (KIND, Kind.MAT),
    "mat": (KIND, Kind.MAT),
    "opioid treatment program": (KIND, Kind.MAT),
    "residential care": (KIND, Kind.RESIDENTIAL),
    "residential treatment": (KIND, Kind.RESIDENTIAL),
    "inpatient care": (KIND, Kind.RESIDENTIAL),
    "sober living": (KIND, Kind.SOBER_LIVING),
    "recovery housing": (KIND, Kind.SOBER_LIVING),
    "intensive outpatient": (KIND, Kind.IOP_PHP),
    "partial hospitalization": (KIND, Kind.IOP_PHP),
    "outpatient treatment": (KIND, Kind.OUTPATIENT),
    "addiction recovery": (KIND, Kind.OUTPATIENT),
    "substance abuse treatment": (KIND, Kind.OUTPATIENT),
    "mental health care": (KIND, Kind.OUTPATIENT),
    "counseling": (KIND, Kind.THERAPIST),
    "psychiatric medication": (KIND, Kind.PSYCHIATRIST),
    "12 step": (KIND, Kind.PEER_SUPPORT),
    "peer support": (KIND, Kind.PEER_SUPPORT),
    "support groups": (KIND, Kind.PEER_SUPPORT),
    "family counseling": (KIND, Kind.FAMILY_SUPPORT),
    "case management": (KIND, Kind.CASE_MANAGER),
    "medicaid": (PAYMENT, Payment.MEDICAID),
    "medicare": (PAYMENT, Payment.MEDICARE),
    "private insurance": (PAYMENT, Payment.PRIVATE_INSURANCE),
    "sliding scale": (PAYMENT, Payment.SLIDING_SCALE),
    "free": (PAYMENT, Payment.FREE),
    "veterans": (POPULATION, Population.VETERANS),
    "women": (POPULATION, Population.WOMEN),
    "men": (POPULATION, Population.MEN),
    "teens": (POPULATION, Population.ADOLESCENTS),
    "youth": (POPULATION, Population.ADOLESCENTS),
    "young adults": (POPULATION, Population.YOUNG_ADULTS),
    "seniors": (POPULATION, Population.OLDER_ADULTS),
    "lgbtq": (POPULATION, Population.LGBTQ),
    "families": (POPULATION, Population.FAMILIES),
    "pregnant": (POPULATION, Population.PREGNANT_POSTPARTUM),
}

# The service's own words, English and Spanish, when no term says it. Payment words are
# read from the fees and eligibility text too.
TEXT_RULES: list[tuple[re.Pattern, str, str]] = [
    (re.compile(p, re.IGNORECASE), f, v)
    for p, f, v in [
        (r"\bdetox|withdrawal management|desintoxicaci", KIND, Kind.DETOX),
        (
            r"\bmethadone|buprenorphine|suboxone|naltrexone|vivitrol|\bMOUD\b|\bMAT\b"
            r"|medication[- ]assisted|opioid treatment program|metadona|buprenorfina",
            KIND,
            Kind.MAT,
        ),
        (r"sober living|recovery (home|residence|housing)|halfway house", KIND, Kind.SOBER_LIVING),
        (r"\bresidential|inpatient|tratamiento residencial", KIND, Kind.RESIDENTIAL),
        (r"intensive outpatient|\bIOP\b|partial hospitali[sz]ation|\bPHP\b", KIND, Kind.IOP_PHP),
        (r"\boutpatient|ambulatori", KIND, Kind.OUTPATIENT),
        (
            r"\bcounsel+ing|consejer[ií]a|mental health (clinic|services|treatment)|salud mental",
            KIND,
            Kind.OUTPATIENT,
        ),
        (r"al-anon|nar-anon|family support group|families anonymous", KIND, Kind.FAMILY_SUPPORT),
        (
            r"alcoholics anonymous|narcotics anonymous|\b12[- ]step|smart recovery|peer support",
            KIND,
            Kind.PEER_SUPPORT,
        ),
        (r"\bmedicaid|medi-cal", PAYMENT, Payment.MEDICAID),
        (r"\bmedicare\b", PAYMENT, Payment.MEDICARE),
        (
            r"private insurance|commercial insurance|most insurance",
            PAYMENT,
            Payment.PRIVATE_INSURANCE,
        ),
        (r"sliding[- ]scale|sliding fee|escala m[oó]vil", PAYMENT, Payment.SLIDING_SCALE),
        (r"\bfree of charge\b|\bno cost\b|\bno fee\b|\bgratis\b|\bgratuito", PAYMENT, Payment.FREE),
        (r"\bself[- ]pay|private pay|cash pay", PAYMENT, Payment.SELF_PAY),
        (r"\bveterans?\b", POPULATION, Population.VETERANS),
        (r"\badolescents?\b|\bteens?\b|\byouth\b", POPULATION, Population.ADOLESCENTS),
        (r"pregnan|postpartum|perinatal|embarazad", POPULATION, Population.PREGNANT_POSTPARTUM),
        (r"\blgbt", POPULATION, Population.LGBTQ),
    ]
]


def term_key(value: str) -> str:
    """How terms are compared: code as written (upper case), names without case or
    punctuation."""
    value = " ".join(str(value or "").split())
    if re.fullmatch(r"[A-Za-z]{1,2}-\d[\d.\-]*", value):
        return value.upper()
    return re.sub(r"[^a-z0-9 ]+", " ", value.casefold()).replace("  ", " ").strip()


@dataclass(frozen=True)
class Found:
    field: str
    value: str
    source: str  # what matched: the term's code or name, or the words in the text


def _terms(record: dict) -> list[tuple[str, str]]:
    """(code, name) of every taxonomy term on the record (attributes of any taxonomy but
    the directory's own)."""
    out = []
    for attr in record.get("attributes") or []:
        if not isinstance(attr, dict):
            continue
        term = attr.get("taxonomy_term") or {}
        if not isinstance(term, dict) or (term.get("taxonomy") or "") == "continuum":
            continue
        out.append((str(term.get("code") or ""), str(term.get("name") or "")))
    return out


def _by_term(code: str, name: str, extra: dict[str, list[tuple[str, str]]]) -> list[Found]:
    found = []
    for key in filter(None, {term_key(code), term_key(name)}):
        for field, value in extra.get(key, []):
            found.append(Found(field, value, key))
    if found:
        return found
    code_key = term_key(code)
    best = ""
    for prefix in AIRS_CODES:
        if (
            code_key == prefix
            or code_key.startswith(prefix + ".")
            or code_key.startswith(prefix + "-")
        ) and len(prefix) > len(best):
            best = prefix
    if best:
        field, value = AIRS_CODES[best]
        return [Found(field, value, code_key)]
    name_key = term_key(name)
    if name_key in TERM_NAMES:
        field, value = TERM_NAMES[name_key]
        return [Found(field, value, name)]
    return []


def classify(record: dict, extra: dict[str, list[tuple[str, str]]] | None = None) -> dict:
    """{"kind": Found | None, "payment": [Found], "population": [Found]} for one HSDS
    service record. `extra` is the organization's own mapping, term key -> (field, value)."""
    extra = extra or {}
    hits: list[Found] = []
    for code, name in _terms(record):
        hits += _by_term(code, name, extra)
    text = " ".join(
        str(record.get(k) or "")
        for k in (
            "name",
            "alternate_name",
            "description",
            "fees_description",
            "eligibility_description",
        )
    )
    for pattern, field, value in TEXT_RULES:
        already = any(h.field == field and (field != KIND) for h in hits if h.value == value)
        if field == KIND and any(h.field == KIND for h in hits):
            continue
        match = pattern.search(text)
        if match and not already:
            hits.append(Found(field, value, f"“{match.group(0)}” in the text"))
    kinds = [h for h in hits if h.field == KIND]
    kinds.sort(key=lambda h: KIND_PRECEDENCE.index(h.value) if h.value in KIND_PRECEDENCE else 99)

    def unique(field):
        seen, out = set(), []
        for h in hits:
            if h.field == field and h.value not in seen:
                seen.add(h.value)
                out.append(h)
        return out

    return {
        KIND: kinds[0] if kinds else None,
        PAYMENT: unique(PAYMENT),
        POPULATION: unique(POPULATION),
    }
