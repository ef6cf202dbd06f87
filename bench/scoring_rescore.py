"""Rescoring every open lead of a big tenant: how many leads per second does
``scoring.services.score_recompute`` score?

    .venv/bin/python bench/scoring_rescore.py [--leads 100000] [--chunk 1000] [--reuse]

Uses its own database (leadcrm_bench_scoring, so the other benches' data is left alone) and
tenant ``benchscore``: the people of bench/lead_list_1m.py, leads loaded with COPY as there,
then given job titles, company sizes, notes with intent words (Chinese and English) and about
one activity per lead (calls with outcomes, emails, meetings), so the default rules fire as
on real data. Times two full rescores of the open leads, as ``manage.py scoring_rescore``
runs them: the first (every lead gets its score, explanation and history row) and the
second (nothing changed: the steady state of a nightly or rules-changed rescore). Writes
bench/results/scoring_rescore.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("lead_list_1m", ROOT / "bench" / "lead_list_1m.py")
loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loader)
DATABASE = "leadcrm_bench_scoring"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"

TITLES = ["销售总监", "采购经理", "总经理", "工程师", "Head of Procurement", "Sales Manager",
          "CEO", "Engineer", "", "", "学生", "IT Director"]  # fmt: skip
NOTES = ["请尽快报价", "想了解价格，急需 200 套", "Please send a quote", "Can we book a demo?",
         "urgent: pricing for 50 seats", "", "", "", "我是学生，写论文用",
         "采购招标项目"]  # fmt: skip
SIZES = ["1-9", "10-49", "50-249", "250-999", "1000+", ""]


def _database_create() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")


def _enrich(tenant) -> None:
    """Vary the loaded leads so the rules have something to find, and log activities."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET job_title = (%s::text[])[1 + id %% %s], "
            "notes = (%s::text[])[1 + (id / 7) %% %s], "
            "company_size = (%s::text[])[1 + (id / 3) %% %s], score = NULL, grade = ''",
            [TITLES, len(TITLES), NOTES, len(NOTES), SIZES, len(SIZES)],
        )
        cursor.execute("TRUNCATE leads_activity, scoring_leadscore, scoring_leadscorechange")
        # About one activity per lead: 0-3 each, calls with every outcome, emails, meetings.
        cursor.execute(
            """
            INSERT INTO leads_activity (uuid, lead_id, kind, outcome, subject, body, occurred_at,
                                        recording, created_at)
            SELECT gen_random_uuid(), l.id, k.kind, k.outcome, '', '',
                   now() - (l.id % 90) * interval '1 day', '', now()
            FROM leads_lead l
            JOIN generate_series(1, 3) AS n(i) ON n.i <= l.id % 4
            CROSS JOIN LATERAL (SELECT
                (ARRAY['call','call','call','email','meeting'])[1 + (l.id + n.i) % 5] AS kind,
                (ARRAY['connected','no_answer','invalid_number','busy'])[1 + (l.id * n.i) % 4]
                    AS outcome0) o
            CROSS JOIN LATERAL (SELECT o.kind,
                CASE WHEN o.kind = 'call' THEN o.outcome0 ELSE '' END AS outcome) k
            """
        )
        cursor.execute("ANALYZE leads_lead")
        cursor.execute("ANALYZE leads_activity")


def _rescore(tenant, chunk: int) -> tuple[int, float, int]:
    from django_tenants.utils import tenant_context

    from scoring.models import LeadScoreChange
    from scoring.services import open_lead_ids, score_recompute

    with tenant_context(tenant):
        ids = open_lead_ids()
        started = time.monotonic()
        scored = score_recompute(lead_ids=ids, trigger="bench", chunk=chunk)
        seconds = time.monotonic() - started
        return scored, seconds, LeadScoreChange.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded leads")
    args = parser.parse_args()
    _database_create()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django_tenants.utils import tenant_context

    from leadcrm.tenancy.models import Tenant
    from leadcrm.tenancy.services import public_tenant_ensure, tenant_provision
    from leads.models import Activity, Lead

    call_command("migrate_schemas", verbosity=0)
    public_tenant_ensure()
    tenant = Tenant.objects.filter(slug="benchscore").first()
    if tenant is None:
        tenant = tenant_provision(
            subdomain="benchscore",
            name="Bench scoring",
            admin_email="admin@bench.example.com",
            admin_password="Bench-Password-2026",
        )
    loader._people(tenant)
    with tenant_context(tenant):
        present = Lead.objects.count()
    if present < args.leads:
        loader._load(tenant, args.leads - present, seed=present)
    if not args.reuse or present < args.leads:
        _enrich(tenant)
    with tenant_context(tenant):
        total = Lead.objects.count()
        activities = Activity.objects.count()

    scored, first, changes = _rescore(tenant, args.chunk)
    print(f"first rescore: {scored:,} leads in {first:.1f} s ({scored / first:,.0f} leads/s)")
    again, second, changes_after = _rescore(tenant, args.chunk)
    print(f"second rescore: {again:,} leads in {second:.1f} s ({again / second:,.0f} leads/s)")
    with tenant_context(tenant):
        letters = dict(
            Lead.objects.exclude(grade="").values_list("grade").annotate(n=Count("id")).order_by()
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    lines = [
        f"# Rescoring the open leads of a {total:,}-lead tenant "
        f"({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores)",
        "",
        f"Default rules (30 of them, 3 dimensions), {activities:,} activities, transactions of "
        f"{args.chunk:,} leads, one process (`score_recompute`, as `manage.py scoring_rescore`).",
        "",
        "| run | figure |",
        "|---|---:|",
        f"| first rescore (every score, explanation and history row new) | {scored:,} leads in "
        f"{first:.1f} s ({scored / first:,.0f} leads/s) |",
        f"| second rescore (nothing changed) | {again:,} leads in {second:.1f} s "
        f"({again / second:,.0f} leads/s) |",
        f"| history rows | {changes:,} after the first, {changes_after:,} after the second |",
        f"| grades | A {letters.get('A', 0):,}, B {letters.get('B', 0):,}, "
        f"C {letters.get('C', 0):,}, D {letters.get('D', 0):,} |",
        f"| 1,000,000 open leads at the first run's rate | about "
        f"{1_000_000 / (scored / first) / 60:.0f} min (extrapolated, not measured) |",
    ]
    (out / "scoring_rescore.md").write_text("\n".join(lines) + "\n")
    print(f"written {out / 'scoring_rescore.md'}")


if __name__ == "__main__":
    main()
