"""Precision and recall of duplicate detection on a labelled set.

    .venv/bin/python bench/dedup_eval/evaluate.py [--data FILE] [--write]

Runs the product's own code (leads.dedup: keys, the default rules, the scan's blocking and
grouping) on the rows, without a database, and compares with the ``cluster`` labels:

- pairs: every pair of rows the scan puts in one group vs every pair of one person;
- records: a row that has a duplicate counts as found when the scan groups it with one.

With --write, results go to bench/results/dedup_eval.md. The data comes from make_dataset.py
(or any CSV with id, cluster, name, company, email, phone, mobile).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def evaluate(rows: list[dict], region: str = "CN") -> dict:
    from leads.dedup.defaults import default_rules_unsaved
    from leads.dedup.profiles import data_profile
    from leads.dedup.scan import duplicate_groups

    started = time.monotonic()
    profiles = {int(r["id"]): data_profile(r, region) for r in rows}
    groups = duplicate_groups(profiles, default_rules_unsaved())
    seconds = time.monotonic() - started
    predicted = {pair for g in groups for pair in combinations(sorted(g.lead_ids), 2)}
    by_cluster = defaultdict(list)
    for r in rows:
        by_cluster[r["cluster"]].append(int(r["id"]))
    truth = {pair for ids in by_cluster.values() for pair in combinations(sorted(ids), 2)}
    hits = predicted & truth
    precision = len(hits) / len(predicted) if predicted else 1.0
    recall = len(hits) / len(truth) if truth else 1.0
    grouped_with = defaultdict(set)
    for g in groups:
        for pk in g.lead_ids:
            grouped_with[pk] = set(g.lead_ids) - {pk}
    cluster_of = {int(r["id"]): r["cluster"] for r in rows}
    with_dup = [pk for ids in by_cluster.values() if len(ids) > 1 for pk in ids]
    found = sum(
        1 for pk in with_dup if any(cluster_of[o] == cluster_of[pk] for o in grouped_with[pk])
    )
    wrong = [(a, b) for a, b in predicted - truth]
    missed = [(a, b) for a, b in truth - predicted]
    return {
        "rows": len(rows),
        "people": len(by_cluster),
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "record_recall": found / len(with_dup) if with_dup else 1.0,
        "seconds": seconds,
        "wrong": wrong,
        "missed": missed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(ROOT / "bench" / "dedup_eval" / "dataset.csv"))
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--show", type=int, default=8, help="print this many errors of each kind")
    args = parser.parse_args()
    import django

    django.setup()
    with open(args.data, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    result = evaluate(rows)
    by_id = {int(r["id"]): r for r in rows}
    print(
        f"{result['rows']} rows, {result['people']} people, {result['true_pairs']} true pairs: "
        f"precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
        f"F1 {result['f1']:.3f}, record recall {result['record_recall']:.3f} "
        f"({result['seconds']:.2f} s)"
    )
    fields = ("name", "company", "email", "phone", "mobile")
    for label, pairs in (("false positive", result["wrong"]), ("missed", result["missed"])):
        for a, b in pairs[: args.show]:
            print(f"{label}:\n  {[by_id[a][f] for f in fields]}\n  {[by_id[b][f] for f in fields]}")
    if args.write:
        out = ROOT / "bench" / "results" / "dedup_eval.md"
        out.write_text(
            "# Duplicate detection on the labelled set\n\n"
            f"Data: `{Path(args.data).name}` ({result['rows']} rows, {result['people']} people, "
            f"{result['true_pairs']} duplicate pairs), default rules, the scan's blocking.\n\n"
            "| measure | value |\n|---|---:|\n"
            f"| pairwise precision | {result['precision']:.3f} |\n"
            f"| pairwise recall | {result['recall']:.3f} |\n"
            f"| F1 | {result['f1']:.3f} |\n"
            "| records with a duplicate that were grouped with one | "
            f"{result['record_recall']:.3f} |\n"
            f"| scan time (pure Python, 2 cores) | {result['seconds']:.2f} s |\n"
        )
        print(f"written {out}")


if __name__ == "__main__":
    main()
