"""What follows when leads change hands, whichever way they did: the one place of those rules.

Every path that gives leads an owner or takes it away writes the owner its own way (one row
under a lock, or one UPDATE for thousands) and then calls ``leads_owner_changed`` in the same
transaction: ``lead_assign`` (the lead page, the bulk bar, pool claims, allocations, returns,
withdrawals, reclaims and handoffs), ``lead_create`` and the bulk create of imports when they
give an owner, pools' routing, and the handover of a deactivated user's leads.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from leadcrm.accounts.models import User
from leads.hooks import after_owner_change_hooks
from leads.models import Lead, LeadSettings, Task
from leads.services.followups import sop_followups_create_for_owners


def leads_owner_changed(
    *, lead_ids: Iterable[int], owner: User | None, actor: User | None, via: str
) -> None:
    """Apply what a change of owner means to ``lead_ids``, which now belong to ``owner``
    (None: their owner was cleared). ``via`` names the path (leads.hooks). Call it inside the
    transaction that wrote the owners, after writing them. Set-based: the same few queries for
    one lead or ten thousand.

    1. Open tasks held by someone who owned the lead before (its history says who) follow the
       tenant's choice (``LeadSettings.open_tasks_on_reassign``): they move to the new owner, or
       they are cancelled. While a lead has no owner they stay with whoever holds them, and
       move on once it gets one; under "cancel" they are cancelled at once. Tasks of people who
       never owned the lead (a manager's own reminder, a colleague's step) stay theirs.
    2. The SOP tasks of each lead's current stage are created for its owner if not there yet
       (open leads with an active owner only). The ``task_sop_once`` constraint makes a retried
       job, or two paths at once, create each of them once.
    3. The after-owner-change hooks run with the same arguments (pools: a lead whose owner was
       cleared outside a pool is routed by the assignment rules, after commit).
    """
    ids = sorted(set(lead_ids))
    if not ids:
        return
    _open_tasks_follow(ids, owner)
    if owner is not None:
        sop_followups_create_for_owners(lead_ids=ids, actor=actor)
    for hook in after_owner_change_hooks():
        hook(ids, owner, actor, via)


def _open_tasks_follow(ids: list[int], owner: User | None) -> int:
    """Step 1 of ``leads_owner_changed``; returns how many tasks moved or were cancelled."""
    cancel = LeadSettings.load().open_tasks_on_reassign == LeadSettings.OpenTasks.CANCEL
    if owner is None and not cancel:
        return 0
    owned_before = Lead.history.model.objects.filter(
        id=OuterRef("lead_id"), owner_id=OuterRef("assignee_id")
    )
    held = Task.objects.filter(lead_id__in=ids, status=Task.Status.OPEN).filter(
        Exists(owned_before)
    )
    if owner is not None:
        held = held.exclude(assignee=owner)
    if cancel:
        return held.update(status=Task.Status.CANCELLED, completed_at=None)
    return held.update(assignee=owner)
