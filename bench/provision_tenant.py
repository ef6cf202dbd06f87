"""How long provisioning one tenant takes (schema + every migration + domain + admin).

    .venv/bin/python bench/provision_tenant.py [--count 5]

Runs against a throw-away database (leadcrm_bench_provision), drops the tenants it made and
prints the median and the slowest run. This is the time a company waits after "Create
workspace" on the sign-up page.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/leadcrm_bench_provision"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5)
    args = parser.parse_args()

    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS leadcrm_bench_provision")
        conn.execute("CREATE DATABASE leadcrm_bench_provision")

    import django

    django.setup()
    from django.core.management import call_command

    from leadcrm.tenancy.models import Tenant
    from leadcrm.tenancy.services import public_tenant_ensure, tenant_provision

    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    timings = []
    for i in range(args.count):
        started = time.perf_counter()
        tenant_provision(
            subdomain=f"bench{i}",
            name=f"Bench {i}",
            admin_email=f"admin@bench{i}.example.com",
            admin_password="Bench-Password-2026",
        )
        timings.append(time.perf_counter() - started)
    for tenant in Tenant.objects.exclude(schema_name="public"):
        tenant.delete(force_drop=True)
    print(
        f"provision one tenant: median {statistics.median(timings):.2f} s, "
        f"slowest {max(timings):.2f} s, fastest {min(timings):.2f} s over {args.count} runs"
    )


if __name__ == "__main__":
    main()
