"""How fast is the manager's dashboard on a tenant with a million leads?

    .venv/bin/python bench/analytics_dashboard.py [--runs 15]

Uses the tenant of bench/scoring_rescore.py (database leadcrm_bench_scoring, tenant
``benchscore``: run that bench first, with --leads 1000000) and gives its leads, once, the
lifecycle timestamps reps leave (first follow-up, status change, conversion), a stage history
(1-4 stage changes each, hours to weeks apart) and a pool history (every unowned lead waiting,
a quarter of the owned ones claimed, some returned). Then times the
dashboard's figures (``dashboard_kpis`` and ``dashboard_funnel``) as the tenant admin sees them
(every lead) and as a manager (one team), for several periods: median and 95th percentile of
``--runs`` runs each, server time without the template. Writes
bench/results/analytics_dashboard.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/leadcrm_bench_scoring"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.dev")


def _history(tenant) -> int:
    from django.db import connection
    from django_tenants.utils import tenant_context

    with tenant_context(tenant), connection.cursor() as cursor:
        _pools(cursor)
        cursor.execute("SELECT count(*) FROM leads_leadstagechange")
        if cursor.fetchone()[0] > 500_000:
            return 0
        cursor.execute(
            """
            INSERT INTO leads_leadstagechange (lead_id, from_stage_id, to_stage_id, changed_at)
            SELECT l.id, NULL, s.id,
                   l.created_at + (n.i - 1) * (1 + l.id % 200) * interval '1 hour'
            FROM leads_lead l
            JOIN generate_series(1, 4) AS n(i) ON n.i <= 1 + l.id % 4
            JOIN LATERAL (SELECT id FROM leads_stage WHERE is_active
                          ORDER BY position OFFSET n.i - 1 LIMIT 1) s ON true
            """
        )
        added = cursor.rowcount
        cursor.execute("ANALYZE leads_leadstagechange")
        return added


REPORTS = {
    "dashboard": lambda u, f: (_dash.dashboard_kpis(u, f), _dash.dashboard_funnel(u, f)),
    "sources": lambda u, f: _mod("sources").sources_report(u, f),
    "reps": lambda u, f: _mod("reps").rep_performance(u, f),
    "pools": lambda u, f: _mod("pools").pool_report(u, f),
    "losses": lambda u, f: (
        _mod("losses").loss_pareto(u, f),
        _mod("losses").loss_breakdown(u, f, by="source"),
        _mod("losses").loss_breakdown(u, f, by="owner"),
    ),
    "aging": lambda u, f: _mod("aging").lead_aging(u, f),
    "trends": lambda u, f: _mod("trends").lead_trends(u, f),
    "quality": lambda u, f: (
        _mod("quality").import_rows(u, f),
        _mod("quality").import_problem_kinds(u, f),
        _mod("quality").merge_rows(u, f),
        _mod("quality").data_quality(u, f),
    ),
}
_dash = None


def _mod(name):
    import importlib

    return importlib.import_module(f"analytics.selectors.{name}")


def _timed(call, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def _pools(cursor) -> None:
    """Pool history, once: three pools; every unowned lead waiting in one (entered when it was
    created), a quarter of the owned leads claimed from one hours to days after entering, a
    tenth of those returned three days later with a reason."""
    cursor.execute("SELECT count(*) FROM pools_poolevent")
    if cursor.fetchone()[0]:
        return
    from pools.models import Pool

    for name in ("East China", "North China", "International"):
        Pool.objects.get_or_create(name=name, defaults={"description": "bench"})
    pools = list(Pool.objects.order_by("pk").values_list("pk", flat=True))[-3:]
    cursor.execute(
        """
        INSERT INTO pools_poolentry (lead_id, pool_id, entered_at, claimed_at)
        SELECT id, (%(pools)s::bigint[])[1 + id %% 3], created_at,
               CASE WHEN owner_id IS NOT NULL
                    THEN created_at + (1 + id %% 96) * interval '1 hour' END
        FROM leads_lead WHERE owner_id IS NULL OR id %% 4 = 0
        """,
        {"pools": pools},
    )
    cursor.execute(
        """
        INSERT INTO pools_poolevent (lead_id, pool_id, action, actor_id, to_user_id, reason,
                                     params, at)
        SELECT e.lead_id, e.pool_id, 'enter', NULL::bigint, NULL::bigint, '', '{}'::jsonb,
               e.entered_at
        FROM pools_poolentry e
        UNION ALL
        SELECT e.lead_id, e.pool_id, 'claim', l.owner_id, NULL, '', '{}', e.claimed_at
        FROM pools_poolentry e JOIN leads_lead l ON l.id = e.lead_id
        WHERE e.claimed_at IS NOT NULL
        UNION ALL
        SELECT e.lead_id, e.pool_id, 'return', l.owner_id, NULL, 'Not interested: bench', '{}',
               e.claimed_at + interval '3 days'
        FROM pools_poolentry e JOIN leads_lead l ON l.id = e.lead_id
        WHERE e.claimed_at IS NOT NULL AND e.lead_id % 40 = 0
        """
    )
    cursor.execute("ANALYZE pools_poolentry")
    cursor.execute("ANALYZE pools_poolevent")


def main() -> None:
    global _dash
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reports", default=",".join(REPORTS), help="comma-separated")
    args = parser.parse_args()

    import django

    django.setup()
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from analytics import rollups
    from analytics.filters import ReportFilters
    from analytics.selectors import dashboard
    from leadcrm.accounts.models import User
    from leadcrm.accounts.roles import Role
    from leadcrm.tenancy.models import Tenant
    from leads.models import Lead, LeadStageChange

    _dash = dashboard
    tenant = Tenant.objects.get(slug="benchscore")
    added = _history(tenant)
    rows = []
    with tenant_context(tenant):
        timezone.activate(rollups.tenant_zone_name())
        leads, changes = Lead.objects.count(), LeadStageChange.objects.count()
        state = rollups.rollups_refresh()
        print(f"rollups rebuilt in {state.seconds:.1f} s")
        admin = User.objects.filter(roles__contains=[Role.TENANT_ADMIN]).first()
        manager = User.objects.filter(roles__contains=[Role.MANAGER]).first()
        readers = [("tenant admin", admin), (f"manager ({manager.full_name})", manager)]
        for report in args.reports.split(","):
            for label, user in readers:
                for period in ("30d", "90d", "year"):
                    filters = ReportFilters.from_query({"period": period})
                    median, p95 = _timed(
                        lambda r=report, u=user, f=filters: REPORTS[r](u, f), args.runs
                    )
                    rows.append((report, label, period, median, p95))
                    print(f"{report} {label} {period}: median {median:.0f} ms, p95 {p95:.0f} ms")
    lines = [
        f"# The reports on a {leads:,}-lead tenant ({datetime.now(UTC):%Y-%m-%d}, "
        f"{os.cpu_count()} cores)",
        "",
        f"{changes:,} stage changes ({added:,} added by this bench). Server time of each "
        f"report's selectors (no template), {args.runs} runs each, after the hourly rollup "
        f"rebuild (analytics.rollups: {state.seconds:.1f} s for this tenant). The dashboard "
        "reads the rollups; the other reports read live SQL.",
        "",
        "| report | reader | period | median (ms) | p95 (ms) |",
        "|---|---|---|---:|---:|",
        *(f"| {r} | {who} | {p} | {m:.0f} | {q:.0f} |" for r, who, p, m, q in rows),
    ]
    out = ROOT / "bench" / "results" / "analytics_dashboard.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
