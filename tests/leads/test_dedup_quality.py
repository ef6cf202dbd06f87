"""Duplicate detection quality: hand-labelled hard pairs, and the generated labelled set
(bench/dedup_eval) kept above 0.95 precision and recall. No database needed."""

import csv
from pathlib import Path

import pytest

from leads.dedup.defaults import DEFAULT_RULES, default_rules_unsaved
from leads.dedup.keys import keys_for
from leads.dedup.matching import best_match, profile

PAIRS = Path(__file__).with_name("dedup_pairs.csv")


def _profile(row: dict, side: str) -> dict:
    data = {f: row[f"{f}_{side}"] for f in ("name", "company", "email", "phone", "mobile")}
    return profile(keys_for(data, "CN"), data["name"])


def test_hand_labelled_pairs():
    rules = default_rules_unsaved()
    with PAIRS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    wrong = []
    for row in rows:
        found = best_match(rules, _profile(row, "a"), _profile(row, "b")) is not None
        if found != (row["same"] == "1"):
            wrong.append(f"{row['why']}: expected {'same' if row['same'] == '1' else 'different'}")
    assert len(rows) >= 20
    assert wrong == []


def test_migration_starts_tenants_with_the_default_rules():
    import importlib

    migration = importlib.import_module("leads.migrations.0007_dedup_keys")
    assert migration.DEFAULT_RULES == DEFAULT_RULES


@pytest.mark.parametrize("seed", [3, 19])
def test_generated_labelled_set_stays_above_095(seed):
    import sys

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "bench" / "dedup_eval"))
    try:
        from evaluate import evaluate
        from make_dataset import make
    finally:
        sys.path.pop(0)
    rows = [{k: str(v) for k, v in r.items()} for r in make(250, seed)]
    result = evaluate(rows)
    assert result["precision"] >= 0.95, result["wrong"][:5]
    assert result["recall"] >= 0.95, result["missed"][:5]
