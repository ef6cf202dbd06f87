"""Tenant-aware task plumbing.

Every task runs in a tenant schema. tenant-schemas-celery switches the connection to the
schema named in the message's ``_schema_name`` header before the task runs; if the header is
missing (or names an unknown schema, which it only logs), the task would silently run in the
public schema. ``TenantRequiredTask`` refuses that instead.
"""

import uuid

from celery.utils.log import get_task_logger
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

logger = get_task_logger(__name__)


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


def enqueue_on_commit(task, *args, queue: str | None = None, **kwargs) -> str:
    """Queue ``task`` with the current tenant once the surrounding transaction commits.

    The schema is captured now, not when the callback fires, so a later schema switch on the
    same connection cannot send the task to another tenant. Outside a transaction the task is
    sent at once. Returns the task id (the task is not sent yet if a transaction is open).
    """
    schema_name = connection.schema_name
    if schema_name == get_public_schema_name() and not task.runs_in_public_schema:
        raise TenantMissingError(f"Cannot queue {task.name} from the public schema.")
    task_id = str(uuid.uuid4())
    options = {"headers": {"_schema_name": schema_name}, "task_id": task_id}
    if queue:
        options["queue"] = queue
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs, **options))
    return task_id
