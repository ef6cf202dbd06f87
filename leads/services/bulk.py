"""Bulk actions of the Leads list: the same services as one lead at a time, lead by lead; and
the handover of a deactivated user's open leads, in batches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leadcrm.accounts.models import User
from leadcrm.parsing import uuids_parse
from leadcrm.tasking import enqueue_on_commit
from leads import selectors
from leads.errors import LeadError
from leads.hooks import VIA_BULK, VIA_DEACTIVATION
from leads.models import OPEN_STATUSES, Campaign, CampaignStatus, Lead, LeadStatus, LossReason
from leads.selectors import lead_can_write, leads_visible_to
from leads.services import lead as lead_services
from leads.services.ownership import leads_owner_changed

#: One request never touches more leads than this (a page holds 50).
MAX_BULK = 500
ACTIONS = ("assign", "unassign", "status", "tag", "campaign", "campaign_clear", "void")
#: Statuses a bulk "change status" may aim at (Void has its own action, Converted its service).
BULK_STATUSES = tuple(
    s for s in LeadStatus.values if s not in (LeadStatus.CONVERTED, LeadStatus.VOID)
)


@dataclass
class BulkRefusal:
    label: str
    reason: str


@dataclass
class BulkResult:
    done: int = 0
    refused: list[BulkRefusal] = field(default_factory=list)

    def refuse(self, label: str, reason: str) -> None:
        self.refused.append(BulkRefusal(label, reason))

    def summary(self) -> str:
        """The message for people: "12 leads updated, 2 refused: not yours (2)"."""
        text = ngettext("%(count)d lead updated", "%(count)d leads updated", self.done) % {
            "count": self.done
        }
        if not self.refused:
            return text + "."
        groups: dict[str, list[str]] = {}
        for refusal in self.refused:
            groups.setdefault(refusal.reason, []).append(refusal.label)
        parts = []
        for reason, labels in groups.items():
            named = [label for label in labels if label]
            shown = ", ".join(named[:3]) + (" …" if len(named) > 3 else "")
            parts.append(f"{reason} ({shown})" if shown else f"{reason} ({len(labels)})")
        return _("%(done)s, %(count)d refused: %(reasons)s") % {
            "done": text,
            "count": len(self.refused),
            "reasons": "; ".join(parts),
        }


def lead_bulk_action(
    *,
    actor: User,
    uuids: Iterable,
    action: str,
    owner: User | None = None,
    to_status: str = "",
    loss_reason: LossReason | None = None,
    tag: str = "",
    campaign: Campaign | None = None,
) -> BulkResult:
    """Apply one action to many leads through the single-lead lead_services.

    1. check the action and its parameters once (LeadError: nothing is touched)
    2. find the leads among those ``actor`` can see; every other identifier (unknown, of
       another tenant, not visible) is refused as "not yours", without saying which
    3. per lead, refuse it unless ``actor`` may write it (leads.selectors.lead_can_write)
    4. per lead, call the service in its own savepoint: a refusal (an illegal transition, a
       closed lead) is counted with its reason and does not undo the others

    Actions: ``assign`` (``owner``), ``unassign`` (clears the owner: the assignment rules then
    route the leads), ``status`` (``to_status``, ``loss_reason`` for Lost), ``tag`` (adds
    ``tag``), ``campaign`` (attaches ``campaign``, not a cancelled one; a lead without a source
    takes its source), ``campaign_clear``, ``void``. Each change goes through lead_update, so
    the lead's history records it. A bulk assignment notifies the new owner once, not once per
    lead, and what follows an owner change (leads.services.ownership) runs once for all the
    leads that changed hands.
    """
    if action not in ACTIONS:
        raise LeadError(_("Unknown bulk action."), field="action")
    if action == "assign":
        if owner is None:
            raise LeadError(_("Choose the new owner."), field="owner")
        if not selectors.owners_assignable_by(actor).filter(pk=owner.pk).exists():
            raise LeadError(_("You can assign leads only to yourself or your team."), field="owner")
    if action == "status":
        if to_status not in BULK_STATUSES:
            raise LeadError(_("Choose a status."), field="status")
        if to_status == LeadStatus.LOST and loss_reason is None:
            raise LeadError(_("Choose why the lead was lost."), field="loss_reason")
    if action == "campaign":
        if campaign is None:
            raise LeadError(_("Choose the campaign."), field="campaign")
        if campaign.status == CampaignStatus.CANCELLED:
            raise LeadError(
                _("The campaign %(campaign)s is cancelled.") % {"campaign": campaign},
                field="campaign",
            )
    tag = " ".join(tag.split())[:50]
    if action == "tag" and not tag:
        raise LeadError(_("Enter a tag."), field="tag")
    wanted, invalid = uuids_parse(uuids)
    if not wanted and not invalid:
        raise LeadError(_("Select at least one lead."), field="lead")
    if len(wanted) + invalid > MAX_BULK:
        raise LeadError(
            _("Select at most %(max)d leads at a time.") % {"max": MAX_BULK}, field="lead"
        )

    result = BulkResult()
    not_yours = _("not yours")
    found = list(leads_visible_to(actor).filter(uuid__in=wanted).order_by("pk"))
    for _missing in range(len(wanted) - len(found) + invalid):
        result.refuse("", not_yours)
    assigned: list[Lead] = []
    if action == "unassign":
        owner = None
    with transaction.atomic():
        for lead in found:
            if not lead_can_write(actor, lead):
                result.refuse(lead.name, not_yours)
                continue
            try:
                with transaction.atomic():
                    handed = _apply(
                        lead,
                        actor=actor,
                        action=action,
                        owner=owner,
                        to_status=to_status,
                        loss_reason=loss_reason,
                        tag=tag,
                        campaign=campaign,
                    )
            except LeadError as exc:
                result.refuse(lead.name, exc.message)
            else:
                result.done += 1
                if handed is not None:
                    assigned.append(handed)
        if assigned:
            leads_owner_changed(
                lead_ids=[lead.pk for lead in assigned], owner=owner, actor=actor, via=VIA_BULK
            )
        if assigned and owner is not None and owner.pk != actor.pk:
            lead_services.lead_assigned_notify(
                owner=owner, lead=assigned[0], count=len(assigned), actor=actor
            )
    return result


def _apply(
    lead: Lead, *, actor, action, owner, to_status, loss_reason, tag, campaign
) -> Lead | None:
    """Run one lead's service; the lead if it changed hands (for what follows, once)."""
    if action in ("assign", "unassign"):
        before = lead.owner_id
        after = lead_services.lead_assign(
            lead=lead, owner=owner, actor=actor, notify=False, via=VIA_BULK, batched=True
        )
        return after if before != after.owner_id else None
    if action == "status":
        lead_services.lead_change_status(
            lead=lead, to_status=to_status, actor=actor, loss_reason=loss_reason
        )
    elif action == "void":
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.VOID, actor=actor)
    elif action == "tag":
        # Lock first so the tags read here are the ones lead_update replaces.
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if tag not in locked.tags:
            lead_services.lead_update(lead=locked, actor=actor, tags=[*locked.tags, tag])
    elif action == "campaign":
        lead_services.lead_update(lead=lead, actor=actor, campaign=campaign)
    elif action == "campaign_clear":
        lead_services.lead_update(lead=lead, actor=actor, campaign=None)
    return None


#: Leads handed over per transaction when a user is deactivated.
HANDOVER_BATCH = 500


def leads_held_count(user: User) -> int:
    """How many open leads ``user`` owns (merged ones aside): what the user page asks about
    when a tenant admin deactivates them (leadcrm.accounts.hooks)."""
    return Lead.objects.filter(
        owner=user, status__in=OPEN_STATUSES, merged_into__isnull=True
    ).count()


def leads_hand_over_queue(*, user: User, to_user: User | None, actor: User | None) -> None:
    """Queue the handover of ``user``'s open leads (``leads_hand_over``) once the deactivating
    transaction commits, with the tenant (leadcrm.accounts.hooks' ``hand_over``)."""
    enqueue_on_commit(
        "leads.tasks.ownership.leads_hand_over_task",
        user.pk,
        to_user.pk if to_user is not None else None,
        actor.pk if actor is not None else None,
    )


def leads_hand_over(
    *, from_user: User, to_user: User | None, actor: User | None, batch_size: int = HANDOVER_BATCH
) -> int:
    """Hand the open leads of the deactivated ``from_user`` over: to ``to_user``, or (None) back
    to the assignment rules (their owner is cleared, and the routing hook routes them). Runs
    in a Celery task (leads.tasks.ownership); returns how many leads changed hands.

    1. nothing while ``from_user`` is active again (reactivated before the task ran: they
       keep their leads); LeadError for a ``to_user`` who is inactive or ``from_user``
    2. per batch of ``batch_size``, in its own transaction: lock the open leads that
       ``from_user`` still owns (merged ones aside; in id order, as every owner change
       locks), write the new owner in one UPDATE (Unassigned becomes Pending with an owner;
       Pending, Following up and Nurture become Unassigned without one, as ``lead_assign``
       does) and the history rows in one insert, then ``leads_owner_changed`` once
    3. ``to_user`` is told once, "<n> new leads for you"
    Idempotent: a retried task finds only the leads not handed over yet; leads that changed
    hands meanwhile are no longer ``from_user``'s and are left alone.
    """
    from_user.refresh_from_db(fields=["is_active"])
    if from_user.is_active:
        return 0
    if to_user is not None and (not to_user.is_active or to_user.pk == from_user.pk):
        raise LeadError(_("%(name)s is deactivated.") % {"name": to_user}, field="owner")
    handed: list[int] = []
    while True:
        with transaction.atomic():
            ids = list(
                Lead.objects.select_for_update()
                .filter(owner=from_user, status__in=OPEN_STATUSES, merged_into__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            _owners_write(ids, owner=to_user, actor=actor, reason="handed over: deactivated")
            leads_owner_changed(lead_ids=ids, owner=to_user, actor=actor, via=VIA_DEACTIVATION)
        handed += ids
    if handed and to_user is not None and to_user.pk != getattr(actor, "pk", None):
        first = Lead.objects.get(pk=handed[0])
        lead_services.lead_assigned_notify(
            owner=to_user, lead=first, count=len(handed), actor=actor
        )
    return len(handed)


def _owners_write(ids: list[int], *, owner: User | None, actor: User | None, reason: str) -> None:
    """Give the locked leads ``ids`` to ``owner`` (None: no owner) in one UPDATE, with the
    status rule of ``lead_assign``, and their history rows in one insert."""
    now = timezone.now()
    S = LeadStatus
    if owner is not None:
        moves, to_status = (S.UNASSIGNED,), S.PENDING
    else:
        moves, to_status = (S.PENDING, S.FOLLOWING_UP, S.NURTURE), S.UNASSIGNED
    Lead.objects.filter(pk__in=ids).update(
        owner=owner,
        assigned_at=now if owner is not None else None,
        status=Case(When(status__in=moves, then=Value(to_status)), default=F("status")),
        status_changed_at=Case(
            When(status__in=moves, then=Value(now)), default=F("status_changed_at")
        ),
        updated_at=now,
    )
    Lead.history.bulk_history_create(
        list(Lead.objects.filter(pk__in=ids)),
        batch_size=1000,
        update=True,
        default_user=actor,
        default_change_reason=reason,
        default_date=now,
    )
