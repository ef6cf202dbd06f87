"""Tenant-aware task plumbing.

Every task runs in a tenant schema. tenant-schemas-celery switches the connection to the
schema named in the message's ``_schema_name`` header before the task runs; if the header is
missing (or names an unknown schema, which it only logs), the task would silently run in the
public schema. ``TenantRequiredTask`` refuses that instead.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from celery.utils.log import get_task_logger
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

logger = get_task_logger(__name__)


#: Errors worth retrying a safe-to-rerun task for (the database or the broker blinked); a
#: task names them in ``autoretry_for`` with a backoff. Anything else fails the task at once.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class TenantMissingError(RuntimeError):
    """A tenant task was received without a (valid) tenant."""


class TenantRequiredTask(TenantTask):
    abstract = True
    #: Set True only on tasks that deliberately work across tenants from the public schema.
    runs_in_public_schema = False

    def __call__(self, *args, **kwargs):
        if not self.runs_in_public_schema and connection.schema_name == get_public_schema_name():
            raise TenantMissingError(
                f"Task {self.name} was sent without a tenant; refusing to run in the public schema."
            )
        return super().__call__(*args, **kwargs)


@contextmanager
def tenant_lock(name: str, *, seconds: int) -> Iterator[bool]:
    """Hold the lock ``name`` for the current tenant while the block runs; yields whether it
    was taken (False: another run holds it, so do nothing).

    The lock lives in the cache, whose keys carry the schema, so it is per tenant. ``seconds``
    is longer than a run ever takes and shorter than the gap a stuck lock (a killed worker)
    should block the job for. Only the holder releases it."""
    key = f"lock:{name}"
    taken = cache.add(key, 1, timeout=seconds)
    try:
        yield taken
    finally:
        if taken:
            cache.delete(key)


def enqueue_on_commit(task, *args, queue: str | None = None, **kwargs) -> str:
    """Queue ``task`` with the current tenant once the surrounding transaction commits.

    ``task`` is a task or the name of one: by name, the caller does not import the task's
    module (a service that queues its own task stays below it); Celery routes a name as it
    routes the task, and a named task is always a tenant task.

    The schema is captured now, not when the callback fires, so a later schema switch on the
    same connection cannot send the task to another tenant. Outside a transaction the task is
    sent at once. Returns the task id (the task is not sent yet if a transaction is open).
    """
    schema_name = connection.schema_name
    name = task if isinstance(task, str) else task.name
    in_public = False if isinstance(task, str) else task.runs_in_public_schema
    if schema_name == get_public_schema_name() and not in_public:
        raise TenantMissingError(f"Cannot queue {name} from the public schema.")
    task_id = str(uuid.uuid4())
    options = {"headers": {"_schema_name": schema_name}, "task_id": task_id}
    if queue:
        options["queue"] = queue
    if isinstance(task, str):
        from celery import current_app

        send = lambda: current_app.send_task(name, args=args, kwargs=kwargs, **options)  # noqa: E731
    else:
        send = lambda: task.apply_async(args=args, kwargs=kwargs, **options)  # noqa: E731
    transaction.on_commit(send)
    return task_id
