"""Demo pools: regional pools and an expo pool, assignment rules, a few thousand pooled leads,
some claimed long enough ago that the reclaim job has warned or taken them back.

Everything goes through the services (pool_save, rule_save, lead_create, leads_route,
pool_claim, pool_reclaim_due), so the demo shows what the product does, not fixtures.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from demo.leads import CN_REGIONS, INDUSTRIES, PRODUCT_LINES, _lead_fields, _Lists
from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role
from leads.models import Lead, LossReason, SourceChannel, Stage
from leads.services import lead as lead_services
from pools.models import AssignmentRule, Pool, PoolEntry
from pools.services.claim import pool_claim
from pools.services.pool import pool_save
from pools.services.reclaim import pool_reclaim_due
from pools.services.routing import leads_route
from pools.services.rules import rule_save
from scoring.services import score_recompute

RETURN_REASONS = ["Wrong region", "No budget this year", "Not reachable", "Already a customer"]


def demo_pools_seed(*, admin: User, extra_leads: int = 2500, seed: int = 2026) -> dict:
    """Create the demo's pools and rules once, route every waiting lead, add ``extra_leads``
    new ones through the rules, and let reps claim some. Returns counts."""
    if Pool.objects.filter(name="East China").exists():
        return {"skipped": True}
    rng = random.Random(seed + 7919)  # not the leads seeder's sequence: no repeated phones
    teams = {t.name: t for t in Team.objects.filter(kind=Team.Kind.TEAM)}
    pool_admins = User.objects.filter(roles__contains=[Role.POOL_ADMIN]).order_by("pk")
    # The dedicated pool admin (the tenant admin holds the role too and sees every pool anyway).
    pool_admin = pool_admins.exclude(roles__contains=[Role.TENANT_ADMIN]).first() or (
        pool_admins.first()
    )
    admins = [pool_admin] if pool_admin else []
    common = {
        "mode": Pool.Mode.BOTH,
        "max_open_per_member": 40,
        "max_claims_per_day": 20,
        "return_cooldown_days": 7,
        "reclaim_no_follow_up_days": 5,
        "reclaim_not_qualified_days": 45,
        "reclaim_warning_days": 2,
        "reroute_returned": False,
        "return_reasons": RETURN_REASONS,
        "is_active": True,
        "default_assignee": None,
    }
    pools = {}
    for name, team_name, description in (
        ("East China", "East China Sales", "上海、浙江、江苏、安徽"),
        ("North China", "North China Sales", "北京、天津、河北、山东"),
        ("International", "International Sales", "Everything outside mainland China"),
    ):
        pools[name] = pool_save(
            actor=admin,
            name=name,
            kind=Pool.Kind.REGION,
            description=description,
            admins=admins,
            member_teams=[teams[team_name]] if team_name in teams else [],
            **common,
        )
    pools["expo"] = pool_save(
        actor=admin,
        name="Expo 2026 follow-up",
        kind=Pool.Kind.PRODUCT_LINE,
        description="Cards from the Shanghai industrial expo",
        admins=admins,
        member_teams=list(teams.values()),
        **{**common, "mode": Pool.Mode.CLAIM, "max_claims_per_day": 10},
    )
    regions = {team: sorted({r for r, _city in places}) for team, places in CN_REGIONS.items()}
    rule_save(
        actor=admin,
        name="Expo cards to the expo pool",
        triggers=[AssignmentRule.Trigger.NEW],
        conditions=[[{"field": "source_detail", "op": "contains", "value": "Expo"}]],
        target_type=AssignmentRule.Target.POOL,
        target_pool=pools["expo"],
    )
    for pool_name, team_name in (
        ("East China", "East China Sales"),
        ("North China", "North China Sales"),
    ):
        rule_save(
            actor=admin,
            name=f"{pool_name} by province",
            triggers=[AssignmentRule.Trigger.NEW],
            conditions=[[{"field": "region", "op": "in", "value": regions.get(team_name, [])}]],
            target_type=AssignmentRule.Target.POOL,
            target_pool=pools[pool_name],
        )
    rule_save(
        actor=admin,
        name="Outside China",
        triggers=[AssignmentRule.Trigger.NEW],
        conditions=[
            [
                {"field": "country", "op": "ne", "value": "CN"},
                {"field": "country", "op": "not_empty"},
            ]
        ],
        target_type=AssignmentRule.Target.POOL,
        target_pool=pools["International"],
    )
    if "International Sales" in teams:
        rule_save(
            actor=admin,
            name="Reclaimed leads to the international team",
            triggers=[AssignmentRule.Trigger.RECLAIMED],
            conditions=[[{"field": "country", "op": "ne", "value": "CN"}]],
            target_type=AssignmentRule.Target.TEAM,
            target_team=teams["International Sales"],
            strategy=AssignmentRule.Strategy.LEAST_LOADED,
        )
    # Where leads whose score stays low go (the handoff itself is off until an admin turns it
    # on, on the assignment rules page).
    pools["nurture"] = pool_save(
        actor=admin,
        name="Nurture",
        kind=Pool.Kind.OTHER,
        description="Leads whose score stayed low: marketing keeps them warm",
        admins=admins,
        member_teams=list(teams.values()),
        **{**common, "mode": Pool.Mode.CLAIM},
    )
    rule_save(
        actor=admin,
        name="Low scores to nurture",
        triggers=[AssignmentRule.Trigger.LOW_SCORE],
        conditions=[],
        target_type=AssignmentRule.Target.POOL,
        target_pool=pools["nurture"],
        set_nurture=True,
    )
    # The leads waiting since the leads were seeded, then new ones, all through the rules.
    waiting = list(
        Lead.objects.filter(owner__isnull=True, pool_entry__isnull=True)
        .exclude(status__in=("converted", "void"))
        .values_list("pk", flat=True)
    )
    routed = len(waiting)
    leads_route(waiting, trigger=AssignmentRule.Trigger.MANUAL, actor=admin)
    lists = _Lists(
        stages=list(Stage.objects.filter(is_active=True).order_by("position")),
        sources={s.code: s for s in SourceChannel.objects.filter(is_active=True)},
        loss_reasons=list(LossReason.objects.filter(is_active=True)),
    )
    fakers = {loc: Faker(loc) for loc in ("zh_CN", "en_US", "en_GB", "de_DE", "en_AU")}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + 100 + i)
    team_names = [t for t in teams if t in CN_REGIONS] + ["International Sales"]
    created = []
    for start in range(0, extra_leads, 250):
        with transaction.atomic():
            for _ in range(min(250, extra_leads - start)):
                fields = _lead_fields(rng, fakers, rng.choice(team_names), lists)
                if rng.random() < 0.25:
                    fields["source_detail"] = "Expo 2026 Shanghai, hall 3"
                fields["industry"] = fields.get("industry") or rng.choice(INDUSTRIES)
                fields["product_line"] = fields.get("product_line") or rng.choice(PRODUCT_LINES)
                lead = lead_services.lead_create(actor=admin, **fields)
                created.append(lead.pk)
        leads_route(created[start:], trigger=AssignmentRule.Trigger.NEW, actor=None)
    now = timezone.now()
    # Waiting leads arrived over the last three weeks, so the backlog age means something.
    for entry in PoolEntry.objects.filter(claimed_at__isnull=True).only("pk"):
        PoolEntry.objects.filter(pk=entry.pk).update(
            entered_at=now - timedelta(hours=rng.uniform(1, 21 * 24))
        )
    score_recompute(lead_ids=created, trigger="demo")
    # Reps claim a few leads each; some claims are old, so the reclaim job warns or acts.
    claimed = 0
    for pool in (pools["East China"], pools["North China"], pools["International"]):
        members = [
            u
            for u in User.objects.filter(team__pools=pool, is_active=True)
            if u.has_role(Role.SALES_REP)
        ]
        waiting = list(
            Lead.objects.filter(pool_entry__pool=pool, owner__isnull=True).order_by("-score")[:60]
        )
        for index, lead in enumerate(waiting[: 6 * len(members)]):
            member = members[index % len(members)]
            pool_claim(pool=pool, lead=lead, actor=member)
            days = rng.choice([0, 1, 2, 4, 4, 6])
            PoolEntry.objects.filter(lead=lead).update(claimed_at=now - timedelta(days=days))
            claimed += 1
    summary = pool_reclaim_due()
    return {
        "pools": len(pools),
        "routed_waiting": routed,
        "new_leads": len(created),
        "claimed": claimed,
        "warned": summary.warned,
        "reclaimed": summary.reclaimed,
    }
