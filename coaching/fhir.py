"""Coaching contacts as HL7 FHIR R4 Encounters, the reads behind them and their part of
the Patient export bundle. Registered with the FHIR core in `extensions.py`
(continuum.fhir.resources)."""

from __future__ import annotations

from continuum.fhir.mapping import contact_encounter, period, ref
from continuum.fhir.resources import ExportPart

from . import selectors

VIRTUAL = {"phone", "video", "text"}


def coach_encounter(contact, *, client) -> dict:
    from datetime import timedelta

    virtual = contact.kind in VIRTUAL
    engagement = contact.engagement
    return contact_encounter(
        contact,
        client=client,
        act_class=("VR", "virtual") if virtual else ("FLD", "field"),
        kind=f"coaching-{contact.kind}",
        label=f"Sober coaching: {contact.get_kind_display()}",
        by=contact.logged_by,
        span=period(
            contact.started_at, contact.started_at + timedelta(minutes=contact.duration_minutes)
        ),
        episodeOfCare=(
            [ref("EpisodeOfCare", engagement.episode.public_id)] if engagement.episode_id else None
        ),
        length={
            "value": contact.duration_minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        },
    )


def coach_contacts_section(*, membership, client, today) -> ExportPart:
    engagements = list(
        selectors.engagement_list_for(membership=membership)
        .filter(client=client)
        .select_related("episode")
    )
    contacts = [
        contact
        for engagement in engagements
        for contact in selectors.contacts_for(engagement=engagement).order_by("started_at", "id")
    ]
    for contact in contacts:
        contact.engagement = next(e for e in engagements if e.pk == contact.engagement_id)
    return ExportPart([coach_encounter(c, client=client) for c in contacts])
