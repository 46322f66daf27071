"""Gaps in care: the scan that finds them and opens tasks for them."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from continuum.audit.services import SYSTEM_ACTOR, audit_change
from continuum.care.models import Task, TaskKind, TaskStatus
from continuum.care.services import task_set_status
from continuum.people.models import Client

from ..models import (
    GapRule,
)
from ._shared import _audit, _task_for, plan_owner

# The 7- and 30-day follow-up after discharge are deadlines; every other gap is follow-up.
GAP_TASK_KIND = {
    GapRule.FOLLOW_UP_7: TaskKind.DEADLINE,
    GapRule.FOLLOW_UP_30: TaskKind.DEADLINE,
}


def _gap_task_text(client: Client, findings: list) -> tuple[str, str]:
    # A task is a saved sentence read by staff, in English like every staff page, not in
    # the language of the request that happened to run the scan (a provider added by a
    # case manager working in Spanish).
    with translation.override("en"):
        return _gap_task_sentences(client, findings)


def _gap_task_sentences(client: Client, findings: list) -> tuple[str, str]:
    from ..models import GapRule

    if len(findings) == 1:
        title = f"Gap in care: {GapRule(findings[0].rule).label} ({client.display_name})"
    else:
        title = f"{len(findings)} gaps in care for {client.display_name}"
    lines = [f"- {GapRule(f.rule).label}: {f.detail}" for f in findings]
    detail = (
        "Found by the gap scan:\n"
        + "\n".join(lines)
        + "\nThe client's case page lists the gaps open now; each closes by itself when fixed."
    )
    return title[:200], detail


@transaction.atomic
def gaps_scan(
    *, organization, today: date | None = None, client: Client | None = None
) -> dict[str, int]:
    """Find every gap in care in the organization (with `client`, that client's only).
    Idempotent: a gap still open is found again, not added again; a gap no longer found
    is resolved. A client's gaps share one task: the new gaps of a scan join the client's
    open gap task, else open one task for all of them; the task closes with the last of
    its gaps."""
    from ..models import Gap
    from ..selectors import detect_gaps

    today = today or timezone.localdate()
    found = detect_gaps(organization=organization, today=today, client=client)
    open_gaps = {
        (g.rule, g.subject_key): g
        for g in Gap.objects.filter(
            organization=organization,
            resolved_at__isnull=True,
            **({"client": client} if client is not None else {}),
        )
        .select_related("task", "client")
        .select_for_update(of=("self",))
    }
    now = timezone.now()
    resolved = 0
    still_open_tasks: dict[int, Task] = {}  # client id -> an open task of a gap still open
    for key, gap in open_gaps.items():
        if key in found:
            if gap.task is not None and gap.task.status == TaskStatus.OPEN:
                still_open_tasks.setdefault(gap.client_id, gap.task)
            continue
        gap.resolved_at = now
        gap.save(update_fields=["resolved_at"])
        audit_change(
            SYSTEM_ACTOR,
            organization,
            "gap.resolved",
            gap,
            gap.client.public_id,
            detail={"rule": gap.rule},
        )
        resolved += 1
    # A task closes once none of its gaps is open any more.
    kept = {g.task_id for k, g in open_gaps.items() if k in found}
    for gap in open_gaps.values():
        task = gap.task
        closable = gap.resolved_at is not None and task is not None and task.pk not in kept
        if closable and task.status == TaskStatus.OPEN:
            task_set_status(actor=None, task=task, status=TaskStatus.DONE)

    new_by_client: dict[int, list] = {}
    for key, finding in found.items():
        if key not in open_gaps:
            new_by_client.setdefault(finding.client.pk, []).append(finding)
    created = 0
    for client_pk, findings in new_by_client.items():
        gap_client = findings[0].client
        plan = next((f.plan for f in findings if f.plan is not None), None)
        owner = plan_owner(client=gap_client, plan=plan)
        gaps = []
        for f in findings:
            # A write's re-check of this client and the hourly scan may find the same
            # gap at once: the one that records it second leaves it to the first, rather
            # than failing the write the case manager just made.
            try:
                with transaction.atomic():
                    gaps.append(
                        Gap.objects.create(
                            organization=organization,
                            client=gap_client,
                            rule=f.rule,
                            subject_key=f.subject_key,
                            detail=f.detail[:300],
                            owner=owner,
                        )
                    )
            except IntegrityError:
                continue
        if not gaps:
            continue
        recorded = {(g.rule, g.subject_key) for g in gaps}
        findings = [f for f in findings if (f.rule, f.subject_key) in recorded]
        task = still_open_tasks.get(client_pk)
        if task is None:
            title, detail = _gap_task_text(gap_client, findings)
            task = _task_for(
                client=gap_client,
                owner=owner,
                title=title,
                detail=detail,
                due_at=now + timedelta(days=1),
                # A 7- or 30-day follow-up among them makes the client's task a deadline.
                kind=TaskKind.DEADLINE
                if any(f.rule in GAP_TASK_KIND for f in findings)
                else TaskKind.FOLLOW_UP,
                source=f"casemanagement.gap.{findings[0].rule}"
                if len(findings) == 1
                else "casemanagement.gaps",
                dedup_key=f"cm-gap:{gaps[0].public_id}",
            )
        for gap in gaps:
            gap.task = task
            gap.save(update_fields=["task"])
            audit_change(
                SYSTEM_ACTOR,
                organization,
                "gap.detected",
                gap,
                gap_client.public_id,
                detail={"rule": gap.rule},
            )
            created += 1
    return {"found": len(found), "created": created, "resolved": resolved}


@transaction.atomic
def gaps_recheck(*, actor, client: Client) -> dict[str, int]:
    """A staff member asks for the client's gaps to be checked now, not at the next
    scan."""
    counts = gaps_scan(organization=client.organization, client=client)
    _audit(actor, "gaps.rechecked", client, client, **counts)
    return counts


def _gaps_refresh(client: Client) -> None:
    """After a write that may close a gap (a visit, a provider, a refill, a contact, a
    review, a step done): the client's gaps are re-evaluated in the same transaction, so
    the page the writer returns to is already right."""
    gaps_scan(organization=client.organization, client=client)
