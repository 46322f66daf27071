"""An organization's scope is also its time zone: every form and serializer field, every
template and `timezone.localdate()` inside it speak the organization's local time."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django import forms
from django.utils import timezone
from rest_framework import serializers

from continuum.tenancy.scoping import organization_scope
from continuum.tenancy.timezones import day_end, day_start, moment_of
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_york(org):
    return org  # the default zone is America/New_York


@pytest.fixture
def los_angeles(db):
    return OrganizationFactory(slug="pacific", timezone="America/Los_Angeles")


def test_the_scope_activates_the_zone_and_restores_the_previous_one(new_york, los_angeles):
    assert timezone.get_current_timezone_name() == "UTC"
    with organization_scope(new_york):
        assert timezone.get_current_timezone_name() == "America/New_York"
        with organization_scope(los_angeles):
            assert timezone.get_current_timezone_name() == "America/Los_Angeles"
        assert timezone.get_current_timezone_name() == "America/New_York"
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-11-04T23:30", datetime(2026, 11, 5, 4, 30, tzinfo=UTC)),
        ("2026-11-05T02:30", datetime(2026, 11, 5, 7, 30, tzinfo=UTC)),
        ("2026-10-31T23:30", datetime(2026, 11, 1, 3, 30, tzinfo=UTC)),  # before the change
    ],
)
def test_any_form_or_serializer_reads_local_time(new_york, typed, stored):
    with organization_scope(new_york):
        assert forms.DateTimeField().clean(typed) == stored
        field = serializers.DateTimeField()
        assert field.to_internal_value(typed) == stored
        assert field.to_representation(stored).startswith(typed)


@time_machine.travel(datetime(2026, 11, 5, 4, 30, tzinfo=UTC), tick=False)
def test_today_is_the_organizations_day(new_york):
    assert timezone.localdate() == date(2026, 11, 5)  # UTC
    with organization_scope(new_york):
        assert timezone.localdate() == date(2026, 11, 4)


def test_a_days_bounds_follow_the_offset_of_that_day(new_york):
    assert day_start(date(2026, 10, 31), new_york) == datetime(2026, 10, 31, 4, 0, tzinfo=UTC)
    assert day_start(date(2026, 11, 1), new_york) == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    # November 1 has 25 hours: its last second is 04:59:59 UTC on November 2.
    assert day_end(date(2026, 11, 1), new_york) == datetime(2026, 11, 2, 4, 59, 59, tzinfo=UTC)
    # Counting hours from a day's start counts elapsed hours, DST change or not.
    start = day_start(date(2026, 10, 31), new_york)
    assert (start + timedelta(hours=72)) - start == timedelta(hours=72)
    assert (start + timedelta(hours=72)).tzinfo is UTC


def test_a_date_entered_the_same_day_is_the_moment_of_entry_and_a_backdated_one_its_start(
    new_york,
):
    entered = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # 22:00 on November 4 in New York
    assert moment_of(date(2026, 11, 4), recorded_at=entered, organization=new_york) == entered
    assert moment_of(date(2026, 11, 2), recorded_at=entered, organization=new_york) == datetime(
        2026, 11, 2, 5, 0, tzinfo=UTC
    )
