"""Assignment rules: save, reorder, delete (tenant admins)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from leadcrm.accounts.models import Team, User
from pools.conditions import conditions_clean
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool
from pools.services.pool import pools_admin_require

Rule = AssignmentRule


ROUTING_TRIGGERS = (
    Rule.Trigger.NEW,
    Rule.Trigger.RETURNED,
    Rule.Trigger.WITHDRAWN,
    Rule.Trigger.RECLAIMED,
)
#: What a rule may apply to: the routing triggers and the low-score handoff (which only
#: pools.services.handoff runs, so the rule tester keeps to ROUTING_TRIGGERS).
RULE_TRIGGERS = (*ROUTING_TRIGGERS, Rule.Trigger.LOW_SCORE)


def rule_save(
    *,
    actor: User,
    rule: AssignmentRule | None = None,
    name: str,
    triggers: list[str],
    conditions,
    target_type: str,
    target_user: User | None = None,
    target_team: Team | None = None,
    target_pool: Pool | None = None,
    strategy: str = Rule.Strategy.ROUND_ROBIN,
    weights: dict | None = None,
    daily_cap: int | None = None,
    is_active: bool = True,
    set_nurture: bool = False,
) -> AssignmentRule:
    """Create or change a rule after checking it fully; a new rule goes last. A rule for the
    low-score handoff targets a pool (the nurture pool) and may also set the status to
    Nurture; ``set_nurture`` means nothing without that trigger and is then kept off."""
    pools_admin_require(actor)
    name = (name or "").strip()
    if not name:
        raise PoolError(_("Give the rule a name."))
    triggers = [t for t in triggers if t in RULE_TRIGGERS]
    if not triggers:
        raise PoolError(_("Choose when the rule applies (new leads, returned leads ...)."))
    cleaned = conditions_clean(conditions)
    targets = {
        Rule.Target.USER: target_user,
        Rule.Target.TEAM: target_team,
        Rule.Target.POOL: target_pool,
    }
    if target_type not in targets:
        raise PoolError(_("Choose who gets the leads."))
    if targets[target_type] is None:
        raise PoolError(_("Choose the person, team or pool that gets the leads."))
    if target_type == Rule.Target.USER and not target_user.is_active:
        raise PoolError(_("%(name)s is deactivated.") % {"name": target_user})
    low_score = Rule.Trigger.LOW_SCORE in triggers
    if low_score and target_type != Rule.Target.POOL:
        raise PoolError(_("A low-score handoff rule hands the leads to a pool (the nurture pool)."))
    if strategy not in Rule.Strategy.values:
        raise PoolError(_("Choose a strategy."))
    clean_weights = {}
    for key, value in (weights or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise PoolError(_("Weights are numbers (0 skips the member).")) from None
        if number < 0:
            raise PoolError(_("Weights are numbers (0 skips the member)."))
        clean_weights[str(key)] = number
    if daily_cap is not None and daily_cap < 1:
        raise PoolError(_("The daily cap is at least 1 (leave it empty for no cap)."))
    with transaction.atomic():
        if rule is None:
            rule = AssignmentRule(
                position=(AssignmentRule.objects.aggregate(m=Max("position"))["m"] or 0) + 1
            )
        rule.name = name[:120]
        rule.triggers = triggers
        rule.conditions = cleaned
        rule.target_type = target_type
        rule.target_user = target_user if target_type == Rule.Target.USER else None
        rule.target_team = target_team if target_type == Rule.Target.TEAM else None
        rule.target_pool = target_pool if target_type == Rule.Target.POOL else None
        rule.strategy = strategy
        rule.weights = clean_weights
        rule.daily_cap = daily_cap
        rule.is_active = is_active
        rule.set_nurture = bool(set_nurture) and low_score
        rule._history_user = actor
        rule.save()
    return rule


def rule_move(*, actor: User, rule: AssignmentRule, up: bool) -> None:
    """Swap the rule with its neighbour (rules are tried in order)."""
    pools_admin_require(actor)
    with transaction.atomic():
        rules = list(AssignmentRule.objects.select_for_update().order_by("position", "id"))
        index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(rules):
            return
        rules[index], rules[other] = rules[other], rules[index]
        for position, item in enumerate(rules, start=1):
            if item.position != position:
                AssignmentRule.objects.filter(pk=item.pk).update(position=position)


def rule_delete(*, actor: User, rule: AssignmentRule) -> None:
    pools_admin_require(actor)
    rule._history_user = actor
    rule.delete()
