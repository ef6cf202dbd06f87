"""Importing 100,000 rows into a tenant that already has a million leads.

    .venv/bin/python bench/import_100k.py [--base 1000000] [--rows 100000] [--peer-rows 10000]
    .venv/bin/python bench/import_100k.py --scoring [--base 1000000] [--rows 100000]

Uses the bench database (leadcrm_bench) and its own tenant ``benchimport`` (the base leads are
loaded once with COPY, like bench/lead_list_1m.py, and kept). The file has realistic trouble:
5 % of its rows are people already in the CRM, 3 % repeat an earlier row, 2 % have a broken
email. Three ways, each on its own fresh rows and cleaned up afterwards:

1. LeadCRM's import (``import_run``: checks, duplicate detection against the million, bulk
   create with history, stage changes) from the xlsx and from the CSV;
2. the raw limit: Postgres COPY of the same rows into the lead table (no checks, no dedup);
3. the obvious peer, django-import-export (``pip install django-import-export``; not a project
   dependency) importing the same CSV through a ModelResource, on --peer-rows rows.

Writes bench/results/import_100k.md.

With ``--scoring``: the same CSV import twice instead, scoring's after-create hooks off and on.
"On" is the product's run: each committed batch queues its scoring task, a Celery worker of
this bench (``-Q scoring``, one process, on the bench database and Redis database 13, so no
other worker takes its tasks) scores while the import goes on, and the clock stops once every
created lead is scored. Writes bench/results/import_scoring.md.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("lead_list_1m", ROOT / "bench" / "lead_list_1m.py")
loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loader)  # sets DATABASE_URL to leadcrm_bench

HEADERS = ["姓名", "公司名称", "手机", "邮箱", "城市", "备注"]
TAG = "bench-import"
#: The bench's own broker (Redis database 13): its scoring tasks go to its own worker only.
BROKER = "redis://127.0.0.1:6379/13"


def _rows(count: int, existing: list[tuple[str, str]], seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    cities = list(loader.CITIES)
    rows = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.05 and existing:
            name, mobile = rng.choice(existing)
            rows.append([name, "", mobile, "", "", "already in the CRM"])
            continue
        if roll < 0.08 and rows:
            rows.append(list(rows[rng.randrange(len(rows))]))
            continue
        name = rng.choice(loader.SURNAMES) + rng.choice(loader.GIVEN) + rng.choice(loader.GIVEN)
        company = f"{rng.choice(cities)}{rng.choice(loader.COMPANY_WORDS)}{seed}{i}有限公司"
        email = f"b{seed}x{i}@corp.example" if roll > 0.10 else f"broken{i}@"
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        rows.append([name, company, mobile, email, rng.choice(cities), ""])
    return rows


def _csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Leads")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cleanup(marker: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM leads_leadstagechange WHERE lead_id IN "
            "(SELECT id FROM leads_lead WHERE source_detail = %s)",
            [marker],
        )
        cursor.execute("DELETE FROM leads_historicallead WHERE source_detail = %s", [marker])
        cursor.execute("DELETE FROM leads_lead WHERE source_detail = %s", [marker])


def _ours(rows, filename: str, data: bytes, admin) -> tuple[float, object]:
    from leads.importing.services import import_job_create, import_job_start, import_run

    started = time.monotonic()
    job = import_job_create(actor=admin, filename=filename, data=data)
    job = import_job_start(job=job, actor=admin, mapping=job.mapping, on_duplicate="skip",
                           owner=None, source_detail=TAG, run_rules=False,
                           in_worker=False)  # fmt: skip
    job = import_run(job.pk)
    return time.monotonic() - started, job


def _copy(rows) -> float:
    """COPY the rows into the lead table: every NOT NULL column gets the model's default."""
    import json
    import uuid

    from django.db import connection

    from leads.models import Lead

    fields = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    now = datetime.now(UTC)

    def text(value) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, list):
            return "{" + ",".join(value) + "}"
        if isinstance(value, dict):
            return json.dumps(value)
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value).replace("\t", " ").replace("\n", " ").replace("\\", "/")

    started = time.monotonic()
    buffer = io.StringIO()
    for name, company, mobile, email, city, _note in rows:
        given = {"name": name, "company": company, "mobile": mobile, "email": email, "city": city,
                 "source_detail": TAG, "status": "unassigned", "created_at": now,
                 "updated_at": now, "uuid": uuid.uuid4()}  # fmt: skip
        values = []
        for field in fields:
            value = given.get(field.name, field.get_default())
            values.append(text(value if field.name in given or not field.null else None))
        buffer.write("\t".join(values) + "\n")
    buffer.seek(0)
    columns = ", ".join(f.column for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY leads_lead ({columns}) FROM STDIN") as copy,
    ):
        copy.write(buffer.read())
    return time.monotonic() - started


def _peer(rows) -> float | None:
    try:
        import tablib
        from import_export import resources
    except ImportError:
        return None
    from leads.models import Lead

    class LeadResource(resources.ModelResource):
        class Meta:
            model = Lead
            fields = ("name", "company", "mobile", "email", "city", "source_detail")
            import_id_fields = ()
            use_bulk = False

    dataset = tablib.Dataset(
        headers=["name", "company", "mobile", "email", "city", "source_detail"]
    )
    for name, company, mobile, email, city, _note in rows:
        dataset.append([name, company, mobile, email, city, TAG])
    started = time.monotonic()
    result = LeadResource().import_data(dataset, dry_run=False, use_transactions=True)
    if result.has_errors():
        print("  django-import-export reported errors")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer-rows", type=int, default=10_000)
    parser.add_argument(
        "--scoring", action="store_true", help="compare the import with scoring off and on"
    )
    args = parser.parse_args()
    loader._database_create()
    if args.scoring:
        os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = BROKER
    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from leadcrm.accounts.models import User
    from leadcrm.tenancy.models import Tenant
    from leadcrm.tenancy.services import public_tenant_ensure, tenant_provision
    from leads.models import Lead

    call_command("migrate_schemas", verbosity=0)
    public_tenant_ensure()
    tenant = Tenant.objects.filter(slug="benchimport").first() or tenant_provision(
        subdomain="benchimport", name="Bench import", admin_email="admin@bench.example.com",
        admin_password="Bench-Password-2026",
    )  # fmt: skip
    loader._people(tenant)
    loader._lists(tenant)  # the campaigns and imports the loaded leads point to
    with tenant_context(tenant):
        present = Lead.objects.count()
    if present < args.base:
        print(f"loading {args.base - present:,} base leads with COPY...")
        loader._load(tenant, args.base - present, seed=present)
        with tenant_context(tenant):
            print("  filling duplicate keys of the base leads ...")
            _keys_backfill()
    results = []
    with tenant_context(tenant):
        _cleanup(TAG)  # what an interrupted earlier run left
        admin = User.objects.filter(roles__contains=["tenant_admin"]).first()
        sample = list(Lead.objects.exclude(mobile="").order_by("?")[:5000])
        _keys_fill(sample)
        existing = [(lead.name, lead.mobile) for lead in sample]
        if args.scoring:
            _scoring_compare(args, existing, admin)
            return
        for label, fmt in (("xlsx", "xlsx"), ("csv", "csv")):
            rows = _rows(args.rows, existing, seed=len(results) + 1)
            data = _xlsx_bytes(rows) if fmt == "xlsx" else _csv_bytes(rows)
            seconds, job = _ours(rows, f"bench.{fmt}", data, admin)
            print(
                f"LeadCRM {label}: {args.rows:,} rows in {seconds:.1f} s ({job.created:,} "
                f"created, {job.duplicates:,} duplicates, {job.errors:,} errors)"
            )
            results.append((f"LeadCRM import, {label}", args.rows, seconds, job))
            _cleanup(TAG)
        rows = _rows(args.rows, existing, seed=9)
        seconds = _copy(rows)
        print(f"COPY: {args.rows:,} rows in {seconds:.1f} s")
        results.append(("Postgres COPY (no checks, no dedup)", args.rows, seconds, None))
        _cleanup(TAG)
        peer_rows = _rows(args.peer_rows, existing, seed=11)
        peer = _peer(peer_rows)
        if peer is not None:
            print(f"django-import-export: {args.peer_rows:,} rows in {peer:.1f} s")
            results.append(("django-import-export (ModelResource)", args.peer_rows, peer, None))
            _cleanup(TAG)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    ours = next(r for r in results if r[0].endswith("csv"))
    ours_rate = ours[1] / ours[2]
    lines = [
        f"# Import of {args.rows:,} rows into a tenant with {args.base:,} leads "
        f"({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores)",
        "",
        "| way | rows | seconds | rows/s | vs LeadCRM (csv) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, count, seconds, _job in results:
        rate = count / seconds
        lines.append(
            f"| {label} | {count:,} | {seconds:.1f} | {rate:,.0f} | {rate / ours_rate:.2f}x |"
        )
    job = ours[3]
    lines += ["", f"LeadCRM found {job.duplicates:,} duplicates and {job.errors:,} bad rows in "
              f"the CSV run and created {job.created:,} leads."]  # fmt: skip
    (out / "import_100k.md").write_text("\n".join(lines) + "\n")
    print(f"written {out / 'import_100k.md'}")


@contextmanager
def _scoring_hooks_off():
    """Without scoring's hooks: after-create (the single one too: with no bulk hook left, an
    import calls the single hooks per lead) and before-create (the score filled in at
    insert). The bench reaches into leads.hooks' lists, which the product never needs to
    undo."""
    from leads import hooks
    from scoring.services import score_prefill
    from scoring.tasks import score_new_lead, score_new_leads

    saved = list(hooks._after_create), list(hooks._after_create_bulk)
    before = list(hooks._before_create_bulk)
    hooks._after_create[:] = [h for h in saved[0] if h[0] is not score_new_lead]
    hooks._after_create_bulk[:] = [h for h in saved[1] if h[0] is not score_new_leads]
    hooks._before_create_bulk[:] = [h for h in before if h is not score_prefill]
    try:
        yield
    finally:
        hooks._after_create[:], hooks._after_create_bulk[:] = saved
        hooks._before_create_bulk[:] = before


def _scoring_worker() -> subprocess.Popen:
    """A Celery worker on the scoring queue, the bench database and the bench's broker."""
    from leadcrm.celery import app

    app.control.purge()
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": BROKER}
    log = (ROOT / ".data" / "bench-scoring-worker.log").open("w")
    worker = subprocess.Popen(  # noqa: S603 - a fixed argument list
        [sys.executable, "-m", "celery", "-A", "leadcrm", "worker", "-Q", "scoring",
         "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO",
         "--hostname", f"bench-scoring-{os.getpid()}@%h", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the bench's scoring worker did not start; see .data/")
    return worker


def _scored(marker: str) -> int:
    from scoring.models import LeadScore

    return LeadScore.objects.filter(lead__source_detail=marker).count()


def _scoring_compare(args, existing, admin) -> None:
    """The CSV import of the same rows with scoring off, then on (until scored), then off
    again (the two "off" runs show the noise of the machine)."""
    from scoring.models import LeadScoreChange

    rows = _rows(args.rows, existing, seed=21)
    data = _csv_bytes(rows)
    (ROOT / ".data").mkdir(exist_ok=True)
    worker = _scoring_worker()
    runs = []
    try:
        for scoring in (False, True, False):
            _cleanup(TAG)
            started = time.monotonic()
            if scoring:
                imported, job = _ours(rows, "bench.csv", data, admin)
            else:
                with _scoring_hooks_off():
                    imported, job = _ours(rows, "bench.csv", data, admin)
            while scoring and _scored(TAG) < job.created:
                if worker.poll() is not None:
                    raise RuntimeError("the bench's scoring worker died; see .data/")
                time.sleep(0.2)
            total = time.monotonic() - started
            scored = _scored(TAG)
            history = LeadScoreChange.objects.filter(lead__source_detail=TAG).count()
            print(
                f"scoring {'on' if scoring else 'off'}: import {imported:.1f} s, until scored "
                f"{total:.1f} s ({job.created:,} created, {scored:,} scored, {history:,} "
                "score history rows)",
                flush=True,
            )
            runs.append((scoring, imported, total, job.created, scored, os.getloadavg()[0]))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        _cleanup(TAG)
    off = min(r[2] for r in runs if not r[0])
    on = next(r for r in runs if r[0])
    lines = [
        f"# Import of {args.rows:,} rows with and without scoring, into a tenant with "
        f"{args.base:,} leads ({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores)",
        "",
        "CSV import (`import_run`, as bench/import_100k.py), the same rows each run. Scoring "
        "on: each batch of 500 queues a `score_leads` task; one Celery worker process "
        "(`-Q scoring --concurrency 1`) scores while the import goes on, and the run ends "
        "when every created lead is scored. Scoring off: scoring's after-create hooks "
        "unregistered.",
        "",
        "| run | import (s) | import + scoring done (s) | leads created | leads scored | "
        "load (1 min) at the end |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for scoring, imported, total, created, scored, load in runs:
        label = "scoring on" if scoring else "scoring off"
        lines.append(
            f"| {label} | {imported:.1f} | {total:.1f} | {created:,} | {scored:,} | {load:.1f} |"
        )
    lines += [
        "",
        f"Scoring makes the run {100 * (on[2] / off - 1):+.1f} % longer "
        f"({on[2]:.1f} s against {off:.1f} s, the faster run without scoring).",
    ]
    out = ROOT / "bench" / "results" / "import_scoring.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"written {out}")


def _keys_fill(leads) -> None:
    """All duplicate keys, by the product's normaliser, for the leads the file will repeat (the
    SQL backfill cannot write pinyin name keys; without them only the exact rules could
    match those rows)."""
    from leads.identity.keys import lead_keys_fill
    from leads.models import DEDUP_KEY_FIELDS, Lead, default_region

    region = default_region()
    for lead in leads:
        lead_keys_fill(lead, region)
    Lead.objects.bulk_update(leads, list(DEDUP_KEY_FIELDS), batch_size=1000)


def _keys_backfill() -> None:
    """Exact keys for the COPY-loaded base (COPY bypasses Lead.save): email lower-cased,
    Chinese mobiles in E.164, in SQL (a million rows through Python would take minutes).
    The bench's "already in the CRM" rows reuse these mobiles."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET email_key = lower(email), mobile_key = CASE WHEN mobile ~ "
            "'^1[0-9]{10}$' THEN '+86' || mobile ELSE '' END "
            "WHERE email_key = '' AND mobile_key = ''"
        )
        # Blocking keys (leads.identity.keys.block_keys) near enough for timing the import's
        # lookups: the company's halves and each name word with the postcode.
        cursor.execute(
            "UPDATE leads_lead SET block_keys = ARRAY["
            "'c<' || left(c, 5), 'c>' || right(c, 5), "
            "'z:' || postcode || ':' || left(split_part(n, ' ', 1), 3), "
            "'z:' || postcode || ':' || left(split_part(n, ' ', 2), 3)]::varchar[] "
            "FROM (SELECT id AS pk, lower(regexp_replace(company, '[^[:alnum:]]', '', 'g')) AS c, "
            "lower(name) AS n FROM leads_lead) AS k WHERE id = k.pk AND block_keys = '{}'"
        )
        cursor.execute("ANALYZE leads_lead")


if __name__ == "__main__":
    main()
