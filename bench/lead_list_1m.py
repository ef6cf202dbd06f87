"""The lead list on a tenant with a million leads: how fast do its filters answer?

    .venv/bin/python bench/lead_list_1m.py [--leads 1000000] [--reuse] [--runs 7]

Uses its own database (leadcrm_bench). The tenant, its teams and its 60 people are made
through the services; the million leads are bench data loaded with COPY (through lead_create
they would take hours and measure nothing about the list). Each scenario runs the real code
path of the list view, ``leads.selectors.lead_list`` for the user and filters, and fetches
the first page of 51 rows the way the view does. Prints median and p95 per scenario and
writes bench/results/lead_list_1m.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/leadcrm_bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.dev")

STATUSES = [
    ("unassigned", 15),
    ("pending", 15),
    ("following_up", 35),
    ("qualified", 10),
    ("nurture", 8),
    ("lost", 10),
    ("invalid", 5),
    ("void", 2),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
EN_FIRST = ["James", "Mary", "John", "Linda", "Anna", "Lukas", "Emma", "Noah", "Olivia", "Liam"]
EN_LAST = ["Smith", "Müller", "Brown", "Taylor", "Schmidt", "Wilson", "Lee", "Clark", "Young"]
CITIES = ["上海", "杭州", "苏州", "北京", "天津", "青岛", "深圳", "广州", "成都", "武汉"]
COMPANY_WORDS = ["云启", "星河", "华信", "远航", "创新", "博达", "恒通", "凯盛", "瑞丰", "宏图"]
NULL = "\\N"  # COPY's text format spells NULL this way
EN_COMPANIES = ["Nordwerk", "Acme", "Bluefin", "Kestrel", "Orbital", "Harbor", "Summit"]


def _database_create() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'leadcrm_bench'"
        ).fetchone()
        if not exists:
            conn.execute("CREATE DATABASE leadcrm_bench")


def _people(tenant):
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import User
    from leadcrm.accounts.services import team_create, user_create

    with tenant_context(tenant):
        if User.objects.count() > 1:
            return
        for t in range(4):
            manager = user_create(
                email=f"manager{t}@bench.example.com", full_name=f"Manager {t}", roles=["manager"]
            )
            team = team_create(name=f"Team {t}", manager=manager)
            for r in range(14):
                user_create(
                    email=f"rep{t}-{r}@bench.example.com",
                    full_name=f"Rep {t}-{r}",
                    roles=["sales_rep"],
                    team=team,
                )


def _load(tenant, count: int, seed: int) -> float:
    """COPY ``count`` leads into the tenant's table; returns rows per second."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import User
    from leads.models import LossReason, SourceChannel, Stage

    rng = random.Random(seed)  # a resumed load gets new uuids
    with tenant_context(tenant):
        reps = list(User.objects.filter(roles__contains=["sales_rep"]).values_list("pk", flat=True))
        stages = list(Stage.objects.order_by("position").values_list("pk", flat=True))
        sources = list(SourceChannel.objects.values_list("pk", flat=True))
        reasons = list(LossReason.objects.values_list("pk", flat=True))
        weights = [rng.paretovariate(1.2) for _ in reps]  # a few heavy reps, many light ones
        now = datetime.now(UTC)
        statuses = [s for s, _ in STATUSES]
        status_weights = [w for _, w in STATUSES]
        columns = (
            "uuid, name, company, job_title, email, phone, mobile, website, country, region, city, "
            "address, industry, company_size, annual_revenue, source_detail, product_line, "
            "priority, tags, notes, custom_data, status, status_note, score, grade, created_at, "
            "updated_at, assigned_at, last_activity_at, next_follow_up_at, owner_id, "
            "loss_reason_id, source_id, stage_id, bant_authority, bant_budget, bant_need, "
            "bant_timeline, email_key, phone_key, mobile_key, company_key, name_key, auto_tags"
        )
        started = time.monotonic()
        batch = 50_000
        with connection.cursor() as cursor:
            for offset in range(0, count, batch):
                buffer = io.StringIO()
                for i in range(offset, min(offset + batch, count)):
                    status = rng.choices(statuses, weights=status_weights)[0]
                    owner = (
                        None if status == "unassigned" else rng.choices(reps, weights=weights)[0]
                    )
                    created = now - timedelta(days=rng.uniform(0, 730))
                    chinese = rng.random() < 0.5
                    if chinese:
                        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
                        company = (
                            f"{rng.choice(CITIES)}{rng.choice(COMPANY_WORDS)}{i % 9973}有限公司"
                        )
                        email = f"u{i}@{rng.choice(['qq.com', '163.com', 'corp.cn'])}"
                        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                    else:
                        name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
                        company = f"{rng.choice(EN_COMPANIES)} {i % 9973} GmbH"
                        email = f"{name.split()[0].lower()}.{i}@example.com"
                        mobile = ""
                    score = NULL if rng.random() < 0.2 else str(rng.randrange(101))
                    last = created + (now - created) * rng.random() if owner else None
                    due = now + timedelta(days=rng.uniform(-20, 30)) if rng.random() < 0.5 else None
                    row = [
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        name,
                        company,
                        "",
                        email,
                        f"+49 30 {rng.randrange(10**7):07d}" if not chinese else "",
                        mobile,
                        "",
                        "CN" if chinese else "DE",
                        "",
                        rng.choice(CITIES) if chinese else "Berlin",
                        "",
                        "Manufacturing",
                        "10-49",
                        "1m-10m",
                        "",
                        "ERP Cloud",
                        "normal",
                        "{}",
                        "",
                        "{}",
                        status,
                        "",
                        score,
                        "",
                        created.isoformat(),
                        created.isoformat(),
                        created.isoformat() if owner else NULL,
                        last.isoformat() if last else NULL,
                        due.isoformat() if due else NULL,
                        str(owner) if owner else NULL,
                        str(rng.choice(reasons)) if status == "lost" else NULL,
                        str(rng.choice(sources)),
                        str(rng.choice(stages)),
                        "f",
                        "f",
                        "f",
                        "f",
                        *([""] * 5),  # duplicate keys: filled by whoever needs them
                        "{}",  # automatic tags: scoring fills them
                    ]
                    buffer.write("\t".join(row) + "\n")
                buffer.seek(0)
                copy_sql = f"COPY leads_lead ({columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    copy.write(buffer.read())
                print(f"  loaded {min(offset + batch, count):,} leads", flush=True)
            cursor.execute("ANALYZE leads_lead")
        return count / (time.monotonic() - started)


def _scenarios(tenant):
    from django.db.models import Count
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import User
    from leads.models import Lead

    with tenant_context(tenant):
        admin = User.objects.filter(roles__contains=["tenant_admin"]).first()
        by_owner = dict(
            Lead.objects.values("owner_id").annotate(n=Count("*")).values_list("owner_id", "n")
        )
        ranked = sorted(((n, pk) for pk, n in by_owner.items() if pk), reverse=True)
        heavy = User.objects.get(pk=ranked[0][1])
        light = User.objects.get(pk=ranked[-1][1])
        manager = User.objects.get(email="manager0@bench.example.com")
    return [
        ("admin: all, by score", admin, {"scene": "all"}),
        ("admin: all, qualified", admin, {"scene": "all", "status": "qualified"}),
        ("admin: all, hot", admin, {"scene": "all", "hot": "1"}),
        ("admin: all, this week", admin, {"scene": "all", "period": "week"}),
        ("admin: all, overdue, by due", admin, {"scene": "all", "overdue": "1", "sort": "due"}),
        ("admin: unassigned", admin, {"scene": "all", "unassigned": "1"}),
        ("admin: all, newest", admin, {"scene": "all", "sort": "created"}),
        ("admin: all, last activity", admin, {"scene": "all", "sort": "activity"}),
        ("admin: search company", admin, {"scene": "all", "q": "星河42"}),
        ("admin: search phone", admin, {"scene": "all", "q": "1391234"}),
        ("admin: search email", admin, {"scene": "all", "q": "u4242@qq.com"}),
        ("admin: page 20 (offset)", admin, {"scene": "all", "page": "20"}),
        (f"heavy rep ({ranked[0][0]:,} leads): mine", heavy, {"scene": "mine"}),
        ("heavy rep: mine, overdue", heavy, {"scene": "mine", "overdue": "1"}),
        (f"light rep ({ranked[-1][0]:,} leads): mine", light, {"scene": "mine"}),
        ("manager: subordinates", manager, {"scene": "subordinates"}),
        ("manager: all visible, following up", manager, {"scene": "all", "status": "following_up"}),
    ]


def _measure(tenant, runs: int) -> list[tuple[str, float, float]]:
    from django.http import QueryDict
    from django_tenants.utils import tenant_context

    from leads.selectors import LeadFilters, lead_list

    results = []
    with tenant_context(tenant):
        for label, user, params in _scenarios(tenant):
            query = QueryDict(mutable=True)
            query.update(params)
            page = int(params.get("page", 1))
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                filters = LeadFilters.from_query(query)
                leads = lead_list(user=user, filters=filters)
                rows = list(leads[(page - 1) * 50 : page * 50 + 1])
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            results.append((label, statistics.median(timings), p95))
            median = statistics.median(timings)
            print(f"  {label:<42} median {median:8.1f} ms  p95 {p95:8.1f} ms  rows {len(rows)}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded tenant if present")
    args = parser.parse_args()
    _database_create()

    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from leadcrm.tenancy.models import Tenant
    from leadcrm.tenancy.services import public_tenant_ensure, tenant_provision
    from leads.models import Lead

    call_command("migrate_schemas", verbosity=0)
    public_tenant_ensure()
    tenant = Tenant.objects.filter(slug="bench1m").first()
    if tenant is not None and not args.reuse:
        tenant.delete(force_drop=True)
        tenant = None
    if tenant is None:
        tenant = tenant_provision(
            subdomain="bench1m",
            name="Bench 1M",
            admin_email="admin@bench.example.com",
            admin_password="Bench-Password-2026",
        )
    _people(tenant)
    with tenant_context(tenant):
        present = Lead.objects.count()
    rate = None
    if present < args.leads:
        print(f"loading {args.leads - present:,} leads with COPY...")
        rate = _load(tenant, args.leads - present, seed=present)
        print(f"  {rate:,.0f} rows/s")
    results = _measure(tenant, args.runs)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    lines = [
        f"# Lead list on {args.leads:,} leads "
        f"({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores)",
        "",
        f"COPY load: {rate:,.0f} rows/s" if rate else "COPY load: reused",
        "",
        "| scenario | median ms | p95 ms |",
        "|---|---:|---:|",
        *(f"| {label} | {median:.1f} | {p95:.1f} |" for label, median, p95 in results),
    ]
    (out / "lead_list_1m.md").write_text("\n".join(lines) + "\n")
    print(f"written {out / 'lead_list_1m.md'}")


if __name__ == "__main__":
    main()
