"""The lead list on a tenant with a million leads: how fast do its filters answer?

    .venv/bin/python bench/lead_list_1m.py [--leads 1000000] [--reuse] [--runs 7]
        [--count-exact-max N]

Uses its own database (leadcrm_bench). The tenant, its teams and its 60 people are made
through the services; the million leads are bench data loaded with COPY (through lead_create
they would take hours and measure nothing about the list), with what the list's filters need
to find: provinces and cities down to a rare one, industries, priorities, people's tags,
grades, assignment times, campaigns and imports; then colleagues on 3 % of the leads' teams
and a finished duplicate scan whose groups hold 2 % of the leads (bench data: those leads share
no field). A fresh load is vacuumed, as autovacuum would leave it.

Each scenario runs the real code path of the list view, ``leads.selectors.lead_list`` for the
user and filters, and fetches the first page of 51 rows the way the view does; then the total
the page shows (``lead_list_count``). ``--count-exact-max`` measures the total with another
LIST_COUNT_EXACT_MAX. Prints median and p95 per scenario and writes
bench/results/lead_list_1m.md.
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
#: Chinese cities with their province (the list's region filter), and how common each is: a
#: long tail down to Lhasa (about 0.2 % of the Chinese leads), the rare value of the city filter.
CITIES = {
    "上海": ("上海", 18),
    "杭州": ("浙江", 12),
    "苏州": ("江苏", 12),
    "北京": ("北京", 15),
    "天津": ("天津", 6),
    "青岛": ("山东", 6),
    "深圳": ("广东", 12),
    "广州": ("广东", 10),
    "成都": ("四川", 5),
    "武汉": ("湖北", 4),
    "拉萨": ("西藏", 0.2),
}
DE_CITIES = {"Berlin": "Berlin", "Hamburg": "Hamburg", "München": "Bayern"}
INDUSTRIES = [
    ("Manufacturing", 30),
    ("Software", 20),
    ("Retail", 15),
    ("Logistics", 10),
    ("Healthcare", 10),
    ("Education", 8),
    ("Finance", 6),
    ("Mining", 1),
]
PRIORITIES = [("low", 20), ("normal", 60), ("high", 15), ("urgent", 5)]
#: People's own tags: 10 % of the leads carry one; "VIP" is the rare one.
TAGS = [("展会名单", 4), ("老客户推荐", 3), ("需回访", 2.5), ("VIP", 0.5)]
CAMPAIGNS = 20  # 30 % of the leads came through one of them
IMPORTS = 10  # 20 % of the leads were imported, by one of these
MEMBER_SHARE = 0.03  # leads with a colleague on their team (LeadMember)
DUPLICATE_SHARE = 0.02  # leads in a group of the last duplicate scan
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


def _weighted(rng, choices) -> str:
    return rng.choices([value for value, _w in choices], weights=[w for _v, w in choices])[0]


def _grade(score: int | None) -> str:
    """The letter scoring gives a score with the default bands (Hot 70, Warm 31)."""
    if score is None:
        return ""
    if score >= 70:
        return "A"
    if score >= 50.5:
        return "B"
    return "C" if score >= 31 else "D"


def _lists(tenant) -> None:
    """The campaigns and imports the leads point to (made once)."""
    from django_tenants.utils import tenant_context

    from leads.models import Campaign, ImportJob

    with tenant_context(tenant):
        for i in range(CAMPAIGNS - Campaign.objects.count()):
            Campaign.objects.create(name=f"Bench campaign {i}")
        for i in range(IMPORTS - ImportJob.objects.count()):
            ImportJob.objects.create(filename=f"bench-{i}.xlsx", file=f"imports/bench-{i}.xlsx")


def _members_and_duplicates(tenant, seed: int) -> None:
    """Colleagues on MEMBER_SHARE of the owned leads (the "take part in" scenes), and a done
    duplicate scan whose groups (pairs and triples) hold DUPLICATE_SHARE of the leads (the
    "has duplicates" filter reads the last scan). Bench data: the pairs share no field."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import User
    from leadcrm.jobs.models import Job
    from leads.models import LeadMember

    rng = random.Random(seed)
    with tenant_context(tenant):
        if not LeadMember.objects.exists():
            reps = list(
                User.objects.filter(roles__contains=["sales_rep"]).values_list("pk", flat=True)
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO leads_leadmember (lead_id, user_id, access, created_at) "
                    "SELECT l.id, (%s::bigint[])[1 + floor(random() * %s)::int], 'read', now() "
                    "FROM leads_lead l WHERE l.owner_id IS NOT NULL AND random() < %s "
                    "ON CONFLICT DO NOTHING",
                    [reps, len(reps), MEMBER_SHARE],
                )
                cursor.execute("ANALYZE leads_leadmember")
        if not Job.objects.filter(kind="dedup_scan", status=Job.Status.DONE).exists():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM leads_lead WHERE random() < %s ORDER BY random()",
                    [DUPLICATE_SHARE],
                )
                ids = [row[0] for row in cursor.fetchall()]
            groups, i = [], 0
            while i + 1 < len(ids):
                size = 3 if rng.random() < 0.2 else 2
                members = sorted(ids[i : i + size])
                groups.append(
                    {"ids": members, "level": "exact", "score": 100, "rules": ["Same email"]}
                )
                i += size
            now = timezone.now()
            Job.objects.create(
                kind="dedup_scan",
                status=Job.Status.DONE,
                result={"groups": groups},
                started_at=now,
                finished_at=now,
            )


def _vacuum(tenant) -> None:
    """VACUUM ANALYZE after a load: the table as autovacuum keeps it (visibility map and
    hint bits set, statistics fresh), not as COPY leaves it, where the first reads of every
    page pay for setting hint bits."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    with tenant_context(tenant), connection.cursor() as cursor:
        for table in ("leads_lead", "leads_leadmember", "jobs_job"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _load(tenant, count: int, seed: int) -> float:
    """COPY ``count`` leads into the tenant's table; returns rows per second."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import User
    from leads.models import Campaign, ImportJob, LossReason, SourceChannel, Stage

    rng = random.Random(seed)  # a resumed load gets new uuids
    with tenant_context(tenant):
        reps = list(User.objects.filter(roles__contains=["sales_rep"]).values_list("pk", flat=True))
        stages = list(Stage.objects.order_by("position").values_list("pk", flat=True))
        sources = list(SourceChannel.objects.values_list("pk", flat=True))
        reasons = list(LossReason.objects.values_list("pk", flat=True))
        campaigns = list(Campaign.objects.values_list("pk", flat=True))
        imports = list(ImportJob.objects.values_list("pk", flat=True))
        city_names = list(CITIES)
        city_weights = [weight for _province, weight in CITIES.values()]
        tag_choices = [tag for tag, _w in TAGS] + [None]
        tag_weights = [w for _t, w in TAGS] + [100 - sum(w for _t, w in TAGS)]
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
            "bant_timeline, email_key, phone_key, mobile_key, company_key, name_key, auto_tags, "
            "campaign_id, import_job_id, postcode, address_key, block_keys"
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
                            f"{rng.choice(city_names)}{rng.choice(COMPANY_WORDS)}{i % 9973}有限公司"
                        )
                        email = f"u{i}@{rng.choice(['qq.com', '163.com', 'corp.cn'])}"
                        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                    else:
                        name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
                        company = f"{rng.choice(EN_COMPANIES)} {i % 9973} GmbH"
                        email = f"{name.split()[0].lower()}.{i}@example.com"
                        mobile = ""
                    score = None if rng.random() < 0.2 else rng.randrange(101)
                    assigned = created + timedelta(hours=rng.uniform(0, 48)) if owner else None
                    last = created + (now - created) * rng.random() if owner else None
                    if chinese:
                        city = rng.choices(city_names, weights=city_weights)[0]
                        region = CITIES[city][0]
                    else:
                        city = rng.choice(list(DE_CITIES))
                        region = DE_CITIES[city]
                    tag = rng.choices(tag_choices, weights=tag_weights)[0]
                    campaign = rng.choice(campaigns) if rng.random() < 0.3 else None
                    imported = rng.choice(imports) if rng.random() < 0.2 else None
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
                        region,
                        city,
                        "",
                        _weighted(rng, INDUSTRIES),
                        "10-49",
                        "1m-10m",
                        "",
                        "ERP Cloud",
                        _weighted(rng, PRIORITIES),
                        f"{{{tag}}}" if tag else "{}",
                        "",
                        "{}",
                        status,
                        "",
                        NULL if score is None else str(score),
                        _grade(score),
                        created.isoformat(),
                        created.isoformat(),
                        assigned.isoformat() if assigned else NULL,
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
                        str(campaign) if campaign else NULL,
                        str(imported) if imported else NULL,
                        f"{rng.randrange(100000, 999999)}"
                        if chinese
                        else f"{rng.randrange(10**5):05d}",
                        "",  # the address key and blocking keys: filled by whoever needs them
                        "{}",
                    ]
                    buffer.write("\t".join(row) + "\n")
                buffer.seek(0)
                copy_sql = f"COPY leads_lead ({columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    copy.write(buffer.read())
                print(f"  loaded {min(offset + batch, count):,} leads", flush=True)
        return count / (time.monotonic() - started)


def _scenarios(tenant):
    from django.db.models import Count
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import Team, User
    from leads.models import Campaign, ImportJob, Lead, Stage

    with tenant_context(tenant):
        admin = User.objects.filter(roles__contains=["tenant_admin"]).first()
        by_owner = dict(
            Lead.objects.values("owner_id").annotate(n=Count("*")).values_list("owner_id", "n")
        )
        ranked = sorted(((n, pk) for pk, n in by_owner.items() if pk), reverse=True)
        heavy = User.objects.get(pk=ranked[0][1])
        light = User.objects.get(pk=ranked[-1][1])
        manager = User.objects.get(email="manager0@bench.example.com")
        middling = [
            str(u)
            for u in User.objects.filter(pk__in=[pk for _n, pk in ranked[20:23]]).values_list(
                "uuid", flat=True
            )
        ]
        subordinate = User.objects.filter(email="rep0-3@bench.example.com").get()
        team = Team.objects.get(name="Team 1")
        campaign = Campaign.objects.order_by("name").first()
        imported = ImportJob.objects.order_by("filename").first()
        stage = Stage.objects.order_by("position")[3]
    today = timezone.localdate()
    days = {
        "month_ago": (today - timedelta(days=60)).isoformat(),
        "month_end": (today - timedelta(days=30)).isoformat(),
        "week_ago": (today - timedelta(days=7)).isoformat(),
        "today": today.isoformat(),
        "in_a_week": (today + timedelta(days=7)).isoformat(),
        "quarter_ago": (today - timedelta(days=90)).isoformat(),
    }
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
        # The filters of the "More filters" panel, one at a time, then combined.
        ("admin: 3 owners or nobody", admin, {"scene": "all", "owner": [*middling, "none"]}),
        ("admin: team", admin, {"scene": "all", "team": str(team.uuid)}),
        ("admin: source", admin, {"scene": "all", "source": "referral"}),
        ("admin: campaign (1.5 %)", admin, {"scene": "all", "campaign": str(campaign.uuid)}),
        ("admin: stage", admin, {"scene": "all", "stage": str(stage.uuid)}),
        ("admin: province", admin, {"scene": "all", "region": "浙江"}),
        ("admin: rare city (0.1 %)", admin, {"scene": "all", "city": "拉萨"}),
        ("admin: rare industry (1 %)", admin, {"scene": "all", "industry": "mining"}),
        ("admin: rare tag (0.5 %)", admin, {"scene": "all", "tag": "VIP"}),
        ("admin: priority urgent", admin, {"scene": "all", "priority": "urgent"}),
        ("admin: score 40-60", admin, {"scene": "all", "score_min": "40", "score_max": "60"}),
        ("admin: grade A, newest", admin, {"scene": "all", "grade": "A", "sort": "created"}),
        (
            "admin: created in a month",
            admin,
            {"scene": "all", "created_from": days["month_ago"], "created_to": days["month_end"]},
        ),
        (
            "admin: assigned in a week, newest",
            admin,
            {"scene": "all", "assigned_from": days["week_ago"], "sort": "created"},
        ),
        ("admin: active this week", admin, {"scene": "all", "activity_from": days["week_ago"]}),
        (
            "admin: due in the next week, by due",
            admin,
            {"scene": "all", "due_from": days["today"], "due_to": days["in_a_week"], "sort": "due"},
        ),
        ("admin: one import (2 %)", admin, {"scene": "all", "imported": str(imported.uuid)}),
        ("admin: has duplicates (2 %)", admin, {"scene": "all", "duplicates": "1"}),
        (
            "admin: team + source + high + 90 days",
            admin,
            {
                "scene": "all",
                "team": str(team.uuid),
                "source": ["referral", "website"],
                "priority": "high",
                "created_from": days["quarter_ago"],
            },
        ),
        (
            "admin: rare city + grade A + duplicates",
            admin,
            {"scene": "all", "city": "拉萨", "grade": "A", "duplicates": "1"},
        ),
        (
            "manager: one rep, grade B, newest",
            manager,
            {"scene": "all", "owner": str(subordinate.uuid), "grade": "B", "sort": "created"},
        ),
        ("manager: subordinates take part in", manager, {"scene": "subordinates_participating"}),
        ("heavy rep: awaiting my follow-up", heavy, {"scene": "follow_up"}),
    ]


def _p95(timings: list[float]) -> float:
    timings = sorted(timings)
    return timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]


def _measure(tenant, runs: int) -> list[tuple[str, float, float, float, float]]:
    """Per scenario: the first page (median, p95) and the page with its total as the view
    counts it (lead_list_count: the planner's estimate, or a capped count)."""
    from django.http import QueryDict
    from django_tenants.utils import tenant_context

    from leads.selectors import LeadFilters, lead_list, lead_list_count

    results = []
    with tenant_context(tenant):
        for label, user, params in _scenarios(tenant):
            query = QueryDict(mutable=True)
            for key, value in params.items():
                query.setlist(key, value if isinstance(value, list) else [value])
            page = int(params.get("page", 1))
            pages, totals = [], []
            for _ in range(runs):
                started = time.perf_counter()
                filters = LeadFilters.from_query(query)
                assert not filters.problems, filters.problems
                leads = lead_list(user=user, filters=filters)
                rows = list(leads[(page - 1) * 50 : page * 50 + 1])
                pages.append((time.perf_counter() - started) * 1000)
                seen = len(rows) <= 50 and (rows or page == 1)
                total = lead_list_count(leads, seen_total=len(rows) if seen else None)
                totals.append((time.perf_counter() - started) * 1000)
            median, p95 = statistics.median(pages), _p95(pages)
            with_total, with_total_p95 = statistics.median(totals), _p95(totals)
            results.append((label, median, p95, with_total, with_total_p95))
            shown = f"{'~' if not total.exact else ''}{total.value:,}"
            print(
                f"  {label:<42} median {median:7.1f} ms  p95 {p95:7.1f} ms  "
                f"with total {with_total:7.1f} / {with_total_p95:7.1f} ms  total {shown}",
                flush=True,
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded tenant if present")
    parser.add_argument(
        "--count-exact-max",
        type=int,
        default=None,
        help="measure with another leads.selectors.LIST_COUNT_EXACT_MAX (how far the total is "
        "counted exactly before the planner's estimate is shown)",
    )
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
    _lists(tenant)
    with tenant_context(tenant):
        present = Lead.objects.count()
    rate = None
    if present < args.leads:
        print(f"loading {args.leads - present:,} leads with COPY...")
        rate = _load(tenant, args.leads - present, seed=present)
        print(f"  {rate:,.0f} rows/s")
    _members_and_duplicates(tenant, seed=present)
    if rate is not None:
        _vacuum(tenant)
    from leads import selectors

    if args.count_exact_max is not None:
        selectors.LIST_COUNT_EXACT_MAX = args.count_exact_max
    results = _measure(tenant, args.runs)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    lines = [
        f"# Lead list on {args.leads:,} leads "
        f"({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores)",
        "",
        f"COPY load: {rate:,.0f} rows/s" if rate else "COPY load: reused",
        "",
        "The first page (51 rows) as `lead_list` gives it, then the same with the total the",
        "page shows (`lead_list_count`: the planner's estimate above "
        f"{selectors.LIST_COUNT_EXACT_MAX:,} rows, else a count capped at "
        f"{selectors.LIST_COUNT_EXACT_MAX + 1:,} rows). Load average at the start: "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        "| scenario | median ms | p95 ms | with total: median ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {label} | {median:.1f} | {p95:.1f} | {total:.1f} | {total_p95:.1f} |"
            for label, median, p95, total, total_p95 in results
        ),
    ]
    (out / "lead_list_1m.md").write_text("\n".join(lines) + "\n")
    print(f"written {out / 'lead_list_1m.md'}")


if __name__ == "__main__":
    main()
