"""Tasks go through a real worker process on the Redis broker and run in their tenant."""

import pytest
from celery.result import AsyncResult
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from leadcrm.accounts.tasks import tenant_probe
from leadcrm.tasking import TenantMissingError, enqueue_on_commit

pytestmark = pytest.mark.worker


def test_task_queued_in_tenant_a_runs_in_schema_a(celery_worker, cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        result_a = tenant_probe.delay()
    with tenant_context(cast_b.tenant):
        result_b = tenant_probe.delay()
    assert result_a.get(timeout=20) == "alpha"
    assert result_b.get(timeout=20) == "beta"


def test_task_sent_without_a_tenant_is_refused_by_the_worker(celery_worker, db):
    connection.set_schema_to_public()
    result = tenant_probe.delay()
    with pytest.raises(TenantMissingError, match="without a tenant"):
        result.get(timeout=20)


def test_task_naming_an_unknown_schema_is_refused(celery_worker, db):
    result = tenant_probe.apply_async(headers={"_schema_name": "no_such_tenant"})
    with pytest.raises(TenantMissingError):
        result.get(timeout=20)


def test_enqueue_on_commit_sends_only_after_commit_and_keeps_the_tenant(
    celery_worker, cast_a, django_capture_on_commit_callbacks
):
    with tenant_context(cast_a.tenant):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            task_id = enqueue_on_commit(tenant_probe)
        assert len(callbacks) == 1
        assert AsyncResult(task_id).state == "PENDING"  # not sent before the commit
    with schema_context("beta"):  # the connection has moved on by the time of the commit
        callbacks[0]()
    assert AsyncResult(task_id).get(timeout=20) == "alpha"


def test_enqueue_from_the_public_schema_is_refused(db):
    connection.set_schema_to_public()
    with pytest.raises(TenantMissingError):
        enqueue_on_commit(tenant_probe)
