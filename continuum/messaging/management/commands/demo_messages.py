"""The demo's secure conversations, one function per thread, dated relative to today:

| thread | between | story |
|---|---|---|
| Cameron Client | Cameron (client login) and Carmen, Casey | six weeks of check-ins by message; Carmen's note last night is unread |
| Cameron Client, with Fran | Fran (family login) and Ivan | Fran asks how to help at family gatherings; she has called about Jordan too |
| Danny Okafor | Danny and Carmen | Carmen reaching out after the missed visit; no answer yet |

Every message goes through the messaging service on its day (`StoryClock.back_to`):
a family thread only under the client's signed consent naming that family member,
each staff message to them accounted as a disclosure. A thread that already has
messages is left alone."""

from continuum.messaging.models import Participant, Thread
from continuum.messaging.services import message_send, thread_mark_read, thread_start
from continuum.people.models import Client, FamilyMember
from continuum.tenancy.commands import Cast, StoryCommand


def _thread(cast: Cast, client_email: str, *, family_email: str = "", opened_by: str, on: int):
    """The thread, opened by `opened_by` (a demo login's local part) `on` days from
    today; None when it already has messages or the client is missing."""
    client = Client.objects.filter(email=client_email).first()
    family = FamilyMember.objects.filter(email=family_email).first() if family_email else None
    if client is None or (family_email and family is None):
        return None
    existing = Thread.objects.filter(client=client, family_member=family).first()
    if existing is not None and existing.messages.exists():
        return None
    member = cast.staff[opened_by]
    with cast.clock.back_to(cast.clock.at(on, 8, 0)):
        return thread_start(
            actor=member.user, membership=member, client=client, family_member=family
        )


def _say(cast: Cast, thread: Thread, lines) -> None:
    """(who, day, hour, minute, words): each message sent then, the sender having read
    the thread up to that moment."""
    for who, on, hour, minute, body in lines:
        member = cast.staff[who]
        with cast.clock.back_to(cast.clock.at(on, hour, minute)):
            seat = Participant.objects.get(thread=thread, user=member.user)
            thread_mark_read(actor=member.user, seat=seat)
            message_send(actor=member.user, membership=member, seat=seat, body=body)


def cameron_and_team(cast: Cast) -> bool:
    thread = _thread(cast, "client@demo.example.com", opened_by="coach", on=-41)
    if thread is None:
        return False
    _say(
        cast,
        thread,
        [
            (
                "coach",
                -41,
                9,
                0,
                "Welcome home, Cameron. I'm Carmen, your sober coach. "
                "Message me here any time; I answer within the working day.",
            ),
            ("client", -41, 19, 30, "Thanks Carmen. First night home feels strange but okay."),
            (
                "casemanager",
                -40,
                10,
                15,
                "Hi Cameron, Casey here. IOP starts tonight at "
                "6 pm, 40 Harbor St. Your appointments are all under Appointments.",
            ),
            (
                "client",
                -33,
                21,
                5,
                "Drinks after work today. I left at 5 and called my sponsor. Proud of that one.",
            ),
            (
                "coach",
                -32,
                8,
                45,
                "That is exactly the plan working. Tell me on our next call what made leaving easier.",
            ),
            ("client", -18, 20, 10, "Back full-time next week. Nervous."),
            (
                "coach",
                -18,
                20,
                40,
                "Nervous is normal. Let's plan your first week on "
                "our next call: lunch, the commute, the end of the week.",
            ),
            (
                "casemanager",
                -4,
                16,
                0,
                "Dr. Haddad is pleased with your progress. Next "
                "psychiatry visit is booked; the reminder will come the day before.",
            ),
            ("client", -2, 19, 0, "Work party next week, at a bar. I'd rather go than hide."),
            (
                "coach",
                -1,
                18,
                30,
                "Let's make the plan together: I've put it under "
                "high-risk days. Two extra calls, and I'm on the phone at 8 pm.",
            ),
        ],
    )
    return True


def fran_and_ivan(cast: Cast) -> bool:
    thread = _thread(
        cast,
        "client@demo.example.com",
        family_email="family@demo.example.com",
        opened_by="family",
        on=-30,
    )
    if thread is None:
        return False
    _say(
        cast,
        thread,
        [
            (
                "family",
                -30,
                20,
                0,
                "Ivan, Cameron came to family dinner and laughed "
                "again. Thank you. How do I help without hovering?",
            ),
            (
                "interventionist",
                -29,
                9,
                10,
                "That is wonderful to hear, Fran. Ask how "
                "they are, not whether they are sober; keep your own Al-Anon meeting.",
            ),
            (
                "family",
                -11,
                21,
                15,
                "Seeing Cameron like this is what gave me the courage "
                "to call about Jordan. Thank you for taking us on again.",
            ),
            (
                "interventionist",
                -10,
                8,
                50,
                "It is good to work with your family again. "
                "For Cameron: big family gatherings can be hard; keep them short and low-key.",
            ),
            (
                "family",
                -1,
                20,
                40,
                "Should we keep wine off the table at my sister's birthday next month?",
            ),
        ],
    )
    return True


def danny_and_carmen(cast: Cast) -> bool:
    thread = _thread(cast, "danny.okafor@demo.example.com", opened_by="coach", on=-22)
    if thread is None:
        return False
    _say(
        cast,
        thread,
        [
            (
                "coach",
                -22,
                9,
                0,
                "Hi Danny, Carmen here, your coach. We'll talk every day "
                "for the first weeks; message me here between calls.",
            ),
            ("danny.okafor", -20, 21, 0, "IOP was good tonight. Sleep is better."),
            ("coach", -6, 18, 0, "Missed you at the meeting last night. Everything okay?"),
            ("danny.okafor", -6, 23, 40, "Long week. I'm fine."),
            (
                "casemanager",
                -4,
                11,
                0,
                "Danny, I came by for Dr. Shah's visit and missed "
                "you. Can we find a new time this week? Call me or answer here.",
            ),
        ],
    )
    return True


CHARACTERS = [cameron_and_team, fran_and_ivan, danny_and_carmen]


class Command(StoryCommand):
    help = "Add the demo's secure message threads. Safe to run repeatedly."
    characters = CHARACTERS
    ready = "Demo messages are ready"
