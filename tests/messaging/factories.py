import factory
from django_scopes import scope

from continuum.messaging.models import Message, Participant, Side, Thread
from continuum.tenancy.models import Membership
from tests.factories import TenantFactory, UserFactory
from tests.people.factories import CareTeamMemberFactory, ClientFactory


class ThreadFactory(TenantFactory):
    class Meta:
        model = Thread

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    created_by = factory.SubFactory(UserFactory)


class ParticipantFactory(TenantFactory):
    class Meta:
        model = Participant

    thread = factory.SubFactory(ThreadFactory)
    organization = factory.SelfAttribute("thread.organization")
    user = factory.SubFactory(UserFactory)
    side = Side.STAFF


class MessageFactory(TenantFactory):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    organization = factory.SelfAttribute("thread.organization")
    author = factory.SubFactory(UserFactory)
    side = Side.STAFF
    body = factory.Sequence(lambda n: f"Message number {n}")


def thread_for_matrix(org):
    return ThreadFactory(client=ClientFactory(organization=org))


def seated_threads(org, user, count):
    """`count` threads with a message each, `user` on the client's care team and seated
    on the staff side: rows for the query-count tests."""
    with scope(organization=org.pk):
        membership = Membership.objects.get(organization=org, user=user)
        for _ in range(count):
            client = ClientFactory(organization=org)
            CareTeamMemberFactory(client=client, membership=membership)
            thread = ThreadFactory(client=client, created_by=user)
            ParticipantFactory(thread=thread, user=user)
            MessageFactory(thread=thread)
