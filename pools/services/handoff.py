"""The low-score handoff: leads whose score stays low leave their owner for a nurture pool.

A tenant admin switches it on under Assignment rules (``RoutingSettings``): an open lead whose
score is below X, assigned (else created) at least N days ago, is handed to the first active
assignment rule with the "low_score" trigger whose conditions hold. That rule's target is a pool
(the nurture pool); it may also set the lead's status to Nurture. A lead no such rule takes is
left alone: unlike new leads, it never falls through to the fallback pool.

``low_score_handoff_due`` is what the daily job runs. Guarantees:

1. the due leads are locked in batches with SKIP LOCKED and checked again under the lock, so
   two runs at once never hand off the same lead (the second skips or no longer finds it);
2. idempotent: a lead handed off since its last assignment is not due again (its pool event
   "handoff" says so), nor is an unowned lead already waiting in a handoff pool;
3. the lead leaves its owner as in a withdrawal (``lead_assign`` with no owner, history kept)
   and enters the pool; the pool event keeps the reason as values (score, threshold, days),
   rendered in the reader's language; the former owner is told once per batch, in their
   language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.models import Lead, LeadStatus
from leads.selectors import leads_visible_to
from leads.services.lead import lead_assign, lead_change_status
from pools.conditions import conditions_match
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent, RoutingSettings
from pools.services.events import pool_event_record
from pools.services.pool import pools_admin_require
from pools.services.routing import VIA_HANDOFF, rules_for

#: Leads locked and handed off per transaction, and at most per run (the rest: next run).
HANDOFF_BATCH = 200
HANDOFF_LIMIT = 5000
#: Statuses a lead may be handed off from. Qualified is left out: a person judged it ready,
#: and a qualified lead in a pool could be neither claimed nor allocated (pool_claim takes only
#: Unassigned and Nurture leads). Converted, lost, invalid and void leads are closed.
HANDOFF_STATUSES = (
    LeadStatus.UNASSIGNED,
    LeadStatus.PENDING,
    LeadStatus.FOLLOWING_UP,
    LeadStatus.NURTURE,
)
#: Bounds of the settings (the form says the same).
MAX_SCORE_BELOW = 100
MAX_DAYS = 3650


@dataclass
class HandoffSummary:
    handed_off: int = 0
    unmatched: int = 0  # due, but no active low-score rule took them
    left: int = 0  # due but over this run's cap


def handoff_rules() -> list[AssignmentRule]:
    """The active low-score rules that can take a lead (their target is an active pool)."""
    return [
        rule
        for rule in rules_for(AssignmentRule.Trigger.LOW_SCORE)
        if rule.target_type == AssignmentRule.Target.POOL
        and rule.target_pool is not None
        and rule.target_pool.is_active
    ]


def low_score_due(
    *, settings: RoutingSettings | None = None, now=None, rules=None
) -> QuerySet[Lead]:
    """The leads the handoff would take now (before the rules' own conditions): the one
    selection the job, its re-check under the lock and the settings page's count share.

    Open (see HANDOFF_STATUSES), not merged, owned or in a pool, scored below the threshold
    (an unscored lead is never handed off), assigned (else created) at least N days ago, not
    handed off since, and not already waiting unowned in a handoff pool."""
    settings = settings or RoutingSettings.load()
    now = now or timezone.now()
    rules = handoff_rules() if rules is None else rules
    since = Coalesce("assigned_at", "created_at")
    handed_off = PoolEvent.objects.filter(
        lead=OuterRef("pk"),
        action=PoolEvent.Action.HANDOFF,
        at__gte=Coalesce(OuterRef("assigned_at"), OuterRef("created_at")),
    )
    parked = PoolEntry.objects.filter(
        lead=OuterRef("pk"), pool_id__in={rule.target_pool_id for rule in rules}
    )
    in_pool = PoolEntry.objects.filter(lead=OuterRef("pk"))
    return (
        Lead.objects.filter(
            merged_into__isnull=True,
            status__in=HANDOFF_STATUSES,
            score__isnull=False,
            score__lt=settings.low_score_below,
        )
        .alias(since=since)
        .filter(since__lte=now - timedelta(days=settings.low_score_days))
        .filter(Q(owner__isnull=False) | Exists(in_pool))
        .exclude(Exists(handed_off))
        .exclude(Q(owner__isnull=True) & Exists(parked))
    )


def low_score_handoff_due(
    *, now=None, limit: int = HANDOFF_LIMIT, batch_size: int = HANDOFF_BATCH
) -> HandoffSummary:
    """Hand off the due leads (see the module docstring); nothing when the setting is off."""
    now = now or timezone.now()
    summary = HandoffSummary()
    settings = RoutingSettings.load()
    if not settings.low_score_enabled:
        return summary
    rules = handoff_rules()
    if not rules:
        return summary
    last_pk = 0
    while True:
        budget = limit - summary.handed_off
        due = low_score_due(settings=settings, now=now, rules=rules).filter(pk__gt=last_pk)
        if budget <= 0:
            summary.left = due.count()
            return summary
        with transaction.atomic():
            locked = list(
                due.select_for_update(of=("self",), skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[: min(batch_size, budget)]
            )
            if not locked:
                return summary
            last_pk = locked[-1]
            # Checked again by a new statement, which sees what another run committed between
            # this run's selection and its lock.
            leads = list(
                low_score_due(settings=settings, now=now, rules=rules)
                .filter(pk__in=locked)
                .select_related("owner", "source")
                .order_by("pk")
            )
            handed: list[tuple[Lead, User, Pool]] = []
            for lead in leads:
                rule = next((r for r in rules if conditions_match(r.conditions, lead)), None)
                if rule is None:
                    summary.unmatched += 1
                    continue
                former = _hand_off(lead, rule, settings=settings, now=now)
                summary.handed_off += 1
                if former is not None:
                    handed.append((lead, former, rule.target_pool))
            _notify_former_owners(handed, settings=settings, now=now)


def _hand_off(lead: Lead, rule: AssignmentRule, *, settings: RoutingSettings, now) -> User | None:
    """Move one locked lead into the rule's pool; returns the owner it left (if any)."""
    pool = rule.target_pool
    former = lead.owner
    if former is not None:
        lead_assign(
            lead=lead,
            owner=None,
            actor=None,
            reason="low-score handoff",
            notify=False,
            via=VIA_HANDOFF,
        )
    PoolEntry.objects.update_or_create(
        lead=lead,
        defaults={"pool": pool, "entered_at": now, "claimed_at": None, "warned_at": None},
    )
    if rule.set_nurture:
        current = Lead.objects.values_list("status", flat=True).get(pk=lead.pk)
        if current != LeadStatus.NURTURE:
            lead_change_status(lead=lead, to_status=LeadStatus.NURTURE, actor=None)
    pool_event_record(
        lead,
        pool,
        PoolEvent.Action.HANDOFF,
        None,
        to_user=former,
        params={
            "score": lead.score,
            "below": settings.low_score_below,
            "days": settings.low_score_days,
            "rule": rule.name,
        },
        at=now,
    )
    return former


def _notify_former_owners(
    handed: list[tuple[Lead, User, Pool]], *, settings: RoutingSettings, now
) -> None:
    """One notification per former owner and batch (in the app and by email), stored as texts
    that read in the reader's language, as lead_assigned_notify does."""
    from leadcrm.notifications.models import Notification
    from leadcrm.notifications.services import notification_send
    from leadcrm.notifications.texts import text

    by_owner: dict[int, list[tuple[Lead, Pool]]] = defaultdict(list)
    owners: dict[int, User] = {}
    for lead, former, pool in handed:
        by_owner[former.pk].append((lead, pool))
        owners[former.pk] = former
    for owner_pk, items in by_owner.items():
        owner = owners[owner_pk]
        first, pool = items[0]
        if len(items) == 1:
            title = text("pools.handed_off_one", lead=str(first), pool=str(pool))
        else:
            title = text("pools.handed_off_many", count=len(items))
        body = text(
            "pools.handed_off_why", below=settings.low_score_below, days=settings.low_score_days
        )
        notification_send(
            recipient=owner,
            kind=Notification.Kind.LEAD_RECLAIMED,
            title=title,
            body=body,
            url=_link(owner, [lead for lead, _pool in items]),
            email=True,
            dedup_key=f"handoff:{owner.uuid}:{first.uuid}:{now:%Y%m%d%H%M%S%f}",
        )


def _link(owner: User, leads: list[Lead]) -> str:
    """The lead's page when the notice is about one lead the former owner may still open (as
    a member of the pool, or through the hierarchy); otherwise no link rather than a 404."""
    if len(leads) == 1 and leads_visible_to(owner).filter(pk=leads[0].pk).exists():
        return reverse("leads-detail", kwargs={"uuid": leads[0].uuid})
    return ""


def low_score_settings_save(
    *, actor: User, enabled: bool, score_below: int, days: int
) -> RoutingSettings:
    """Change the handoff settings (tenant admins). Raises PoolError naming the bad value."""
    pools_admin_require(actor)
    if not isinstance(score_below, int) or not 1 <= score_below <= MAX_SCORE_BELOW:
        raise PoolError(
            _("The score threshold is a whole number from 1 to %(max)d.") % {"max": MAX_SCORE_BELOW}
        )
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise PoolError(_("The days are a whole number from 1 to %(max)d.") % {"max": MAX_DAYS})
    with transaction.atomic():
        settings = RoutingSettings.load()
        settings.low_score_enabled = bool(enabled)
        settings.low_score_below = score_below
        settings.low_score_days = days
        settings.save()
    return settings
