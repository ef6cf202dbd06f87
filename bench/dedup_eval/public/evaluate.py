"""Duplicate detection scored on public labelled record-linkage data (FEBRL, Fodors-Zagat).

    .venv/bin/python bench/dedup_eval/public/evaluate.py [--mode memory|ops|both]
        [--sets NAME ...] [--holdout] [--out bench/results/dedup_public.md] [--show 5]

The data, its splits and the way a record becomes a lead: README.md in this folder. Without
--holdout only the development sets are loaded; naming a hold-out set without it is refused
before anything is read (sources.datasets_chosen).

--mode memory (default; no database): the product's profiles, duplicate groups and blocking
  called directly: leads.dedup.matching.data_profile, leads.dedup.scan.duplicate_groups with
  leads.dedup.defaults.default_rules_unsaved, leads.dedup.scan.candidate_pairs.
--mode ops: what a customer's ops person does, each step a manage.py command: a fresh tenant
  (provision_tenant), each source file imported as a CSV (import_leads --on-duplicate flag),
  then dedup_scan --format json. Rows the import skips as repeats of an earlier row of the
  file (it always does) are read back from its problem report; they join the scan's groups.
  Database leadcrm_dedupeval (created and migrated if missing), Redis database 11; each
  tenant is dropped at the end, also after a failure.

Measures per data set: records, true pairs, candidate pairs and blocking recall (memory
mode only: the ops commands do not print them), predicted pairs (every pair inside a
predicted group), pairwise precision, recall, F1, and up to --show false and missed pairs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(HERE), str(ROOT)]

from measures import (  # noqa: E402
    blocking_recall,
    groups_from_links,
    pair,
    pair_scores,
    pairs_within,
    true_pairs,
)
from sources import (  # noqa: E402
    CACHE,
    HOLDOUT,
    LA_AREA_CODES,
    DataSet,
    FetchError,
    Record,
    datasets_chosen,
)

OPS_DATABASE = "leadcrm_dedupeval"
OPS_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{OPS_DATABASE}"
OPS_REDIS_URL = "redis://127.0.0.1:6379/11"
OPS_SETTINGS = "leadcrm.settings.dev"
TENANT_PREFIX = "dedupeval-"
#: CSV header → lead field, as an ops person maps the columns; a field the lead model does
#: not have yet (postcode) stays unmapped, and is picked up once it is an import target.
COLUMNS = [
    ("External ID", "external_id", None),
    ("Name", "name", "name"),
    ("Company", "company", "company"),
    ("Address", "address", "address"),
    ("City", "city", "city"),
    ("Region", "region", "region"),
    ("Postcode", "postcode", "postcode"),
    ("Country", "country", "country"),
    ("Phone", "phone", "phone"),
]  # (header, import target, key of Record.data; None: the record id)
SHOWN_FIELDS = ("name", "company", "address", "city", "region", "postcode", "phone")


class EvaluationError(Exception):
    """A step of the evaluation failed; the message says which and why."""


# -- memory mode -----------------------------------------------------------------------------


def _memory_calls():
    from leads.dedup.defaults import default_rules_unsaved
    from leads.dedup.matching import data_profile
    from leads.dedup.scan import candidate_pairs, duplicate_groups

    return data_profile, duplicate_groups, candidate_pairs, default_rules_unsaved


def memory_smoke_check(region: str) -> None:
    """The calls still mean what this script expects: two leads with one email and one
    number are one group and one candidate pair, a third unlike them is in no group. Without
    it a renamed key or a changed return would score zero quietly, like a baseline would."""
    data_profile, duplicate_groups, candidate_pairs, default_rules_unsaved = _memory_calls()
    same = {"name": "Ada Lovelace", "email": "ada@example.org", "phone": "+44 20 7946 0018"}
    other = {"name": "Charles Babbage", "email": "cb@example.com", "phone": "+44 20 7946 0999"}
    profiles = {1: data_profile(dict(same), region), 2: data_profile(dict(same), region),
                3: data_profile(dict(other), region)}  # fmt: skip
    rules = default_rules_unsaved()
    groups = [sorted(g.lead_ids) for g in duplicate_groups(profiles, rules)]
    candidates = {tuple(sorted(p)) for p in candidate_pairs(profiles, rules)}
    if groups != [[1, 2]] or (1, 2) not in candidates:
        raise EvaluationError(
            "the product's dedup calls no longer behave as this script expects (two leads "
            f"with one email and phone gave groups {groups}, candidate pairs "
            f"{sorted(candidates)}): fix evaluate.py before trusting any figure"
        )


def run_memory(dataset: DataSet, records: list[Record]) -> dict:
    data_profile, duplicate_groups, candidate_pairs, default_rules_unsaved = _memory_calls()
    memory_smoke_check(dataset.region)
    rules = default_rules_unsaved()
    ids = [r.id for r in records]
    started = time.perf_counter()
    profiles = {i: data_profile(dict(r.data), dataset.region) for i, r in enumerate(records)}
    groups = duplicate_groups(profiles, rules)
    seconds = time.perf_counter() - started
    predicted_groups = [[ids[i] for i in group.lead_ids] for group in groups]
    candidates = {pair(ids[a], ids[b]) for a, b in candidate_pairs(profiles, rules)}
    return {"groups": predicted_groups, "candidates": candidates, "seconds": seconds}


# -- ops mode --------------------------------------------------------------------------------


def ops_environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": OPS_SETTINGS,
        "DATABASE_URL": OPS_DATABASE_URL,
        "REDIS_URL": OPS_REDIS_URL,
        "CELERY_BROKER_URL": OPS_REDIS_URL,
        "CELERY_RESULT_BACKEND": OPS_REDIS_URL,
    }


def manage(*args: str) -> str:
    """Run ``manage.py`` with the ops environment; its stdout, or EvaluationError."""
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=ops_environment(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        shown = " ".join(
            "***" if before == "--admin-password" else arg
            for before, arg in zip(("", *args), args, strict=False)
        )
        raise EvaluationError(f"manage.py {shown} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def ops_prepare() -> None:
    """The database (created if missing), its shared tables and public tenant, and no tenant
    left over from an interrupted run."""
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [OPS_DATABASE]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{OPS_DATABASE}"')
    manage("migrate_schemas", "--shared", "-v0")
    manage("ensure_public_tenant")
    from leadcrm.tenancy.models import Tenant

    for tenant in Tenant.objects.filter(slug__startswith=TENANT_PREFIX):
        print(f"dropping tenant {tenant.slug} left by an earlier run")
        tenant.delete(force_drop=True)


def ops_queues_clear() -> None:
    """Remove the tasks the imports queued (scoring each new lead) from the evaluation's own
    Redis database: no worker reads it, and their tenants are gone."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(OPS_REDIS_URL)
    client.delete(*settings.CELERY_TASK_QUEUES_NAMES)


def tenant_drop(slug: str) -> None:
    from leadcrm.tenancy.models import Tenant

    for tenant in Tenant.objects.filter(slug=slug):
        tenant.delete(force_drop=True)


_SUMMARY = re.compile(
    r"(\d+) rows, (\d+) created, (\d+) updated, (\d+) skipped \((\d+) duplicates\), "
    r"(\d+) with problems, (\d+) cells left out"
)
_REPEAT = re.compile(r"duplicate of row (\d+) in this file")


def import_summary(stdout: str) -> dict[str, int]:
    match = _SUMMARY.search(stdout)
    if match is None:
        raise EvaluationError(f"import_leads printed no summary this script can read:\n{stdout}")
    keys = ("rows", "created", "updated", "skipped", "duplicates", "problems", "left_out")
    return dict(zip(keys, map(int, match.groups()), strict=True))


def report_issues(path: Path) -> list[tuple[int, str, str, str]]:
    """(row, column, reason, imported?) of the problem report's first sheet."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    return [(int(r[0]), r[1] or "", r[3] or "", r[4] or "") for r in rows[1:] if r and r[0]]


def write_import_file(path: Path, records: list[Record], targets: set[str]) -> Path:
    """The CSV and its column mapping (a JSON file next to it); columns the records have."""
    columns = [
        (header, target, key)
        for header, target, key in COLUMNS
        if key is None or any(r.data.get(key) for r in records)
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _target, _key in columns])
        for record in records:
            writer.writerow([record.id if key is None else record.data.get(key, "")
                             for _header, _target, key in columns])  # fmt: skip
    mapping = {header: target for header, target, _key in columns if target in targets}
    mapping_path = path.with_suffix(".mapping.json")
    mapping_path.write_text(json.dumps(mapping), encoding="utf-8")
    return mapping_path


def run_ops(dataset: DataSet, records: list[Record], workdir: Path) -> dict:
    """Provision, import each source file, scan, drop the tenant (always)."""
    from leads.importing.mapping import BUILTIN_TARGETS

    slug = f"{TENANT_PREFIX}{dataset.name}-{secrets.token_hex(3)}"
    password = f"Eval-{secrets.token_urlsafe(12)}-9"
    files: dict[str, list[Record]] = {}
    for record in records:
        files.setdefault(record.file, []).append(record)
    manage("provision_tenant", slug, "--name", f"Dedup evaluation {dataset.name}",
           "--admin-email", "ops@example.com", "--admin-password", password,
           "--language", "en")  # fmt: skip
    links: list[tuple[str, str]] = []
    counts = {"refused": 0, "repeats": 0, "flagged": 0, "left_out": 0}
    seconds = 0.0
    try:
        for label, rows in files.items():
            path = workdir / f"{dataset.name}-{label}.csv"
            mapping = write_import_file(path, rows, set(BUILTIN_TARGETS))
            report = path.with_suffix(".problems.xlsx")
            started = time.perf_counter()
            out = manage(
                "import_leads", slug, str(path), "--on-duplicate", "flag", "--no-rules",
                "--mapping", str(mapping), "--report", str(report),
            )  # fmt: skip
            seconds += time.perf_counter() - started
            summary = import_summary(out)
            print(f"  import_leads {out.strip().splitlines()[0]}")
            landed = summary["created"] + summary["skipped"] + summary["problems"]
            if summary["rows"] != len(rows) or landed != len(rows) or summary["updated"]:
                raise EvaluationError(f"{path.name}: {len(rows)} records, import read {summary}")
            by_row = {n: r.id for n, r in enumerate(rows, start=2)}  # header = row 1
            repeats, refused = 0, set()
            for row, column, reason, imported in report_issues(report) if report.exists() else []:
                repeat = _REPEAT.search(reason)
                if repeat:
                    links.append((by_row[row], by_row[int(repeat.group(1))]))
                    repeats += 1
                elif imported == "no":
                    refused.add(row)
                elif not column:  # not a cell left out: a duplicate outcome not expected here
                    raise EvaluationError(f"{path.name} row {row}: unexpected outcome {reason!r}")
            nameless = {n for n, r in enumerate(rows, start=2) if not r.data.get("name")}
            if refused != nameless or summary["problems"] != len(nameless):
                raise EvaluationError(
                    f"{path.name}: rows refused {sorted(refused)[:5]} (expected only the "
                    f"{len(nameless)} without a name)"
                )
            counts["refused"] += len(refused)
            counts["repeats"] += repeats
            counts["flagged"] += summary["duplicates"] - repeats
            counts["left_out"] += summary["left_out"]
        started = time.perf_counter()
        scanned = json.loads(manage("dedup_scan", slug, "--format", "json"))
        seconds += time.perf_counter() - started
    finally:
        tenant_drop(slug)
    known = {r.id for r in records}
    scan_groups = [[lead["external_id"] for lead in g["leads"]] for g in scanned["groups"]]
    strays = {rid for g in scan_groups for rid in g} - known
    if strays:
        raise EvaluationError(f"the scan grouped leads of no record: {sorted(strays)[:5]}")
    return {
        "groups": groups_from_links(links, scan_groups),
        "candidates": None,
        "seconds": seconds,
        "ops": {**counts, "scan_groups": len(scan_groups), "import_links": len(links)},
    }


# -- scoring and writing ---------------------------------------------------------------------


def score(records: list[Record], run: dict) -> dict:
    truth = true_pairs({r.id: r.cluster for r in records})
    predicted = pairs_within(run["groups"])
    unknown = {x for p in predicted for x in p} - {r.id for r in records}
    if unknown:
        raise EvaluationError(f"predicted pairs name unknown records: {sorted(unknown)[:5]}")
    result = {**pair_scores(predicted, truth), "records": len(records), "seconds": run["seconds"]}
    candidates = run["candidates"]
    result["candidate_pairs"] = None if candidates is None else len(candidates)
    result["blocking_recall"] = None if candidates is None else blocking_recall(candidates, truth)
    result["false"] = sorted(predicted - truth)
    result["missed"] = sorted(truth - predicted)
    result["predicted"] = predicted
    result["ops"] = run.get("ops")
    return result


def _num(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int) else f"{value:.{digits}f}"


def _record_text(record: Record) -> str:
    shown = " | ".join(record.data[f] for f in SHOWN_FIELDS if record.data.get(f))
    return f"{record.id}: {shown}"


def pair_lines(pairs, by_id: dict[str, Record], limit: int) -> list[str]:
    return [f"{_record_text(by_id[a])}  ⟷  {_record_text(by_id[b])}" for a, b in pairs[:limit]]


def print_result(dataset: DataSet, mode: str, result: dict, by_id, show: int) -> None:
    print(
        f"{dataset.name} [{mode}] {result['records']:,} records, {result['true_pairs']:,} true "
        f"pairs, {_num(result['candidate_pairs'])} candidate pairs (blocking recall "
        f"{_num(result['blocking_recall'])}), {result['predicted_pairs']:,} predicted pairs: "
        f"precision {_num(result['precision'])}, recall {_num(result['recall'])}, "
        f"F1 {_num(result['f1'])} ({result['seconds']:.2f} s)"
    )
    if result["ops"]:
        print(f"  ops: {result['ops']}")
    for label, pairs in (("false pair", result["false"]), ("missed pair", result["missed"])):
        for line in pair_lines(pairs, by_id, show):
            print(f"  {label}: {line}")


SPLITS_TEXT = f"""\
- **Development** (scored by default): `febrl1` (FEBRL dataset1), `febrl2` (dataset2) and
  `restaurants-la`: the Fodors–Zagat restaurants whose Fodor's phone has a Los Angeles area
  code: {", ".join(sorted(LA_AREA_CODES))} (213, 310 and 818 occur in Fodor's, 805 only in
  Zagat's).
- **Hold-out** (scored only with `--holdout`, once, at the end): `febrl3`, `febrl4` (dataset4a
  + dataset4b as one tenant of 10,000 leads) and `restaurants-other` (New York, San
  Francisco, Atlanta, Las Vegas ...). A true pair belongs to the split of its Fodor's
  record; a Zagat record with no true pair goes by its own area code."""


def write_markdown(path: Path, results: list, show: int) -> None:
    modes = sorted({mode for _d, mode, _r, _b in results})
    lines = [
        "# Duplicate detection on public labelled data",
        "",
        f"`bench/dedup_eval/public/evaluate.py --mode {'both' if len(modes) > 1 else modes[0]}`"
        f" on {datetime.now(UTC):%Y-%m-%d}, commit {_commit()}: the default duplicate rules of "
        "a new tenant (leads.dedup.defaults). Data, mapping and splits: "
        "`bench/dedup_eval/public/README.md`.",
        "",
        "## Splits",
        "",
        SPLITS_TEXT,
        "",
        "## Results",
        "",
        "| data set | split | mode | records | true pairs | candidate pairs | blocking recall "
        "| predicted pairs | precision | recall | F1 | seconds |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for dataset, mode, r, _by_id in results:
        lines.append(
            f"| {dataset.name} | {dataset.split} | {mode} | {r['records']:,} | "
            f"{r['true_pairs']:,} | {_num(r['candidate_pairs'])} | {_num(r['blocking_recall'])} "
            f"| {r['predicted_pairs']:,} | {_num(r['precision'])} | {_num(r['recall'])} | "
            f"{_num(r['f1'])} | {r['seconds']:.2f} |"
        )
    lines += [
        "",
        "Pairs: every pair of records inside one predicted group against every pair of one "
        "person (FEBRL) or restaurant (the labelled Fodors–Zagat matches). Precision is "
        "undefined (–) when nothing is predicted. Candidate pairs: the pairs the scan's "
        "blocking lets through to the rules (`leads.dedup.scan.candidate_pairs`); the ops "
        "commands do not print them (–). Seconds: memory, profiles and grouping in one Python "
        "process; ops, the import and scan commands including each process's start "
        "(provisioning left out).",
    ]
    ops = [(d, r) for d, mode, r, _b in results if mode == "ops"]
    if ops:
        lines += [
            "",
            "## Ops mode: what each step did",
            "",
            "| data set | rows refused (no name) | rows skipped as repeats of an earlier row "
            "(import) | rows imported with the duplicate tag | scan groups | predicted groups |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for dataset, r in ops:
            o = r["ops"]
            groups = len(groups_from_links(r["predicted"]))
            lines.append(
                f"| {dataset.name} | {o['refused']:,} | {o['repeats']:,} | {o['flagged']:,} | "
                f"{o['scan_groups']:,} | {groups:,} |"
            )
    differences = mode_differences(results)
    if differences:
        lines += [
            "",
            "## Where the two modes differ",
            "",
            "Pairs predicted by one mode and not the other (why they can differ: README.md).",
            "",
        ]
        for name, (only_memory, only_ops, by_id) in differences.items():
            lines.append(
                f"- **{name}**: {len(only_memory)} pairs predicted in memory only, "
                f"{len(only_ops)} in ops only."
            )
            for label, pairs in (("memory only", only_memory), ("ops only", only_ops)):
                for a, b in pairs[:show]:
                    kind = "true" if by_id[a].cluster == by_id[b].cluster else "false"
                    lines.append(f"  - {label}: `{a}` + `{b}` ({kind} pair)")
    lines += [
        "",
        f"False and missed pairs (up to --show, {show} here) are printed with both records "
        "when the script runs; they are not kept here, as the data is not committed.",
    ]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def mode_differences(results: list) -> dict[str, tuple[list, list, dict]]:
    """{data set: (pairs predicted in memory only, in ops only, records by id)} for the data
    sets scored in both modes."""
    runs: dict[str, dict] = {}
    for dataset, mode, result, by_id in results:
        runs.setdefault(dataset.name, {})[mode] = (result["predicted"], by_id)
    out = {}
    for name, modes in runs.items():
        if len(modes) == 2:
            (memory, by_id), (ops, _by_id) = modes["memory"], modes["ops"]
            out[name] = (sorted(memory - ops), sorted(ops - memory), by_id)
    return out


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["memory", "ops", "both"], default="memory")
    parser.add_argument("--sets", nargs="+", metavar="NAME", help="only these data sets")
    parser.add_argument(
        "--holdout", action="store_true", help="also score the hold-out sets (once, at the end)"
    )
    parser.add_argument("--out", type=Path, help="write the Markdown results here")
    parser.add_argument("--show", type=int, default=5, help="false and missed pairs shown")
    args = parser.parse_args()
    try:
        chosen = datasets_chosen(args.sets, args.holdout)
    except ValueError as error:
        parser.error(str(error))
    modes = ["memory", "ops"] if args.mode == "both" else [args.mode]
    if "ops" in modes:
        os.environ.update(ops_environment())  # this process drops the tenants it made
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.dev")
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    import django

    django.setup()
    results = []
    workdir = None
    try:
        if "ops" in modes:
            ops_prepare()
            CACHE.mkdir(parents=True, exist_ok=True)
            workdir = Path(tempfile.mkdtemp(prefix="ops-", dir=CACHE))
        for dataset in chosen:
            records = dataset.load(CACHE)
            by_id = {r.id: r for r in records}
            if len(by_id) != len(records):
                raise EvaluationError(f"{dataset.name}: record ids are not unique")
            for mode in modes:
                run = run_memory(dataset, records) if mode == "memory" else None
                if mode == "ops":
                    print(f"{dataset.name} [ops] provisioning a tenant, importing, scanning ...")
                    run = run_ops(dataset, records, workdir)
                result = score(records, run)
                print_result(dataset, mode, result, by_id, args.show)
                results.append((dataset, mode, result, by_id))
    except FetchError as error:
        sys.exit(f"FETCH FAILED: {error}")
    except EvaluationError as error:
        sys.exit(f"EVALUATION FAILED: {error}")
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
            ops_queues_clear()
    for name, (only_memory, only_ops, by_id) in mode_differences(results).items():
        print(f"{name}: {len(only_memory)} pairs in memory mode only, {len(only_ops)} in ops only")
        for label, pairs in (("memory only", only_memory), ("ops only", only_ops)):
            for line in pair_lines(pairs, by_id, args.show):
                print(f"  {label}: {line}")
    if args.out:
        write_markdown(args.out, results, args.show)
        print(f"written {args.out}")
    if not any(d.split == HOLDOUT for d in chosen):
        print("hold-out sets: not loaded (they are scored only with --holdout)")


if __name__ == "__main__":
    main()
