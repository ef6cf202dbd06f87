"""The live duplicate check (``duplicates_find``) against a tenant with a million leads.

    .venv/bin/python bench/dedup_check_1m.py [--runs 200]

Uses the ``benchimport`` tenant of bench/import_100k.py (run that first: it loads the million).
Company and name keys of the COPY-loaded leads are filled in SQL (company: lower-cased, legal
forms stripped; name: lower-cased; good enough for timing, the scorer sees them as they are).
Times three kinds of check as a user types them: an exact duplicate (an existing mobile), a
similar one (an existing company with its legal form dropped, and the name), and a new person.
Writes bench/results/dedup_check_1m.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("lead_list_1m", ROOT / "bench" / "lead_list_1m.py")
loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loader)  # sets DATABASE_URL to leadcrm_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from leadcrm.tenancy.models import Tenant
    from leads.dedup.matching import duplicates_find
    from leads.models import Lead

    tenant = Tenant.objects.get(slug="benchimport")
    with tenant_context(tenant):
        count = Lead.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE leads_lead SET company_key = lower(regexp_replace(company, "
                "'(有限公司| GmbH| Inc\\.?| Ltd\\.?|[^[:alnum:]])', '', 'g')), "
                "name_key = lower(name) WHERE company_key = '' AND company <> ''"
            )
            cursor.execute("ANALYZE leads_lead")
        rng = random.Random(1)
        sample = list(
            Lead.objects.exclude(mobile="").exclude(company="").order_by("?")[: args.runs]
        )
        cases = {
            "exact (existing mobile)": [
                {"name": "Someone", "mobile": lead.mobile} for lead in sample
            ],
            "similar (company without legal form, same name)": [
                {"name": lead.name, "company": lead.company.replace("有限公司", "")}
                for lead in sample
            ],
            "new person": [
                {
                    "name": f"新客户{i}",
                    "company": f"未见过{rng.randrange(10**6)}科技",
                    "mobile": f"17{rng.randrange(10**9):09d}",
                }
                for i in range(args.runs)
            ],
        }
        results = []
        for label, candidates in cases.items():
            timings, found = [], 0
            for data in candidates:
                started = time.perf_counter()
                matches = duplicates_find(data)
                timings.append((time.perf_counter() - started) * 1000)
                found += bool(matches)
            median = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[18]
            results.append((label, median, p95, found, len(candidates)))
            print(f"{label}: median {median:.1f} ms, p95 {p95:.1f} ms, found {found}")
    out = ROOT / "bench" / "results" / "dedup_check_1m.md"
    lines = [
        f"# Live duplicate check on {count:,} leads ({datetime.now(UTC):%Y-%m-%d}, "
        f"{os.cpu_count()} cores)",
        "",
        "| check | median ms | p95 ms | matches found |",
        "|---|---:|---:|---:|",
        *(f"| {label} | {m:.1f} | {p:.1f} | {f}/{n} |" for label, m, p, f, n in results),
    ]
    out.write_text("\n".join(lines) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
