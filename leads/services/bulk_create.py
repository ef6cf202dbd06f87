"""Creating many leads at once (imports): the steps of ``lead_create`` done in bulk.

Fields are cleaned by the caller with ``leads.services._clean`` (one row's bad value must not
stop the others). Here: keys for duplicate checks, status and first stage, one insert per
batch, the history rows, the stage-change rows, SOP tasks when the leads have an owner, and the
after-create hooks (routing) once per batch after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from leadcrm.accounts.models import User
from leads.dedup.keys import lead_keys_fill
from leads.hooks import after_create_bulk_hooks, after_create_hooks
from leads.models import Lead, LeadStageChange, LeadStatus, SopTemplate, Stage


def leads_create_bulk(
    rows: list[dict],
    *,
    actor: User | None,
    owner: User | None = None,
    reason: str = "imported",
    hooks: bool = True,
) -> list[Lead]:
    """Create a lead per cleaned row; returns them with their ids. Call inside a transaction
    (the import's batch transaction). ``hooks=False`` skips routing (the import's "do not run
    the assignment rules")."""
    if not rows:
        return []
    now = timezone.now()
    stage = Stage.objects.filter(is_active=True).order_by("position").first()
    leads = []
    for data in rows:
        lead = Lead(**data, created_by=actor, owner=owner)
        lead.status = LeadStatus.PENDING if owner else LeadStatus.UNASSIGNED
        lead.assigned_at = now if owner else None
        lead.status_changed_at = now
        lead.stage = stage
        lead.stage_changed_at = now if stage else None
        lead.created_at = lead.updated_at = now
        lead_keys_fill(lead)
        leads.append(lead)
    Lead.objects.bulk_create(leads, batch_size=1000)
    Lead.history.bulk_history_create(
        leads, batch_size=1000, default_user=actor, default_change_reason=reason, default_date=now
    )
    if stage:
        LeadStageChange.objects.bulk_create(
            [
                LeadStageChange(lead=lead, to_stage=stage, changed_by=actor, changed_at=now)
                for lead in leads
            ],
            batch_size=1000,
        )
        if owner and SopTemplate.objects.filter(stage=stage, is_active=True).exists():
            from leads.services.tasks import sop_tasks_create

            for lead in leads:
                sop_tasks_create(lead=lead, stage=stage, actor=actor)
    ids = [lead.pk for lead in leads]
    if not hooks:
        return leads
    bulk_hooks = after_create_bulk_hooks()
    if bulk_hooks:
        for hook in bulk_hooks:
            transaction.on_commit(lambda hook=hook, ids=ids: hook(ids))
    else:
        for hook in after_create_hooks():
            for pk in ids:
                transaction.on_commit(lambda hook=hook, pk=pk: hook(pk))
    return leads
