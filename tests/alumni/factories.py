from datetime import timedelta

import factory
from django.utils import timezone

from alumni.models import AlumniEvent, AlumniProfile, HelpRequest, Rsvp
from tests.factories import TenantFactory
from tests.people.factories import ClientRecordFactory


class EventFactory(TenantFactory):
    class Meta:
        model = AlumniEvent

    title = factory.Sequence(lambda n: f"Alumni evening {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    location = "Harbor House, 12 Pier Road"


class ProfileFactory(ClientRecordFactory):
    class Meta:
        model = AlumniProfile


class RsvpFactory(ClientRecordFactory):
    class Meta:
        model = Rsvp

    event = factory.SubFactory(EventFactory, organization=factory.SelfAttribute("..organization"))
    answer = "yes"


class HelpRequestFactory(ClientRecordFactory):
    class Meta:
        model = HelpRequest

    choice = "struggling"
