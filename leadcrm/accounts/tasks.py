from celery import shared_task
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from leadcrm.tasking import logger


@shared_task
def sessions_clear_expired() -> int:
    """Periodic, per tenant: drop expired sessions from this tenant's session table."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("sessions_cleared=%d tenant=%s", deleted, connection.schema_name)
    return deleted


@shared_task
def tenant_probe() -> str:
    """Report the schema the worker ran this task in (health checks and the isolation tests)."""
    return connection.schema_name
