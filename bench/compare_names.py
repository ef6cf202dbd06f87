"""How fast, and how right, are the name and company comparisons of leads.dedup.compare?

    .venv/bin/python bench/compare_names.py [--pairs 20000] [--seed 7] [--write]

Speed: random pairs of names and companies from the labelled set of bench/dedup_eval
(Chinese, pinyin and Western): the preparation of each distinct string (done once, then
cached), and a comparison with the strings prepared (as in a scan or a busy tenant), in
microseconds per call, the best of five runs.

Rightness: on the generated labelled set (make_dataset.make), every pair of rows of one
person (positives) and every pair of two people whose companies share a blocking prefix
(hard negatives: colleagues, look-alike firms). A pair is accepted when name and company
both reach 85 (the "Similar company and name" default rule), for the old scorer
(matching._name_score / _company_score on the stored keys) and the new functions.

With --write, results go to bench/results/compare_names.md. No database needed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "dedup_eval"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

THRESHOLD = 85


def timing(rows: list[dict], count: int, seed: int) -> dict[str, float]:
    from leads.dedup import compare

    compare.person_name_similarity("Bob", "Robert")  # loads the nicknames list once
    rng = random.Random(seed)
    pairs = [(rng.choice(rows), rng.choice(rows)) for _ in range(count)]
    people = [(a["name"], b["name"]) for a, b in pairs]
    firms = [(a["company"], b["company"]) for a, b in pairs]
    result = {}
    for label, function, items, prepare in (
        ("person", compare.person_name_similarity, people, compare._person),
        ("company", compare.company_name_similarity, firms, compare._company),
    ):
        prepare.cache_clear()
        compare._part_score.cache_clear()
        strings = list(dict.fromkeys(s for pair in items for s in pair))
        started = time.perf_counter()
        for text in strings:
            prepare(text)
        result[f"{label}_prepare_us"] = (time.perf_counter() - started) / len(strings) * 1e6
        result[f"{label}_strings"] = len(strings)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for a, b in items:
                function(a, b)
            runs.append((time.perf_counter() - started) / len(items) * 1e6)
        result[f"{label}_warm_us"] = min(runs)
    return result


def rightness(seed: int) -> dict[str, tuple[int, int]]:
    import django

    django.setup()
    from make_dataset import make

    from leads.dedup.compare import company_name_similarity, person_name_similarity
    from leads.dedup.matching import _company_score, _name_score, profile
    from leads.identity.keys import keys_for

    rows = [{k: str(v) for k, v in r.items()} for r in make(700, seed)]
    profiles = {r["id"]: profile(keys_for(r, "CN"), r["name"]) for r in rows}
    by_person, by_block = defaultdict(list), defaultdict(list)
    for r in rows:
        by_person[r["cluster"]].append(r)
        by_block[profiles[r["id"]]["company_key"][:4]].append(r)
    positives = [p for rs in by_person.values() for p in itertools.combinations(rs, 2)]
    negatives = [
        (a, b)
        for rs in by_block.values()
        for a, b in itertools.combinations(rs, 2)
        if a["cluster"] != b["cluster"]
    ]

    def old(a, b):
        left, right = profiles[a["id"]], profiles[b["id"]]
        return min(_name_score(left, right), _company_score(left, right)) >= THRESHOLD

    def new(a, b):
        return (
            min(
                person_name_similarity(a["name"], b["name"]),
                company_name_similarity(a["company"], b["company"]),
            )
            >= THRESHOLD
        )

    usable = [(a, b) for a, b in positives if a["company"] and b["company"]]
    hard = [(a, b) for a, b in negatives if a["company"] and b["company"]]
    return {
        "positives": len(usable),
        "negatives": len(hard),
        "old_found": sum(old(a, b) for a, b in usable),
        "new_found": sum(new(a, b) for a, b in usable),
        "old_wrong": sum(old(a, b) for a, b in hard),
        "new_wrong": sum(new(a, b) for a, b in hard),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    from make_dataset import make

    rows = make(700, args.seed)
    speed = timing(rows, args.pairs, args.seed)
    lines = [
        "# Name and company comparison (leads.dedup.compare)",
        "",
        f"{args.pairs} random pairs from the labelled set (seed {args.seed}), µs per call:",
        "",
        "| comparison | preparing a new string (once, then cached) | a call, warm cache |",
        "|---|---|---|",
        f"| person_name_similarity | {speed['person_prepare_us']:.1f} "
        f"({speed['person_strings']} names) | {speed['person_warm_us']:.1f} |",
        f"| company_name_similarity | {speed['company_prepare_us']:.1f} "
        f"({speed['company_strings']} companies) | {speed['company_warm_us']:.1f} |",
        "",
        f"Name and company both >= {THRESHOLD} on the generated labelled sets "
        "(people with a company on both rows):",
        "",
        "| seed | same person found, old | new | hard negatives accepted, old | new |",
        "|---|---|---|---|---|",
    ]
    for seed in (args.seed, 3, 19):
        r = rightness(seed)
        lines.append(
            f"| {seed} | {r['old_found']}/{r['positives']} | {r['new_found']}/{r['positives']} "
            f"| {r['old_wrong']}/{r['negatives']} | {r['new_wrong']}/{r['negatives']} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (ROOT / "bench" / "results" / "compare_names.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
