"""The operations page (org admins) and /metrics (a scraper with the token)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from continuum.care.models import HandoffRun, HandoffStatus
from continuum.care.services import episode_open
from continuum.notifications.models import Notification, Status
from continuum.notifications.services import notification_schedule
from continuum.tenancy.models import Role
from tests.people.factories import ClientFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    from continuum.care import tasks

    monkeypatch.setattr(tasks.handoff_run_task, "apply_async", lambda *a, **kw: None)


def _backlog(org, user, *, n, failed=0, urgent=0, prefix="r"):
    with scope(organization=org.pk):
        for i in range(n + failed + urgent):
            notification_schedule(
                organization=org,
                recipient=user,
                template="general",
                context={"subject": "Check in", "body": "Please check in.", "url": "/x/"},
                dedup_key=f"{prefix}{i}",
                urgent=i >= n + failed,
            )
        ids = list(
            Notification.objects.filter(dedup_key__startswith=prefix)
            .order_by("id")
            .values_list("id", flat=True)
        )
        Notification.objects.filter(id__in=ids[n : n + failed]).update(
            status=Status.FAILED, last_error="mailbox full"
        )


def _stuck_run(org, actor):
    with scope(organization=org.pk):
        episode = episode_open(actor=actor, client=ClientFactory(organization=org))
        run = HandoffRun.objects.filter(transition__episode=episode).first()
        HandoffRun.objects.filter(pk=run.pk).update(created_at=NOW - timedelta(minutes=5))
    return run


def _page(org):
    return reverse("staff:operations", kwargs={"org": org.slug})


@time_machine.travel(NOW, tick=False)
def test_an_admin_sees_backlog_failures_and_stuck_handoffs(client, org, members, admin_user):
    coach = members[Role.SOBER_COACH]
    _backlog(org, coach, n=3, failed=2, urgent=1)
    _stuck_run(org, admin_user)
    client.force_login(admin_user)
    # 1 session, 2 membership with organization and user (middleware), 3 outbox
    # aggregate, 4 failures by channel, 5 handoff aggregate, 6 import jobs by status,
    # 7 switcher memberships (header).
    with assert_queries(7, label="operations page"):
        response = client.get(_page(org))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Due, not yet sent</dt><dd>4 (1 urgent)" in page
    assert "2 failed after their retries" in page
    assert "email: 2" in page
    assert "Stuck (waiting over a minute)</dt><dd>1" in page
    assert "Review and run again" not in page
    # More rows, the same queries.
    _backlog(org, coach, n=20, failed=5, prefix="more")
    with assert_queries(7, label="operations page with more rows"):
        assert client.get(_page(org)).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_failed_handoffs_link_to_the_page_that_runs_them_again(client, org, admin_user):
    run = _stuck_run(org, admin_user)
    with scope(organization=org.pk):
        HandoffRun.objects.filter(pk=run.pk).update(status=HandoffStatus.FAILED)
    client.force_login(admin_user)
    page = client.get(_page(org)).content.decode()
    assert "Review and run again" in page
    assert reverse("staff:handoff_failures", kwargs={"org": org.slug}) in page


def test_another_organizations_figures_never_show(client, org, other_org, members, outsider):
    _backlog(org, members[Role.SOBER_COACH], n=7)
    client.force_login(outsider)
    assert client.get(_page(org)).status_code == 404
    page = client.get(_page(other_org)).content.decode()
    assert "Due, not yet sent</dt><dd>0" in page


def test_staff_without_the_admin_role_are_refused(client, org, members):
    client.force_login(members[Role.SOBER_COACH])
    assert client.get(_page(org)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, org):
    response = client.get(_page(org))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- /metrics ----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_metrics_give_platform_totals_in_prometheus_format(
    client, org, other_org, members, outsider, settings
):
    settings.METRICS_TOKEN = "s3cret-token"
    _backlog(org, members[Role.SOBER_COACH], n=3, failed=1)
    _backlog(other_org, outsider, n=2, urgent=1, prefix="o")
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer s3cret-token")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert 'continuum_outbox_due{urgent="false"} 5.0' in body
    assert 'continuum_outbox_due{urgent="true"} 1.0' in body
    assert 'continuum_outbox_failed{channel="email"} 1.0' in body
    assert 'continuum_handoff_runs{state="stuck"} 0.0' in body
    # Totals only: no label names an organization.
    assert org.slug not in body and other_org.slug not in body
    assert "organization" not in body


def test_metrics_refuse_a_missing_or_wrong_token_and_say_how(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}):
        response = client.get(reverse("metrics"), **header)
        assert response.status_code == 401
        assert "Authorization: Bearer" in response.content.decode()
        assert "continuum_" not in response.content.decode()


def test_metrics_are_off_until_a_token_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404
    assert "Set METRICS_TOKEN" in response.content.decode()
