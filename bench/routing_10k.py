"""Assignment rules on 10,000 new leads: how long does routing take?

    .venv/bin/python bench/routing_10k.py [--leads 10000] [--batch 1000]

Uses the bench database (leadcrm_bench) and its own tenant ``benchroute``: 4 teams of 14
reps (as bench/lead_list_1m.py), leads loaded with COPY as unassigned, and five rules: three
team rules (round-robin, weighted, least-loaded), one pool rule and the fallback pool. Times
``pools.services.routing.leads_route`` in batches (the import and "re-run assignment" path) and lead
by lead (the path of a lead created in the form or the API: one Celery task each, timed here
without the broker round trip). Writes bench/results/routing_10k.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("lead_list_1m", ROOT / "bench" / "lead_list_1m.py")
loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loader)  # sets DATABASE_URL to leadcrm_bench


def _rules(tenant):
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import Team, User
    from pools.models import AssignmentRule, Pool
    from pools.services.rules import rule_save

    with tenant_context(tenant):
        AssignmentRule.objects.all().delete()
        admin = User.objects.filter(roles__contains=["tenant_admin"]).first()
        teams = list(Team.objects.order_by("name"))
        south, _ = Pool.objects.get_or_create(name="South China")
        specs = [
            (
                "East: round-robin",
                "city",
                ["上海", "杭州", "苏州"],
                "team",
                teams[0],
                "round_robin",
            ),
            ("North: weighted", "city", ["北京", "天津", "青岛"], "team", teams[1], "weighted"),
            ("Germany: least loaded", "country", ["DE"], "team", teams[2], "least_loaded"),
            ("South: pool", "city", ["深圳", "广州"], "pool", south, "round_robin"),
        ]
        for name, field, values, kind, target, strategy in specs:
            weights = {}
            if strategy == "weighted":
                weights = {str(u.pk): 1 + i % 3 for i, u in enumerate(target.members.all())}
            rule_save(
                actor=admin,
                name=name,
                triggers=["new"],
                conditions=[[{"field": field, "op": "in", "value": values}]],
                target_type=kind,
                target_team=target if kind == "team" else None,
                target_pool=target if kind == "pool" else None,
                strategy=strategy,
                weights=weights,
            )


def _reset(tenant, count: int) -> list[int]:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from leads.models import Lead
    from pools.models import PoolEntry, PoolEvent, RuleMemberState

    with tenant_context(tenant):
        PoolEvent.objects.all().delete()
        PoolEntry.objects.all().delete()
        RuleMemberState.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE leads_lead SET owner_id = NULL, status = 'unassigned', assigned_at = NULL"
            )
            cursor.execute("DELETE FROM leads_historicallead WHERE history_type = '~'")
            cursor.execute("ANALYZE leads_lead")
        return list(Lead.objects.order_by("pk").values_list("pk", flat=True)[:count])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--single", type=int, default=300, help="leads routed one by one")
    args = parser.parse_args()
    loader._database_create()

    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from leadcrm.tenancy.models import Tenant
    from leadcrm.tenancy.services import public_tenant_ensure, tenant_provision
    from leads.models import Lead
    from pools.services.routing import leads_route

    call_command("migrate_schemas", verbosity=0)
    public_tenant_ensure()
    tenant = Tenant.objects.filter(slug="benchroute").first()
    if tenant is None:
        tenant = tenant_provision(
            subdomain="benchroute",
            name="Bench routing",
            admin_email="admin@bench.example.com",
            admin_password="Bench-Password-2026",
        )
    loader._people(tenant)
    with tenant_context(tenant):
        present = Lead.objects.count()
    if present < args.leads:
        loader._load(tenant, args.leads - present, seed=present)
    _rules(tenant)

    ids = _reset(tenant, args.leads)
    with tenant_context(tenant):
        started = time.monotonic()
        totals: Counter = Counter()
        for start in range(0, len(ids), args.batch):
            result = leads_route(ids[start : start + args.batch])
            totals.update({"assigned": result.assigned, "pooled": result.pooled})
        batch_seconds = time.monotonic() - started
        owners = Counter(Lead.objects.filter(pk__in=ids).values_list("owner_id", flat=True))
    print(f"batched: {len(ids):,} leads in {batch_seconds:.1f} s ({totals})")

    ids = _reset(tenant, args.single)
    timings = []
    with tenant_context(tenant):
        for pk in ids:
            t0 = time.perf_counter()
            leads_route([pk])
            timings.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    print(f"one by one: median {median:.1f} ms, p95 {p95:.1f} ms per lead")
    per_owner = sorted(n for owner, n in owners.items() if owner is not None)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    lines = [
        f"# Routing {args.leads:,} new leads "
        f"({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores)",
        "",
        "Five rules (round-robin, weighted and least-loaded teams of 14, a pool, the fallback).",
        "",
        "| path | figure |",
        "|---|---:|",
        f"| batches of {args.batch:,} (import, re-run) | {batch_seconds:.1f} s for "
        f"{args.leads:,} ({args.leads / batch_seconds:,.0f} leads/s) |",
        f"| one lead at a time (form, API task body) | median {median:.1f} ms, p95 {p95:.1f} ms |",
        f"| outcome | {totals['assigned']:,} assigned, {totals['pooled']:,} into pools |",
        f"| leads per rep (assigned) | min {per_owner[0] if per_owner else 0}, "
        f"max {per_owner[-1] if per_owner else 0} |",
    ]
    (out / "routing_10k.md").write_text("\n".join(lines) + "\n")
    print(f"written {out / 'routing_10k.md'}")


if __name__ == "__main__":
    main()
