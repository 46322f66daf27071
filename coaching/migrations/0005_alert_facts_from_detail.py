"""Alerts raised before `Alert.facts` carry their detail as a sentence in the language of
whoever acted. Where the sentence is one the services wrote, its facts are read back from
it, so the detail shows in each reader's language:

- "Positive <kind> test on <Mon d>" (the kind in English or Spanish, as it was written);
- "Reported use in the check-in of <Mon d>", "Craving <n>/10 on <Mon d>";
- "No check-in for <n> day(s)", "No contact with the coach for <n> days";
- "Asked for help from the portal".

The day was written without its year: it is the year of `raised_at`, or the year before
when that would put the day after the alert was raised (a test recorded on Dec 31 and
raised on Jan 1).

Rows whose sentence matches none of these (written by hand, by an older version, or
naming a day that does not exist in the recovered year) are left as they are: they keep
`facts` empty and show the stored sentence, in the language it was written in.
"""

import datetime
import re

from django.db import migrations

from continuum.tenancy.scoping import organization_scope

MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
# The test kinds' labels as they were written into the sentence (lower case), in every
# language the product has offered.
TEST_KINDS = {
    "breathalyzer": "breathalyzer",
    "alcoholímetro": "breathalyzer",
    "urine": "urine",
    "orina": "urine",
    "saliva": "saliva",
}
DAY = r"(?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2})"
PATTERNS = {
    "reported_use": [
        re.compile(rf"^Positive (?P<kind>.+) test on {DAY}$"),
        re.compile(rf"^Reported use in the check-in of {DAY}$"),
    ],
    "craving": [re.compile(rf"^Craving (?P<craving>\d+)/10 on {DAY}$")],
    "missed_checkin": [re.compile(r"^No check-in for (?P<days>\d+) days?$")],
    "no_contact": [re.compile(r"^No contact with the coach for (?P<days>\d+) days?$")],
    "help_now": [re.compile(r"^Asked for help from the portal$")],
}


def _day(match, raised_at: datetime.datetime) -> str:
    month = MONTHS[match["month"]]
    day = int(match["day"])
    candidate = datetime.date(raised_at.year, month, day)
    if candidate > raised_at.date() + datetime.timedelta(days=1):
        candidate = datetime.date(raised_at.year - 1, month, day)
    return candidate.isoformat()


def facts_from(cause: str, detail: str, raised_at: datetime.datetime) -> dict:
    """The facts a stored sentence says, or {} when it cannot be read back."""
    for pattern in PATTERNS.get(cause, []):
        match = pattern.match(detail.strip())
        if match is None:
            continue
        found = match.groupdict()
        try:
            if "kind" in found:
                kind = TEST_KINDS.get(found["kind"].lower())
                if kind is None:
                    return {}
                return {"test_kind": kind, "tested_on": _day(match, raised_at)}
            if "craving" in found:
                return {"craving": int(found["craving"]), "day": _day(match, raised_at)}
            if "month" in found:
                return {"day": _day(match, raised_at)}
            if "days" in found:
                return {"days": int(found["days"])}
            return {"door": "portal"}
        except (KeyError, ValueError):
            return {}
    return {}


def recover_facts(apps, schema_editor):
    # Row-level security shows the owner one organization at a time.
    organization_model = apps.get_model("tenancy", "Organization")
    alert_model = apps.get_model("coaching", "Alert")
    for organization in organization_model.objects.order_by("pk"):
        with organization_scope(organization):
            recovered = []
            rows = alert_model._base_manager.filter(organization=organization, facts={})
            for alert in rows.exclude(detail="").only("pk", "cause", "detail", "raised_at"):
                facts = facts_from(alert.cause, alert.detail, alert.raised_at)
                if facts:
                    alert.facts = facts
                    recovered.append(alert)
            alert_model._base_manager.bulk_update(recovered, ["facts"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0004_alert_facts"),
        ("tenancy", "0003_session_and_emergency_settings"),
    ]

    operations = [
        migrations.RunPython(recover_facts, migrations.RunPython.noop),
    ]
