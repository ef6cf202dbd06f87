"""The handover of a deactivated user's open leads (queue "default")."""

from celery import shared_task
from django.db import connection

from leadcrm.accounts.models import User
from leadcrm.tasking import TRANSIENT_ERRORS, logger
from leads.services.bulk import leads_hand_over


@shared_task(
    acks_late=True,
    ignore_result=False,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def leads_hand_over_task(from_user_id: int, to_user_id: int | None, actor_id: int | None) -> int:
    """Hand the open leads of a deactivated user to ``to_user_id``, or (None) back to the
    assignment rules (leads.services.bulk.leads_hand_over). Safe to run twice: a rerun finds
    only the leads not handed over yet. Queued on commit by the user page's deactivation."""
    from_user = User.objects.get(pk=from_user_id)
    to_user = User.objects.get(pk=to_user_id) if to_user_id else None
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    handed = leads_hand_over(from_user=from_user, to_user=to_user, actor=actor)
    logger.info(
        "handed_over=%d from=%s to=%s tenant=%s",
        handed,
        from_user.pk,
        to_user.pk if to_user else "rules",
        connection.schema_name,
    )
    return handed
