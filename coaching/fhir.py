"""Coaching contacts as HL7 FHIR R4 Encounters, the reads behind them and their part of
the Patient export bundle. Registered with the FHIR core in `extensions.py`
(continuum.fhir.resources)."""

from __future__ import annotations

from continuum.fhir.mapping import ACT_CODE, concept, period, ref, resource
from continuum.fhir.resources import ExportPart

from . import selectors

VIRTUAL = {"phone", "video", "text"}


def coach_encounter(contact, *, client) -> dict:
    from datetime import timedelta

    virtual = contact.kind in VIRTUAL
    engagement = contact.engagement
    return resource(
        "Encounter",
        contact.public_id,
        status="finished",
        **{
            "class": {
                "system": ACT_CODE,
                "code": "VR" if virtual else "FLD",
                "display": "virtual" if virtual else "field",
            }
        },
        type=[
            concept(
                f"coaching-{contact.kind}",
                f"Sober coaching: {contact.get_kind_display()}",
                "contact-kind",
            )
        ],
        subject=ref("Patient", client.public_id),
        episodeOfCare=(
            [ref("EpisodeOfCare", engagement.episode.public_id)] if engagement.episode_id else None
        ),
        participant=[{"individual": {"display": str(contact.logged_by)}}],
        period=period(
            contact.started_at, contact.started_at + timedelta(minutes=contact.duration_minutes)
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
