import pytest
from celery import Task, shared_task
from django_scopes import get_scope

from continuum.tenancy.tasks import TenantTask, beat_fan_out


@shared_task(base=TenantTask, name="tests.tenancy.where_am_i")
def where_am_i(*, organization, note: str) -> dict:
    return {
        "slug": organization.slug,
        "scope": get_scope().get("organization"),
        "note": note,
    }


where_am_i_everywhere = beat_fan_out(
    where_am_i, name="tests.tenancy.where_am_i_everywhere", reason="test of the fan-out"
)


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(
        Task, "apply_async", lambda self, args=None, kwargs=None, **o: messages.append(kwargs)
    )
    return messages


def test_the_body_gets_the_organization_inside_its_scope(org):
    result = where_am_i.apply(kwargs={"organization_id": org.pk, "note": "hi"}).get()
    assert result == {"slug": "harbor", "scope": org.pk, "note": "hi"}


def test_a_task_without_an_organization_is_refused(org):
    with pytest.raises(TypeError, match="organization_id"):
        where_am_i(note="hi")


def test_a_task_sent_inside_a_transaction_leaves_only_when_it_commits(
    org, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        where_am_i.delay(organization_id=org.pk, note="after commit")
        assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [{"organization_id": org.pk, "note": "after commit"}]


def test_the_fan_out_sends_one_task_per_active_organization(org, other_org, monkeypatch):
    other_org.is_active = False
    other_org.save()
    started = []
    monkeypatch.setattr(where_am_i, "delay", lambda **kw: started.append(kw))
    assert where_am_i_everywhere() == 1
    assert started == [{"organization_id": org.pk}]


@shared_task(base=TenantTask, bind=True, max_retries=2, name="tests.tenancy.retried")
def retried(self, *, organization, calls: list) -> str:
    calls.append(organization.slug)
    if len(calls) < 3:
        raise self.retry(countdown=0)
    return "done"


def test_a_retry_is_sent_with_the_organization_id_again(org):
    calls = []
    assert retried.apply(kwargs={"organization_id": org.pk, "calls": calls}).get() == "done"
    assert calls == ["harbor", "harbor", "harbor"]
