"""Celery tasks of the analytics app. Thin: they call a service and log one line."""

from celery import shared_task
from django.db import connection

from analytics.digest import DigestWeek, digests_send_due
from analytics.rollups import rollups_refresh
from leadcrm.tasking import logger, tenant_lock

#: Longer than a run ever takes, shorter than the hour between two runs (beat: hourly).
DIGEST_LOCK_SECONDS = 50 * 60


# No retry: the job runs every hour and sends on Monday from 07:00 local, so the next run is
# the retry; whoever already had the digest is skipped (DigestSent), so reruns are safe.
@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def digest_weekly_send(week: str = "") -> dict:
    """Periodic, per tenant (beat, hourly): send the weekly digest when it is due in the
    tenant's time zone (Monday from 07:00, last week's). With ``week`` ("2024-W49"), send that
    week's digest now, whatever the day (to make up a missed week by hand). At most one
    digest per person and week; one run per tenant at a time."""
    with tenant_lock("digest_weekly_send", seconds=DIGEST_LOCK_SECONDS) as taken:
        if not taken:
            logger.info("digest skipped=locked tenant=%s", connection.schema_name)
            return {}
        summary = digests_send_due(week=DigestWeek.from_key(week) if week else None)
    logger.info(
        "digest week=%s sent=%d skipped=%d failed=%d tenant=%s",
        summary.week or "-",
        summary.sent,
        summary.skipped,
        summary.failed,
        connection.schema_name,
    )
    return vars(summary)


#: A rebuild takes seconds (12 s for a million leads, bench/results/analytics_dashboard.md).
ROLLUP_LOCK_SECONDS = 30 * 60


@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def rollups_rebuild(force: bool = False) -> dict:
    """Periodic, per tenant (beat, hourly): rebuild the dashboard's rollups of a big
    workspace (analytics.rollups); a small one has none and reads live. One transaction, so
    a killed or retried run leaves the previous figures in place; one run per tenant at a
    time. The next hour's run is the retry."""
    with tenant_lock("analytics_rollups_rebuild", seconds=ROLLUP_LOCK_SECONDS) as taken:
        if not taken:
            logger.info("rollups skipped=locked tenant=%s", connection.schema_name)
            return {}
        state = rollups_refresh(force=force)
    if state is None:
        logger.info("rollups none=small tenant=%s", connection.schema_name)
        return {"leads": None}
    logger.info(
        "rollups leads=%d seconds=%.1f tenant=%s",
        state.leads,
        state.seconds,
        connection.schema_name,
    )
    return {"leads": state.leads, "seconds": round(state.seconds, 1)}
