"""How fast is the manager's dashboard on a tenant with a million leads?

    .venv/bin/python bench/analytics_dashboard.py [--runs 15]

Uses the tenant of bench/scoring_rescore.py (database leadcrm_bench_scoring, tenant
``benchscore``: run that bench first, with --leads 1000000) and gives its leads a stage history
once (1-4 stage changes each, hours to weeks apart, as reps move leads along). Then times the
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django_tenants.utils import tenant_context

    from analytics.filters import ReportFilters
    from analytics.selectors.dashboard import dashboard_funnel, dashboard_kpis
    from leadcrm.accounts.models import User
    from leadcrm.accounts.roles import Role
    from leadcrm.tenancy.models import Tenant
    from leads.models import Lead, LeadStageChange

    tenant = Tenant.objects.get(slug="benchscore")
    added = _history(tenant)
    rows = []
    with tenant_context(tenant):
        leads, changes = Lead.objects.count(), LeadStageChange.objects.count()
        admin = User.objects.filter(roles__contains=[Role.TENANT_ADMIN]).first()
        manager = User.objects.filter(roles__contains=[Role.MANAGER]).first()
        readers = [("tenant admin (every lead)", admin)]
        if manager is not None:
            readers.append((f"manager ({manager.full_name})", manager))
        for label, user in readers:
            for period in ("30d", "90d", "year"):
                filters = ReportFilters.from_query({"period": period})
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    dashboard_kpis(user, filters)
                    dashboard_funnel(user, filters)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                rows.append((label, period, statistics.median(times), p95))
                print(f"{label} {period}: median {rows[-1][2]:.0f} ms, p95 {p95:.0f} ms")
    lines = [
        f"# The dashboard on a {leads:,}-lead tenant ({datetime.now(UTC):%Y-%m-%d}, "
        f"{os.cpu_count()} cores)",
        "",
        f"{changes:,} stage changes ({added:,} added by this bench); live SQL, no aggregates "
        f"table; server time of `dashboard_kpis` + `dashboard_funnel`, {args.runs} runs each.",
        "",
        "| reader | period | median (ms) | p95 (ms) |",
        "|---|---|---:|---:|",
        *(f"| {r} | {p} | {m:.0f} | {q:.0f} |" for r, p, m, q in rows),
    ]
    out = ROOT / "bench" / "results" / "analytics_dashboard.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
