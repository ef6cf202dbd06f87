"""The time limits a held lead must keep, shared by a pool's reclaim rules and the tenant's
dormant-lead rules (one definition, so the job, the lead page and the settings pages agree).

Each limit is counted from the lead's *start*: when its holder got it (the claim for a pool's
rules, the assignment, else the creation, for the tenant's rules):

- no follow-up within N days of the start (nothing logged since the start);
- no follow-up in the last N days (counted from the last touch, or from the start while the
  lead was never touched since): one touch long ago does not keep a lead forever;
- not qualified within N days of the start (still Pending, Following up or Nurture).

A lead breaks its limits at ``TimeLimits.moment``; ``TimeLimits.conditions`` says the same as
SQL for the job. The holder is warned ``warning_days`` before that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q

from leadcrm.notifications.texts import text
from leads.models import LeadStatus
from pools.models import Pool, RoutingSettings

#: Statuses a held lead is reclaimed from; the same ones are "not qualified" yet.
WORKED = (LeadStatus.PENDING, LeadStatus.FOLLOWING_UP, LeadStatus.NURTURE)
NOT_QUALIFIED = WORKED

#: The sentences of each limit, by what the start is: a pool's claim or the tenant's assignment.
_REASONS = {
    "claim": {
        "no_follow_up": "pools.no_follow_up",
        "no_touch": "pools.no_touch",
        "not_qualified": "pools.not_qualified",
    },
    "assignment": {
        "no_follow_up": "pools.dormant_no_follow_up",
        "no_touch": "pools.no_touch",
        "not_qualified": "pools.dormant_not_qualified",
    },
}


@dataclass(frozen=True)
class TimeLimits:
    no_follow_up_days: int | None = None
    no_touch_days: int | None = None
    not_qualified_days: int | None = None
    warning_days: int = 0
    #: "claim" (a pool's rules) or "assignment" (the tenant's): which sentences say why.
    counted_from: str = "claim"

    @classmethod
    def of_pool(cls, pool: Pool) -> TimeLimits:
        """A pool's own reclaim rules, counted from the claim."""
        return cls(
            no_follow_up_days=pool.reclaim_no_follow_up_days,
            no_touch_days=pool.reclaim_no_touch_days,
            not_qualified_days=pool.reclaim_not_qualified_days,
            warning_days=pool.reclaim_warning_days,
            counted_from="claim",
        )

    @classmethod
    def of_tenant(cls, settings: RoutingSettings) -> TimeLimits:
        """The tenant's dormant-lead rules, counted from the assignment (none while off)."""
        if not settings.dormant_enabled:
            return cls(counted_from="assignment")
        return cls(
            no_follow_up_days=settings.dormant_no_follow_up_days,
            no_touch_days=settings.dormant_no_touch_days,
            not_qualified_days=settings.dormant_not_qualified_days,
            warning_days=settings.dormant_warning_days,
            counted_from="assignment",
        )

    @property
    def any(self) -> bool:
        return any(
            days is not None
            for days in (self.no_follow_up_days, self.no_touch_days, self.not_qualified_days)
        )

    def conditions(
        self, at: datetime, *, start: str, last_activity: str, status: str
    ) -> list[tuple[Q, dict]]:
        """(condition, reason) for each limit broken at ``at``. ``start``, ``last_activity``
        and ``status`` name the columns (lookups) of the model queried."""
        reasons = _REASONS[self.counted_from]
        untouched = Q(**{f"{last_activity}__isnull": True})
        rules = []
        if self.no_follow_up_days is not None:
            days = self.no_follow_up_days
            rules.append(
                (
                    Q(**{f"{start}__lte": at - timedelta(days=days)})
                    & (untouched | Q(**{f"{last_activity}__lt": F(start)})),
                    text(reasons["no_follow_up"], days=days),
                )
            )
        if self.no_touch_days is not None:
            days = self.no_touch_days
            since = at - timedelta(days=days)
            rules.append(
                (
                    Q(**{f"{start}__lte": since})
                    & (untouched | Q(**{f"{last_activity}__lte": since})),
                    text(reasons["no_touch"], days=days),
                )
            )
        if self.not_qualified_days is not None:
            days = self.not_qualified_days
            rules.append(
                (
                    Q(
                        **{
                            f"{start}__lte": at - timedelta(days=days),
                            f"{status}__in": NOT_QUALIFIED,
                        }
                    ),
                    text(reasons["not_qualified"], days=days),
                )
            )
        return rules

    def moment(
        self, *, start: datetime | None, last_activity: datetime | None, status: str
    ) -> datetime | None:
        """When a lead held since ``start`` breaks a limit if nothing changes (None: never)."""
        if start is None or status not in WORKED:
            return None
        moments = []
        if self.no_follow_up_days is not None and (last_activity is None or last_activity < start):
            moments.append(start + timedelta(days=self.no_follow_up_days))
        if self.no_touch_days is not None:
            touched = max(start, last_activity) if last_activity else start
            moments.append(touched + timedelta(days=self.no_touch_days))
        if self.not_qualified_days is not None and status in NOT_QUALIFIED:
            moments.append(start + timedelta(days=self.not_qualified_days))
        return min(moments) if moments else None


#: Active pools that reclaim by rules of their own (their claimed leads follow those rules).
POOLS_WITH_RULES = Q(is_active=True) & (
    Q(reclaim_no_follow_up_days__isnull=False)
    | Q(reclaim_no_touch_days__isnull=False)
    | Q(reclaim_not_qualified_days__isnull=False)
)


def any_of(rules: list[tuple[Q, dict]]) -> Q:
    """The leads that break any of ``rules`` (none when there are no rules)."""
    combined = Q(pk__in=[])
    for condition, _reason in rules:
        combined |= condition
    return combined
