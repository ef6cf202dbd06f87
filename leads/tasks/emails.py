"""Sending an e-mail written on a lead's page (queue "default"; see leads.services.emails)."""

from celery import shared_task
from django.db import connection

from leadcrm.tasking import TRANSIENT_ERRORS, logger
from leads.services import emails as email_services

#: A mail server that does not answer (or answers 4xx) is tried again after about 1, 2, 4, 8,
#: 16 and 32 minutes, then the e-mail is marked not sent.
SEND_RETRIES = 6
SEND_BACKOFF_SECONDS = 60


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=False,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=SEND_BACKOFF_SECONDS,
    retry_backoff_max=60 * 60,
    max_retries=SEND_RETRIES,
)
def email_send(self, message_id: int) -> str:
    """Send the queued e-mail ``message_id`` (safe to run twice: a sent one is not sent
    again). Returns its status."""
    try:
        message = email_services.email_deliver(message_id=message_id)
    except email_services.DeliveryFailed as failed:
        if not failed.temporary:
            logger.warning("email failed=%s tenant=%s", message_id, connection.schema_name)
            return "failed"
        if self.request.retries >= SEND_RETRIES:
            email_services.email_give_up(message_id=message_id, error=failed.message)
            logger.warning("email gave_up=%s tenant=%s", message_id, connection.schema_name)
            return "failed"
        countdown = min(SEND_BACKOFF_SECONDS * 2**self.request.retries, 60 * 60)
        raise self.retry(countdown=countdown) from failed
    status = message.status if message is not None else "gone"
    logger.info("email sent=%s status=%s tenant=%s", message_id, status, connection.schema_name)
    return status
