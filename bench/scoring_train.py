"""Training the conversion model of a big tenant, and rescoring with it: how long does
``scoring.predictive.services.model_train`` take, and what does the model cost the rescore?

    .venv/bin/python bench/scoring_train.py [--leads 200000] [--closed 0.5] [--reuse]

Uses the database and tenant of bench/scoring_rescore.py (leadcrm_bench_scoring, tenant
``benchscore``: leads loaded with COPY, enriched with titles, sizes, notes and activities).
Closes ``--closed`` of the leads (Converted or Lost, with a closing date) with a conversion
chance that depends on the job title, the company size, the notes and the calls, so the model
has a pattern to find (generated data: the AUC here says the pipeline works, not how good the
model is on real history: see bench/results/predictive_eval.md for that). Then times:
1. the training (reading the history, fitting, the time-ordered evaluation, the refit),
2. a rescore of the open leads with the rules only, and with the rules and the model.
Writes bench/results/scoring_train.md.
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
_spec = importlib.util.spec_from_file_location("rescore", ROOT / "bench" / "scoring_rescore.py")
rescore = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rescore)


def _close(tenant, share: float) -> None:
    """Close ``share`` of the leads: converted with a chance raised by a senior title, a big
    company, intent words and connected calls; lost otherwise; closed 5-90 days after
    creation."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE leads_lead l SET
                status = CASE WHEN random() < 0.08
                    + CASE WHEN l.job_title ~ '(总监|总经理|CEO|Director|Head)' THEN 0.25 ELSE 0 END
                    + CASE WHEN l.company_size IN ('250-999', '1000+') THEN 0.15 ELSE 0 END
                    + CASE WHEN l.notes ~ '(报价|quote|demo|价格)' THEN 0.2 ELSE 0 END
                    - CASE WHEN l.notes ~ '学生' THEN 0.08 ELSE 0 END
                    + CASE WHEN EXISTS (SELECT 1 FROM leads_activity a WHERE a.lead_id = l.id
                        AND a.outcome = 'connected') THEN 0.1 ELSE 0 END
                    THEN 'converted' ELSE 'lost' END,
                status_changed_at = l.created_at + (5 + l.id %% 85) * interval '1 day'
            WHERE l.id %% 1000 < %s
            """,
            [round(share * 1000)],
        )
        cursor.execute(
            "UPDATE leads_lead SET converted_at = status_changed_at WHERE status = 'converted'"
        )
        cursor.execute("ANALYZE leads_lead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--closed", type=float, default=0.5, help="share of leads closed")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded leads")
    args = parser.parse_args()
    rescore._database_create()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django_tenants.utils import tenant_context

    from leadcrm.tenancy.models import Tenant
    from leadcrm.tenancy.services import public_tenant_ensure, tenant_provision
    from leads.models import Lead
    from scoring.models import Blend, PredictiveModel, ScoringSettings
    from scoring.predictive.services import model_train

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
    rescore.loader._people(tenant)
    with tenant_context(tenant):
        present = Lead.objects.count()
    if present < args.leads:
        rescore.loader._load(tenant, args.leads - present, seed=present)
    if not args.reuse or present < args.leads:
        rescore._enrich(tenant)
        _close(tenant, args.closed)
    with tenant_context(tenant):
        PredictiveModel.objects.all().delete()
        ScoringSettings.objects.update_or_create(singleton=True, defaults={"blend": Blend.RULES})
        total = Lead.objects.count()
        statuses = dict(Lead.objects.values_list("status").annotate(n=Count("id")).order_by())

    scored_rules, rules_seconds, _changes = rescore._rescore(tenant, 1000)
    with tenant_context(tenant):
        started = time.monotonic()
        version = model_train(trigger="bench")
        train_seconds = time.monotonic() - started
        ScoringSettings.objects.update_or_create(
            singleton=True, defaults={"blend": Blend.WEIGHTED, "model_weight": 50}
        )
    print(
        f"training: {version.closed:,} closed leads in {train_seconds:.1f} s, status "
        f"{version.status}, AUC {version.auc}, {version.features} features"
    )
    scored_model, model_seconds, _changes = rescore._rescore(tenant, 1000)
    again, again_seconds, _changes = rescore._rescore(tenant, 1000)
    print(f"rescore, rules only: {scored_rules:,} in {rules_seconds:.1f} s")
    print(f"rescore, rules + model: {scored_model:,} in {model_seconds:.1f} s")
    out = ROOT / "bench" / "results"
    lines = [
        f"# Training the conversion model of a {total:,}-lead tenant "
        f"({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores)",
        "",
        f"Generated history (bench/scoring_train.py): {statuses.get('converted', 0):,} converted"
        f", {statuses.get('lost', 0):,} lost, {sum(statuses.values()) - statuses.get('converted', 0) - statuses.get('lost', 0):,} open; "  # noqa: E501
        "the conversion chance depends on title, company size, notes and connected calls.",
        "",
        "| step | figure |",
        "|---|---:|",
        f"| training (read history, fit, time-ordered evaluation, refit) | {version.closed:,} "
        f"closed leads in {train_seconds:.1f} s |",
        f"| held-out AUC on the generated history | {version.auc} "
        f"({version.test_size:,} most recently closed) |",
        f"| features kept | {version.features:,} |",
        f"| rescore of the open leads, rules only | {scored_rules:,} in {rules_seconds:.1f} s "
        f"({scored_rules / rules_seconds:,.0f} leads/s) |",
        f"| rescore with rules + model (probability, factors, blend; every row changes) | "
        f"{scored_model:,} in {model_seconds:.1f} s "
        f"({scored_model / model_seconds:,.0f} leads/s) |",
        f"| the same again, nothing changed | {again:,} in {again_seconds:.1f} s "
        f"({again / again_seconds:,.0f} leads/s) |",
    ]
    (out / "scoring_train.md").write_text("\n".join(lines) + "\n")
    print(f"written {out / 'scoring_train.md'}")


if __name__ == "__main__":
    main()
