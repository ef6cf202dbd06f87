"""The tenant's dormant-lead rules: a held lead nobody works goes back to a pool, whatever its
origin (assigned by a person, routed, imported, claimed from a pool without rules of its own).

A tenant admin or a pool admin sets them (``RoutingSettings``, Settings → Dormant leads): no
follow-up within X days of the assignment, none in the last Y days, not qualified within Z
days (pools.services.time_limits), and how many days before the holder is warned. A lead
claimed from an active pool that has reclaim rules of its own follows its pool's rules instead
(pool rules win for pool leads, pools.services.reclaim).

The reclaim job (``pools.tasks.pools_reclaim``: one run per tenant at a time, capped) calls
``dormant_warn`` and ``dormant_reclaim`` after the pools' own rules. Guarantees:

1. a lead is warned once per coming return: the warning marks it timed out
   (``Lead.timed_out_at``, by a conditional UPDATE), and the notice's key names the lead, its
   assignment and the day it goes back;
2. a due lead is locked and checked again before it goes back, so a lead worked meanwhile, or
   taken by a concurrent run, stays where it is; each return is its own transaction;
3. a returned lead leaves its holder as in a withdrawal (``lead_assign`` with no owner, the
   history says why) and enters the pool the first active "reclaimed" assignment rule with a
   pool target chooses for it, else the pool it came from, else the fallback pool; the pool
   event keeps the reason as a text (read in the reader's language); the former holder is
   told; a pool that routes returned leads again routes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.notifications.models import Notification
from leadcrm.notifications.texts import day, text, text_list
from leads.models import Lead
from pools.conditions import conditions_match
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent, RoutingSettings
from pools.services.events import pool_event_record, pool_notify
from pools.services.routing import fallback_pool, rules_for
from pools.services.take_back import lead_take_back
from pools.services.time_limits import POOLS_WITH_RULES, WORKED, TimeLimits, any_of

#: Bounds of the settings (the form says the same).
MAX_DAYS = 3650


def dormant_limits(settings: RoutingSettings | None = None) -> TimeLimits:
    """The tenant's limits (none while the rules are off)."""
    return TimeLimits.of_tenant(settings or RoutingSettings.load())


def follows_pool_rules(entry: PoolEntry | None) -> bool:
    """Whether a held lead with ``entry`` follows its pool's rules (claimed from an active pool
    with reclaim rules) rather than the tenant's."""
    return (
        entry is not None
        and entry.claimed_at is not None
        and entry.pool.is_active
        and TimeLimits.of_pool(entry.pool).any
    )


def dormant_held() -> QuerySet[Lead]:
    """The leads the tenant's rules apply to: held, being worked, not merged, and not claimed
    from a pool with rules of its own; ``held_since`` is their start (assignment, else
    creation)."""
    pool_governed = PoolEntry.objects.filter(
        lead=OuterRef("pk"),
        claimed_at__isnull=False,
        pool__in=Pool.objects.filter(POOLS_WITH_RULES),
    )
    return (
        Lead.objects.filter(owner__isnull=False, merged_into__isnull=True, status__in=WORKED)
        .exclude(Exists(pool_governed))
        .alias(held_since=Coalesce("assigned_at", "created_at"))
    )


def dormant_conditions(limits: TimeLimits, at) -> list:
    return limits.conditions(
        at, start="held_since", last_activity="last_activity_at", status="status"
    )


def dormant_due(*, limits: TimeLimits | None = None, now=None) -> QuerySet[Lead]:
    """The leads the tenant's rules return now (the job, its re-check and the settings page's
    count share it); none while the rules are off."""
    limits = limits or dormant_limits()
    return dormant_held().filter(any_of(dormant_conditions(limits, now or timezone.now())))


def dormant_soon(*, limits: TimeLimits, now) -> QuerySet[Lead]:
    """The leads due within the warning days but not yet: the ones to warn."""
    if not limits.warning_days:
        return Lead.objects.none()
    ahead = dormant_conditions(limits, now + timezone.timedelta(days=limits.warning_days))
    return dormant_held().filter(any_of(ahead)).exclude(any_of(dormant_conditions(limits, now)))


def dormant_moment(lead: Lead, limits: TimeLimits):
    """When the tenant's rules return ``lead`` if nothing changes (None: never)."""
    return limits.moment(
        start=lead.assigned_at or lead.created_at,
        last_activity=lead.last_activity_at,
        status=lead.status,
    )


#: "Look the lead's PoolEntry up" (a caller that knows it passes it, or None for none).
LOOK_UP = object()


def dormant_destination(lead: Lead, entry=LOOK_UP) -> Pool:
    """The pool a returned ``lead`` goes to: the first active "reclaimed" assignment rule with
    an active pool as its target whose conditions hold, else the active pool it is in, else
    the fallback pool. (A "reclaimed" rule that gives leads to a person or a team is for
    routing after the return: a pool that routes returned leads again applies it.)"""
    for rule in rules_for(AssignmentRule.Trigger.RECLAIMED):
        if (
            rule.target_type == AssignmentRule.Target.POOL
            and rule.target_pool is not None
            and rule.target_pool.is_active
            and conditions_match(rule.conditions, lead)
        ):
            return rule.target_pool
    if entry is LOOK_UP:
        entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
    if entry is not None and entry.pool.is_active:
        return entry.pool
    return fallback_pool()


def _warning_key(lead: Lead, start, when) -> str:
    return f"reclaim-warning:{lead.uuid}:{start:%Y%m%d%H%M%S%f}:{when:%Y%m%d%H%M}"


def lead_timed_out_mark(
    lead: Lead, *, pool: Pool, start, when, now, entry: PoolEntry | None = None, reason=None
) -> bool:
    """Mark the held ``lead`` timed out and warn its holder that it goes back to ``pool`` on
    ``when`` (once: a lead already marked is left alone). Returns whether a new warning was
    sent; marking a lead again after its holder touched it (a limit still broken, e.g. not
    qualified) sends no second notice for the same day."""
    with transaction.atomic():
        if not Lead.objects.filter(pk=lead.pk, timed_out_at__isnull=True).update(timed_out_at=now):
            return False
        if entry is not None:
            PoolEntry.objects.filter(pk=entry.pk).update(warned_at=now)
        key = _warning_key(lead, start, when)
        if Notification.objects.filter(recipient=lead.owner, dedup_key=key).exists():
            return False
        pool_event_record(
            lead,
            pool,
            PoolEvent.Action.WARN,
            None,
            to_user=lead.owner,
            params={"text": reason} if reason else None,
            at=now,
        )
        pool_notify(
            lead.owner,
            Notification.Kind.RECLAIM_WARNING,
            text(
                "pools.reclaim_soon",
                lead=str(lead),
                pool=str(pool),
                date=day(timezone.localtime(when).date()),
            ),
            lead,
            body=text("pools.reclaim_soon_keep"),
            key=key,
        )
    return True


def dormant_warn(*, limits: TimeLimits, now, limit: int) -> int:
    """Warn the holders of leads the tenant's rules return within the warning days (at most
    ``limit`` this run). Returns how many were warned."""
    if not limits.any or not limits.warning_days:
        return 0
    warned = 0
    ahead = dormant_conditions(limits, now + timezone.timedelta(days=limits.warning_days))
    soon = dormant_soon(limits=limits, now=now).filter(timed_out_at__isnull=True)
    for lead in soon.select_related("owner", "source").order_by("pk")[:limit]:
        reasons = [r for q, r in ahead if dormant_held().filter(q, pk=lead.pk).exists()]
        # A lead held from a pool without rules of its own shows "at risk" in that pool too.
        entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
        warned += lead_timed_out_mark(
            lead,
            pool=dormant_destination(lead, entry),
            start=lead.assigned_at or lead.created_at,
            when=dormant_moment(lead, limits),
            now=now,
            entry=entry,
            reason=text_list(reasons) if reasons else None,
        )
    return warned


@dataclass
class DormantResult:
    reclaimed: list[tuple[int, Pool]]
    left: int


def dormant_reclaim(*, limits: TimeLimits, now, budget: int) -> DormantResult:
    """Return the due leads to their pools (at most ``budget`` this run; the rest are left for
    the next run and counted)."""
    result = DormantResult(reclaimed=[], left=0)
    if not limits.any:
        return result
    due = dormant_due(limits=limits, now=now)
    budget = max(budget, 0)
    ids = list(due.order_by("held_since", "pk").values_list("pk", flat=True)[:budget])
    result.left = max(due.count() - budget, 0) if len(ids) == budget else 0
    for lead_pk in ids:
        returned = _dormant_reclaim_one(lead_pk, limits=limits, now=now)
        if returned is not None:
            result.reclaimed.append((lead_pk, returned))
    return result


def _dormant_reclaim_one(lead_pk: int, *, limits: TimeLimits, now) -> Pool | None:
    """Return one due lead (see the module docstring, 2 and 3); the pool it went to, or None
    when it is no longer due."""
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("owner", "source")
            .get(pk=lead_pk)
        )
        # A new statement under the lock: sees what a concurrent run or a touch committed.
        reasons = [
            reason
            for condition, reason in dormant_conditions(limits, now)
            if dormant_held().filter(condition, pk=lead_pk).exists()
        ]
        if not reasons:
            return None
        start = lead.assigned_at or lead.created_at
        entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
        pool = dormant_destination(lead, entry)
        PoolEntry.objects.update_or_create(
            lead=lead,
            defaults={"pool": pool, "entered_at": now, "claimed_at": None, "warned_at": None},
        )
        lead_take_back(
            lead=lead, pool=pool, reasons=reasons, at=now,
            key=f"reclaimed:{lead.uuid}:{start:%Y%m%d%H%M%S%f}",
        )  # fmt: skip
    return pool


def dormant_settings_require(actor: User) -> None:
    if not actor.has_role(Role.TENANT_ADMIN, Role.POOL_ADMIN):
        raise PoolError(_("Only tenant admins and pool admins change the dormant-lead rules."))


def dormant_settings_save(
    *,
    actor: User,
    enabled: bool,
    no_follow_up_days: int | None,
    no_touch_days: int | None,
    not_qualified_days: int | None,
    warning_days: int,
) -> RoutingSettings:
    """Change the tenant's dormant-lead rules (tenant admins and pool admins). Raises
    PoolError naming the bad value: each limit is empty or 1 to MAX_DAYS days, the rules on
    need at least one limit, and the warning comes before the shortest limit."""
    dormant_settings_require(actor)
    limits = [no_follow_up_days, no_touch_days, not_qualified_days]
    for days in limits:
        if days is not None and (not isinstance(days, int) or not 1 <= days <= MAX_DAYS):
            raise PoolError(
                _("Each time limit is empty or a whole number of days from 1 to %(max)d.")
                % {"max": MAX_DAYS}
            )
    if not isinstance(warning_days, int) or not 0 <= warning_days <= MAX_DAYS:
        raise PoolError(
            _("The warning is a whole number of days from 0 to %(max)d.") % {"max": MAX_DAYS}
        )
    set_limits = [days for days in limits if days is not None]
    if enabled and not set_limits:
        raise PoolError(_("Set at least one time limit to switch the dormant-lead rules on."))
    if set_limits and warning_days >= min(set_limits):
        shortest = min(set_limits)
        raise PoolError(
            ngettext(
                "Warn fewer days ahead than the shortest time limit (%(days)d day).",
                "Warn fewer days ahead than the shortest time limit (%(days)d days).",
                shortest,
            )
            % {"days": shortest}
        )
    with transaction.atomic():
        settings = RoutingSettings.objects.select_for_update().get(pk=RoutingSettings.load().pk)
        settings.dormant_enabled = bool(enabled)
        settings.dormant_no_follow_up_days = no_follow_up_days
        settings.dormant_no_touch_days = no_touch_days
        settings.dormant_not_qualified_days = not_qualified_days
        settings.dormant_warning_days = warning_days
        settings.save()
    return settings
