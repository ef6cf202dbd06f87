"""Task reminders: due soon and overdue, once each, by the app and by email; the beat task."""

import logging
from datetime import timedelta

import pytest
from celery.result import AsyncResult
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.notifications.models import Notification
from leads.models import Lead, Task
from leads.services import lead as lead_services
from leads.services.followups import followup_complete, followup_create, followup_reminders_send
from leads.tasks.followups import followup_reminders_send as reminders_job
from tests.conftest import _load_cast


def _in(minutes: float):
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def lead(in_tenant_a):
    return lead_services.lead_create(actor=in_tenant_a.rep, owner=in_tenant_a.rep, name="Guo Jing")


def _task(lead, actor, title, minutes, assignee=None):
    return followup_create(
        lead=lead, actor=actor, title=title, due_at=_in(minutes), assignee=assignee
    )


def test_due_soon_and_overdue_are_told_apart(in_tenant_a, lead):
    cast = in_tenant_a
    soon = _task(lead, cast.rep, "Call in half an hour", 30)
    _task(lead, cast.rep, "Call in three hours", 180)
    late = _task(lead, cast.rep, "Call that was due an hour ago", -60)
    done = _task(lead, cast.rep, "Done but late", -120)
    followup_complete(task=done, actor=cast.rep)
    assert followup_reminders_send() == (1, 1)
    sent = {n.dedup_key: n for n in Notification.objects.filter(recipient=cast.rep)}
    assert set(sent) == {f"task_due:{soon.uuid}", f"task_overdue:{late.uuid}"}
    assert sent[f"task_due:{soon.uuid}"].kind == "task_due"
    assert sent[f"task_due:{soon.uuid}"].title == "Due soon: Call in half an hour"
    assert sent[f"task_overdue:{late.uuid}"].kind == "task_overdue"
    assert sent[f"task_overdue:{late.uuid}"].url == f"/leads/{lead.uuid}/"


def test_running_twice_notifies_and_emails_once(
    in_tenant_a, lead, django_capture_on_commit_callbacks
):
    cast = in_tenant_a
    _task(lead, cast.rep, "Call soon", 10)
    _task(lead, cast.rep, "Call late", -10)
    with django_capture_on_commit_callbacks(execute=True):
        first = followup_reminders_send()
    with django_capture_on_commit_callbacks(execute=True):
        second = followup_reminders_send()
    assert (first, second) == ((1, 1), (0, 0))
    assert Notification.objects.filter(recipient=cast.rep).count() == 2
    assert sorted(m.subject for m in mail.outbox) == ["Due soon: Call soon", "Overdue: Call late"]
    assert all(m.to == [cast.rep.email] for m in mail.outbox)
    # The link in the email is the tenant's own address (https outside DEBUG).
    assert f"https://alpha.localhost/leads/{lead.uuid}/" in mail.outbox[0].body


def test_a_task_due_soon_is_reminded_again_once_it_is_overdue(in_tenant_a, lead):
    task = _task(lead, in_tenant_a.rep, "Call", 30)
    assert followup_reminders_send() == (1, 0)
    assert followup_reminders_send(now=task.due_at + timedelta(minutes=1)) == (0, 1)
    assert followup_reminders_send(now=task.due_at + timedelta(minutes=6)) == (0, 0)


def test_inactive_assignees_and_closed_tasks_are_skipped(in_tenant_a, lead):
    cast = in_tenant_a
    _task(lead, cast.manager, "Teammate's call", -30, assignee=cast.teammate)
    cast.teammate.is_active = False
    cast.teammate.save()
    cancelled = _task(lead, cast.rep, "Cancelled call", -30)
    Task.objects.filter(pk=cancelled.pk).update(status="cancelled")
    assert followup_reminders_send() == (0, 0)
    assert not Notification.objects.exists()


def test_the_batch_is_capped_and_the_rest_waits_for_the_next_run(in_tenant_a, lead):
    for i in range(3):
        _task(lead, in_tenant_a.rep, f"Late {i}", -30 - i)
    _task(lead, in_tenant_a.rep, "Soon", 15)
    assert followup_reminders_send(limit=2) == (1, 1)
    assert followup_reminders_send(limit=2) == (0, 2)
    assert followup_reminders_send(limit=2) == (0, 0)


def test_the_job_takes_a_per_tenant_lock_and_logs_one_summary_line(in_tenant_a, lead, caplog):
    _task(lead, in_tenant_a.rep, "Late", -5)
    lock = "lock:followup_reminders_send"
    cache.add(lock, 1, timeout=60)
    try:
        with caplog.at_level(logging.INFO):
            assert reminders_job() == [0, 0]  # another run holds the lock
    finally:
        cache.delete(lock)
    assert "reminders skipped=locked tenant=alpha" in caplog.text
    with caplog.at_level(logging.INFO):
        assert reminders_job() == [0, 1]
    assert "reminders due_soon=0 overdue=1 tenant=alpha" in caplog.text
    assert cache.add(lock, 1, timeout=1)  # released after the run
    cache.delete(lock)


@pytest.mark.worker
def test_the_reminders_job_runs_through_the_worker_in_its_tenant(celery_worker, committed_db):
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        lead = lead_services.lead_create(
            actor=cast.rep, owner=cast.rep, name="Worker Reminder Lead"
        )
        soon = _task(lead, cast.rep, "Worker call soon", 20)
        late = _task(lead, cast.rep, "Worker call late", -20)
    try:
        with tenant_context(cast.tenant):
            result = reminders_job.delay()
        assert AsyncResult(result.id).get(timeout=30) == [1, 1]
        with tenant_context(cast.tenant):
            keys = set(
                Notification.objects.filter(recipient=cast.rep).values_list("dedup_key", flat=True)
            )
        assert keys == {f"task_due:{soon.uuid}", f"task_overdue:{late.uuid}"}
    finally:
        with tenant_context(cast.tenant):
            Notification.objects.filter(
                dedup_key__in=[f"task_due:{soon.uuid}", f"task_overdue:{late.uuid}"]
            ).delete()
            Task.objects.filter(lead=lead).delete()
            Lead.history.filter(id=lead.pk).delete()
            Lead.objects.filter(pk=lead.pk).delete()
