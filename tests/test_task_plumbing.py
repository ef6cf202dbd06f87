"""Queues are declared in settings (CELERY_TASK_ROUTES), locks are per tenant, identifiers
from outside are parsed in one tolerant place."""

import uuid

import pytest
from django_tenants.utils import tenant_context

from leadcrm.celery import app
from leadcrm.parsing import uuid_or_none, uuids_parse
from leadcrm.tasking import tenant_lock


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("leads.tasks.importing.import_leads", "import"),
        ("leads.tasks.importing.import_void_leads", "import"),
        ("leads.tasks.importing.import_run_task", "import"),  # messages queued before 0014
        ("leads.tasks.importing.import_void_task", "import"),
        ("leads.tasks.dedup.dedup_scan_run", "dedup"),
        ("pools.tasks.route_leads", "routing"),
        ("pools.tasks.pools_reclaim", "default"),
        ("pools.tasks.pools_low_score_handoff", "default"),
        ("leads.tasks.followups.followup_reminders_send", "default"),
        ("leads.tasks.exports.export_leads", "default"),
        ("analytics.tasks.digest_weekly_send", "default"),
        ("analytics.tasks.rollups_rebuild", "default"),
    ],
)
def test_every_task_is_routed_to_its_declared_queue(task_name, queue):
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert task_name in app.tasks, f"{task_name} is not registered"
    route = app.amqp.router.route({}, task_name)
    assert route["queue"].name == queue


def test_every_queue_a_route_names_is_consumed_by_the_worker():
    from django.conf import settings

    for route in settings.CELERY_TASK_ROUTES.values():
        assert route["queue"] in settings.CELERY_TASK_QUEUES_NAMES


def test_a_tenant_lock_is_taken_once_per_tenant_and_released(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        with tenant_lock("probe", seconds=30) as first:
            with tenant_lock("probe", seconds=30) as second:
                assert (first, second) == (True, False)
            with tenant_context(cast_b.tenant), tenant_lock("probe", seconds=30) as other_tenant:
                assert other_tenant is True
        with tenant_lock("probe", seconds=30) as again:
            assert again is True


def test_a_lock_held_by_someone_else_is_not_released_by_the_loser(cast_a):
    with tenant_context(cast_a.tenant), tenant_lock("probe-2", seconds=30) as holder:
        with tenant_lock("probe-2", seconds=30) as loser:
            assert loser is False
        with tenant_lock("probe-2", seconds=30) as still_held:
            assert holder is True
            assert still_held is False


def test_uuids_from_outside_are_parsed_without_errors():
    good = uuid.uuid4()
    assert uuid_or_none(str(good)) == good
    assert uuid_or_none(good) == good
    for bad in (None, "", "nope", "\x00", 12, ["x"], "0" * 5000):
        assert uuid_or_none(bad) is None
    assert uuids_parse([str(good), "bad", str(good).upper(), None]) == ([good], 2)


def test_every_task_a_service_queues_by_name_exists():
    """Services name their tasks instead of importing them (no service <-> task cycle); a
    renamed task must not leave a name that nothing answers to."""
    from leads import exports
    from leads.importing import services as importing
    from leads.services import dedup_scan

    app.loader.import_default_modules()
    for name in (importing.RUN_TASK, importing.VOID_TASK, exports.TASK, dedup_scan.TASK):
        assert name in app.tasks, f"{name} is not registered"
