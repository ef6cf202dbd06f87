"""The whole-tenant duplicate scan at scale: time, memory and quality on up to a million leads.

    .venv/bin/python bench/dedup_scan_scale.py [--sizes 100000 1000000] [--seed 11]

The leads come from bench/dedup_eval/make_dataset.py (the labelled generator: colleagues who
share switchboards and mailboxes, common names, 40 % of the people entered again with realistic
changes), with larger vocabularies so that a million leads still have distinct companies. The
scan is the product's own pure code (``leads.dedup.scan.duplicate_groups`` with the default
rules) on profiles built by ``leads.identity.keys``; the database part of a real scan (one query
streaming five key columns) is left out. Peak memory is the process's maximum RSS.

Writes bench/results/dedup_scan_scale.md.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "dedup_eval"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

import make_dataset  # noqa: E402

# Company vocabularies large enough for hundreds of thousands of distinct companies.
make_dataset.BRANDS = list(
    "安百宝北博彩辰成诚创达大德鼎东都方丰福富高光广国海涵豪禾合和恒弘宏鸿华汇惠吉佳嘉"
    "建江杰金锦京晶精景久聚君凯康科蓝朗雷力立利联良林灵隆龙鲁茂美蒙明铭南宁鹏品平普齐"
    "启千强桥青清庆泉仁荣瑞润森山上尚盛胜圣世仕泰腾天通同拓万旺威伟文沃祥翔鑫新信兴星"
    "旭轩雅亚延扬耀益逸银英盈永优友宇远越云泽展长昭正之智中众卓资子"
)
_SYLLABLES = [
    "ka",
    "lo",
    "ven",
    "tri",
    "mar",
    "sol",
    "dex",
    "ber",
    "quin",
    "ro",
    "tal",
    "nor",
    "vi",
    "zen",
    "pol",
    "ar",
    "cor",
    "lu",
    "fen",
    "mo",
    "ra",
    "tes",
]
make_dataset.WORDS = sorted(
    {(a + b + c).capitalize() for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES}
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(size: int, seed: int) -> dict:
    import django

    django.setup()
    from leads.dedup.defaults import default_rules_unsaved
    from leads.dedup.profiles import data_profile
    from leads.dedup.scan import candidate_pairs, duplicate_groups

    random.seed(seed)
    started = time.monotonic()
    rows = make_dataset.make(companies=int(size / 1.66), seed=seed)[:size]
    generated = time.monotonic() - started
    started = time.monotonic()
    profiles = {r["id"]: data_profile(r, "CN") for r in rows}
    keyed = time.monotonic() - started
    rules = default_rules_unsaved()
    started = time.monotonic()
    pairs_scored = len(candidate_pairs(profiles, rules))
    candidates = time.monotonic() - started
    started = time.monotonic()
    groups = duplicate_groups(profiles, rules)
    scanned = time.monotonic() - started
    predicted = {p for g in groups for p in combinations(sorted(g.lead_ids), 2)}
    clusters = defaultdict(list)
    for r in rows:
        clusters[r["cluster"]].append(r["id"])
    truth = {p for ids in clusters.values() for p in combinations(sorted(ids), 2)}
    hits = len(predicted & truth)
    return {
        "size": len(rows),
        "generate_s": generated,
        "keys_s": keyed,
        "candidates_s": candidates,
        "scan_s": scanned,
        "pairs_scored": pairs_scored,
        "groups": len(groups),
        "precision": hits / len(predicted) if predicted else 1.0,
        "recall": hits / len(truth) if truth else 1.0,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        result = run(size, args.seed)
        results.append(result)
        print(result, flush=True)
    lines = [
        f"# Whole-tenant duplicate scan at scale ({datetime.now(UTC):%Y-%m-%d}, "
        f"{os.cpu_count()} cores, one process)",
        "",
        "Leads from the labelled generator (bench/dedup_eval/make_dataset.py, larger "
        "vocabularies); default rules; pure scan code, no database.",
        "",
        "| leads | keys s | scan s | pairs scored | groups | precision | recall | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['size']:,} | {r['keys_s']:.1f} | {r['scan_s']:.1f} | {r['pairs_scored']:,} "
            f"| {r['groups']:,} | {r['precision']:.3f} | {r['recall']:.3f} | {r['peak_mb']:,.0f} |"
            for r in results
        ),
        "",
        "Peak RSS is the process's maximum so far (it includes the generated rows), so each "
        "line is an upper bound for its size.",
    ]
    out = ROOT / "bench" / "results" / "dedup_scan_scale.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
