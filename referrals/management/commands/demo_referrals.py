"""The demo's referrals to directory listings near Cambridge, one function per client,
each in the state its story has reached:

| client | listing | state |
|---|---|---|
| Cameron Client | Cambridge Peer Recovery Center | in progress: accepted and first visit booked, weeks ago |
| Danny Okafor | Charles River Addiction Psychiatry | requested three days ago, waiting for the provider |
| Danny Okafor | Somerville Recovery Residence | declined: no bed until next month |
| Rosa Alvarez | Somerville Recovery Residence | completed when she moved into her own flat |
| Maya Lindqvist | Cambridge Peer Recovery Center | draft: waits for Maya's consent before it can go |

A referral about a client goes out only under the client's signed consent naming the
listing, so each sent one starts with that consent. The provider's answers come
through the response link, as a provider's would. A client already referred to the
listing is left alone."""

from django.core.management.base import CommandError

from continuum.consent.models import InformationCategory, Purpose, RecipientKind
from continuum.consent.services import consent_create, consent_sign
from continuum.people.models import Client
from continuum.tenancy.commands import Cast, StoryCommand
from referrals.models import Listing, Referral
from referrals.services import (
    referral_create,
    referral_link_token,
    referral_provider_respond,
)

PROGRAM = "Harbor Light residential program"


def _refer(cast: Cast, who: str, hsds_id: str, *, on: int, note: str, send: bool = True):
    """The case manager's referral `on` days from today, under a consent the client
    signed in the portal that morning; None when the client is already referred there."""
    first, _, last = who.partition(" ")
    client = (
        Client.objects.filter(first_name=first, last_name=last)
        .select_related("portal_user")
        .first()
    )
    listing = Listing.objects.filter(hsds_id=hsds_id).first()
    if client is None or listing is None:
        raise CommandError("Run demo_care and demo_directory first.")
    if Referral.objects.filter(client=client, listing=listing).exists():
        return None
    manager = cast.staff["casemanager"].user
    if send:
        with cast.clock.back_to(cast.clock.at(on, 9, 0)):
            consent = consent_create(
                actor=manager,
                organization=cast.organization,
                client=client,
                disclosing_program=PROGRAM,
                information_categories=[
                    InformationCategory.APPOINTMENTS,
                    InformationCategory.CONTACT,
                ],
                recipient_kind=RecipientKind.NAMED_ORGANIZATION,
                recipient_name=listing.name,
                purposes=[Purpose.CARE_COORDINATION],
                expires_on=cast.clock.day(on + 365),
            )
        with cast.clock.back_to(cast.clock.at(on, 9, 40)):
            consent_sign(
                actor=client.portal_user,
                consent=consent,
                signed_name=client.display_name,
                revocation_acknowledged=True,
            )
    with cast.clock.back_to(cast.clock.at(on, 10, 30)):
        return referral_create(
            actor=manager,
            organization=cast.organization,
            client=client,
            listing=listing,
            note=note,
            includes_client_information=send,
            send=send,
        )


def _provider(cast: Cast, referral: Referral, *, on: int, action: str, **answer) -> None:
    """The provider answers through the link in the referral's e-mail."""
    with cast.clock.back_to(cast.clock.at(on, 14, 0)):
        referral_provider_respond(
            organization=cast.organization,
            token=referral_link_token(referral),
            action=action,
            **answer,
        )
        referral.refresh_from_db()


def cameron(cast: Cast) -> bool:
    referral = _refer(
        cast,
        "Cameron Client",
        "demo-bos-peer",
        on=-40,
        note="Recovery coaching and an all-recovery meeting near home after discharge.",
    )
    if referral is None:
        return False
    _provider(cast, referral, on=-39, action="accept")
    _provider(cast, referral, on=-38, action="scheduled", scheduled_for=cast.clock.day(-36))
    return True


def danny(cast: Cast) -> bool:
    housing = _refer(
        cast,
        "Daniel Okafor",
        "demo-bos-sl",
        on=-16,
        note="Sober living after residential; employed, can pay the weekly fee.",
    )
    if housing is None:
        return False
    _provider(
        cast, housing, on=-14, action="decline", reason="No bed until next month; on the waitlist."
    )
    _refer(
        cast,
        "Daniel Okafor",
        "demo-bos-psy",
        on=-3,
        note="Anxiety without benzodiazepines; GAD-7 rising. Telehealth is fine.",
    )
    return True


def rosa(cast: Cast) -> bool:
    referral = _refer(
        cast,
        "Rosa Alvarez",
        "demo-bos-sl",
        on=-277,
        note="Sober living for the first months after discharge.",
    )
    if referral is None:
        return False
    _provider(cast, referral, on=-276, action="accept")
    _provider(cast, referral, on=-275, action="scheduled", scheduled_for=cast.clock.day(-275))
    _provider(cast, referral, on=-100, action="completed")
    return True


def maya(cast: Cast) -> bool:
    """Drafted for after discharge; it waits for Maya's consent naming the center."""
    referral = _refer(
        cast,
        "Maya Lindqvist",
        "demo-bos-peer",
        on=-2,
        note="Peer recovery coaching after discharge; she asked for a women's group.",
        send=False,
    )
    return referral is not None


CHARACTERS = [cameron, danny, rosa, maya]


class Command(StoryCommand):
    help = "Add the demo's referrals, in several states. Safe to run repeatedly."
    characters = CHARACTERS
    ready = "Demo referrals are ready"
