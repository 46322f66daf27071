"""Messages on the client's timeline: who wrote to whom and when, never the words. The
link opens the thread, which only its participants can read (404 for anyone else)."""

from django.urls import reverse

from continuum.care.timeline import QuerySetSource, TimelineEntry

from .models import Message, Participant


def messages_provider(client, organization):
    thread_url = reverse(
        "staff:messaging_thread",
        kwargs={"org": organization.slug, "thread_id": "00000000-0000-0000-0000-000000000000"},
    )

    def entry(message):
        thread = message.thread
        author = message.author.get_full_name() or message.author.email
        if message.side == Participant.Side.COUNTERPART:
            title = f"Message from {author} to the team"
        else:
            title = f"Message from {author} to {thread.counterpart_name}"
        return TimelineEntry(
            time=message.sent_at,
            kind="message",
            title=title,
            url=thread_url.replace("00000000-0000-0000-0000-000000000000", str(thread.public_id)),
        )

    queryset = (
        Message.objects.filter(organization=organization, thread__client=client)
        .select_related("author", "thread__client", "thread__family_member")
        .order_by("-sent_at", "-id")
    )
    return QuerySetSource(queryset, entry)
