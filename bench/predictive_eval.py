"""The per-tenant conversion model on independent public data: the "X Education" leads.

Usage::

    python bench/predictive_eval.py /path/to/Leads.csv [--json]

The file is the public X Education lead-scoring data set (one row per lead, a ``Converted`` 0/1
column). It is not shipped with LeadCRM: pass its path. The script imports only the pure parts
of the model (``scoring.predictive.features`` and ``scoring.predictive.model``), so it needs
neither a database nor ``django.setup()``.

Mapping: each row becomes what a tenant importing this file would have.

* ``Lead Source`` -> the source code (lowercased, spaces to ``_``: "Olark Chat" ->
  ``olark_chat``; "Google" and "google" become one source).
* ``Country`` -> country, ``Specialization`` -> industry, ``City`` -> region.
* Custom fields: ``Lead Origin``, ``What is your current occupation``, ``What matters most to
  you in choosing a course``, ``How did you hear about X Education`` and ``Last Activity`` are
  choices; ``Do Not Email``, ``Do Not Call`` and ``A free copy of Mastering The Interview`` are
  yes/no; ``TotalVisits``, ``Total Time Spent on Website`` and ``Page Views Per Visit`` are
  numbers.
* "Select" (the web form's untouched drop-down) is treated as empty, like a blank cell.
* The file has no contact details, activities, events, job titles or notes: those features are
  simply absent, as for a tenant that imports a bare list.

Excluded columns, and why:

* ``Tags`` - the sales team's status notes ("Closed by Horizzon", "Will revert after reading the
  email", "Lost to EINS", "Ringing"): written during and after the follow-up, several of them
  state the outcome outright.
* ``Lead Quality`` - the rep's judgement of the lead ("High in Relevance", "Worst") given after
  talking to it, i.e. after the fact.
* ``Lead Profile`` - a category the sales team assigns once it knows the lead ("Potential Lead",
  "Lateral Student", "Student of SomeSchool").
* ``Asymmetrique Activity Index``, ``Asymmetrique Profile Index``, ``Asymmetrique Activity
  Score``, ``Asymmetrique Profile Score`` - the company's own scores, computed from activity and
  profile at an unknown time (possibly after the outcome); a benchmark of our model must not lean
  on somebody else's score.
* ``Last Notable Activity`` - a snapshot of the latest notable event taken when the file was
  exported, i.e. after the outcome (it is dominated by "Modified", the CRM's own record-edit
  marker).
* ``Prospect ID`` - an identifier, not a property of the lead (and it leaks the import channel:
  the Facebook "Lead Import" rows carry time-based UUIDs).
* Not used either, though not leaks: the near-constant marketing opt-ins (``Search``,
  ``Magazine``, ``Newspaper Article``, ``X Education Forums``, ``Newspaper``, ``Digital
  Advertisement``, ``Through Recommendations``, ``Receive More Updates About Our Courses``,
  ``Update me on Supply Chain Content``, ``Get updates on DM Content``, ``I agree to pay the
  amount through cheque``): almost every value is "No".

``Last Activity`` is kept as the brief asks, but it too is a snapshot taken at export time and
can post-date the outcome (for instance "SMS Sent" by the sales team, or "Converted to Lead"):
the final figures are therefore also given without it (``final_without_last_activity``).

Time order: the file has no dates. ``Lead Number`` is a sequential id, so it stands for the time
of creation (and of closing): ``closed_at`` increases with it. Down the file Lead Number mostly
decreases (newest first); the script counts the rows that break that order and reports it.

What is measured:

1. The most recent 20 % by Lead Number is kept aside as the FINAL set, used only at the end.
2. Learning curve on the rest: for n in 200, 300, 500, 1000, 2000 and all, ``train()`` on the n
   most recent leads (its own time-ordered 80/20 split gives AUC, Brier, base rate), over up to
   five windows shifted back in time; mean and minimum AUC.
3. Final: ``train()`` on everything before the final set, then the returned model (refitted on
   all of it) scores the final set: AUC, Brier and calibration by band.
4. A sanity baseline: plain scikit-learn LogisticRegression on one-hot categories and
   standardised numbers of the same mapped columns, fitted on the same leads.
5. Seconds to train on the full pre-final set.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.predictive.features import lead_features
from scoring.predictive.model import (
    NotReady,
    Sample,
    brier_score,
    calibration,
    train,
)

EMPTY = {"", "select"}
#: Sensitivity checks: the final figures again without custom fields that may be filled late.
VARIANTS = {
    "final_without_last_activity": ("last_activity",),
    "final_without_occupation_and_what_matters": ("occupation", "what_matters"),
}
SIZES = (200, 300, 500, 1000, 2000)
WINDOWS = 5
FINAL_SHARE = 0.2
EPOCH = datetime(2020, 1, 1)

#: Custom fields of the imported file: CSV column -> (field key, type).
CUSTOM = {
    "Lead Origin": ("lead_origin", "choice"),
    "What is your current occupation": ("occupation", "choice"),
    "What matters most to you in choosing a course": ("what_matters", "choice"),
    "How did you hear about X Education": ("heard_from", "choice"),
    "Last Activity": ("last_activity", "choice"),
    "Do Not Email": ("do_not_email", "boolean"),
    "Do Not Call": ("do_not_call", "boolean"),
    "A free copy of Mastering The Interview": ("free_copy", "boolean"),
    "TotalVisits": ("total_visits", "number"),
    "Total Time Spent on Website": ("time_on_site", "number"),
    "Page Views Per Visit": ("page_views_per_visit", "number"),
}
BUILT_IN = {"Country": "country", "Specialization": "industry", "City": "region"}
EXCLUDED = (
    "Tags",
    "Lead Quality",
    "Lead Profile",
    "Asymmetrique Activity Index",
    "Asymmetrique Profile Index",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
    "Last Notable Activity",
    "Prospect ID",
)


def clean(value: str | None) -> str:
    value = " ".join((value or "").split())
    return "" if value.lower() in EMPTY else value


def source_code(value: str) -> str:
    return clean(value).lower().replace(" ", "_")


def mapped(raw: dict) -> tuple[dict, str, dict]:
    """(row, source, custom_types) of one CSV row, as a tenant importing the file has them."""
    row = {field: clean(raw.get(column)) for column, field in BUILT_IN.items()}
    data = {}
    for column, (key, kind) in CUSTOM.items():
        value = clean(raw.get(column))
        if not value:
            continue
        if kind == "boolean":
            data[key] = value.lower() == "yes"
        elif kind == "number":
            data[key] = float(value)
        else:
            data[key] = value
    row["custom_data"] = data
    types = {key: kind for key, kind in CUSTOM.values()}
    return row, source_code(raw.get("Lead Source")), types


def load(path: Path) -> tuple[list[dict], dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    numbers = [int(r["Lead Number"]) for r in rows]
    steps = list(itertools.pairwise(numbers))
    facts = {
        "rows": len(rows),
        "converted": sum(1 for r in rows if r["Converted"] == "1"),
        "lead_number_first": numbers[0],
        "lead_number_last": numbers[-1],
        "down_the_file": "decreases" if numbers[0] > numbers[-1] else "increases",
        "steps_decreasing": sum(1 for a, b in steps if b < a),
        "steps_increasing": sum(1 for a, b in steps if b > a),
        "duplicate_lead_numbers": len(numbers) - len(set(numbers)),
    }
    facts["conversion_rate"] = round(facts["converted"] / len(rows), 4)
    for column in EXCLUDED:
        if column not in rows[0]:
            raise SystemExit(f"expected column missing: {column}")
    return sorted(rows, key=lambda r: int(r["Lead Number"])), facts


def sample(raw: dict, *, drop: tuple[str, ...] = ()) -> Sample:
    row, source, types = mapped(raw)
    types = {k: v for k, v in types.items() if k not in drop}
    features = lead_features(row, source=source, activities={}, events={}, custom_types=types)
    closed_at = EPOCH + timedelta(minutes=int(raw["Lead Number"]))
    return Sample(features, raw["Converted"] == "1", closed_at)


def windows(total: int, n: int) -> list[tuple[int, int]]:
    """Up to WINDOWS (start, end) slices of length n ending at ``total``, shifted back."""
    if n >= total:
        return [(0, total)]
    shift = max(1, min(n // 2, (total - n) // (WINDOWS - 1)))
    out = []
    for k in range(WINDOWS):
        end = total - k * shift
        if end - n < 0:
            break
        out.append((end - n, end))
    return out


def learning_curve(samples: list[Sample]) -> list[dict]:
    table = []
    for n in [*[s for s in SIZES if s < len(samples)], len(samples)]:
        runs = []
        for start, end in windows(len(samples), n):
            began = time.perf_counter()
            try:
                trained = train(samples[start:end])
            except NotReady as exc:
                runs.append({"not_ready": exc.key})
                continue
            e = trained.evaluation
            runs.append(
                {
                    "auc": e.auc,
                    "brier": e.brier,
                    "base_rate": e.base_rate,
                    "train": e.train,
                    "test": e.test,
                    "features": trained.features,
                    "seconds": time.perf_counter() - began,
                }
            )
        ok = [r for r in runs if "auc" in r]
        table.append(
            {
                "n": n,
                "windows": len(runs),
                "not_ready": len(runs) - len(ok),
                "auc_mean": round(statistics.mean(r["auc"] for r in ok), 4) if ok else None,
                "auc_min": round(min(r["auc"] for r in ok), 4) if ok else None,
                "auc_max": round(max(r["auc"] for r in ok), 4) if ok else None,
                "brier_mean": round(statistics.mean(r["brier"] for r in ok), 4) if ok else None,
                "base_rate": round(statistics.mean(r["base_rate"] for r in ok), 4) if ok else None,
                "train": ok[0]["train"] if ok else None,
                "test": ok[0]["test"] if ok else None,
                "features": ok[0]["features"] if ok else None,
                "seconds": round(statistics.mean(r["seconds"] for r in ok), 3) if ok else None,
            }
        )
    return table


def scored(trained, held: list[Sample]) -> dict:
    """AUC, Brier and calibration of a trained model on leads it has never seen."""
    from sklearn.metrics import roc_auc_score

    truth = [1 if s.converted else 0 for s in held]
    predicted = [trained.model.probability(s.features) for s in held]
    rate = sum(truth) / len(truth)
    return {
        "auc": round(float(roc_auc_score(truth, predicted)), 4),
        "brier": round(brier_score(truth, predicted), 4),
        "brier_base_rate": round(rate * (1 - rate), 4),
        "final_base_rate": round(rate, 4),
        "calibration": calibration(truth, predicted),
    }


def final(pre: list[Sample], held: list[Sample], *, repeats: int = 1) -> dict:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        trained = train(pre)
        timings.append(time.perf_counter() - began)
    e = trained.evaluation
    return {
        "train_leads": len(pre),
        "final_leads": len(held),
        **scored(trained, held),
        "internal_evaluation": {"auc": e.auc, "brier": e.brier, "train": e.train, "test": e.test},
        "features": trained.features,
        "top": trained.top,
        "train_seconds": round(statistics.median(timings), 3),
        "train_seconds_all": [round(t, 3) for t in timings],
    }


def final_by_size(pre: list[Sample], held: list[Sample]) -> list[dict]:
    """train() on only the n most recent pre-final leads, scored on the same FINAL set."""
    out = []
    for n in [*[s for s in SIZES if s < len(pre)], len(pre)]:
        try:
            trained = train(pre[-n:])
        except NotReady as exc:
            out.append({"n": n, "not_ready": exc.key})
            continue
        result = scored(trained, held)
        out.append({"n": n, "auc": result["auc"], "brier": result["brier"]})
    return out


def baseline(pre_rows: list[dict], held_rows: list[dict]) -> dict:
    """Plain LogisticRegression on one-hot categories and standardised numbers."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def encode(raw: dict) -> dict:
        row, source, _types = mapped(raw)
        out: dict[str, float | str] = {"source": source or "-"}
        out.update({k: v or "-" for k, v in row.items() if k != "custom_data"})
        for key, value in row["custom_data"].items():
            out[key] = float(value) if isinstance(value, float) else str(value)
        for key, kind in CUSTOM.values():
            if kind == "number":
                out.setdefault(f"{key}_missing", 1.0)
                out.setdefault(key, 0.0)
            elif key not in out:
                out[key] = "-"
        return out

    model = make_pipeline(
        DictVectorizer(sparse=False), StandardScaler(), LogisticRegression(max_iter=5000)
    )
    y = [r["Converted"] == "1" for r in pre_rows]
    model.fit([encode(r) for r in pre_rows], y)
    truth = [r["Converted"] == "1" for r in held_rows]
    predicted = model.predict_proba([encode(r) for r in held_rows])[:, 1]
    return {
        "auc": round(float(roc_auc_score(truth, predicted)), 4),
        "brier": round(brier_score([int(t) for t in truth], list(predicted)), 4),
    }


def run(path: Path) -> dict:
    rows, facts = load(path)
    cut = int(len(rows) * (1 - FINAL_SHARE))
    pre_rows, held_rows = rows[:cut], rows[cut:]
    pre = [sample(r) for r in pre_rows]
    held = [sample(r) for r in held_rows]
    result = {
        "data": facts,
        "split": {
            "pre_final": len(pre_rows),
            "final": len(held_rows),
            "final_lead_numbers": [
                int(held_rows[0]["Lead Number"]),
                int(held_rows[-1]["Lead Number"]),
            ],
        },
        "learning_curve": learning_curve(pre),
    }
    result["final"] = final(pre, held, repeats=3)
    result["final_by_training_size"] = final_by_size(pre, held)
    for name, drop in VARIANTS.items():
        without = final(
            [sample(r, drop=drop) for r in pre_rows], [sample(r, drop=drop) for r in held_rows]
        )
        result[name] = {k: without[k] for k in ("auc", "brier", "features")}
    result["baseline_sklearn_onehot"] = baseline(pre_rows, held_rows)
    return result


def text(result: dict) -> str:
    d, s = result["data"], result["split"]
    lines = [
        f"rows {d['rows']}, converted {d['converted']} ({d['conversion_rate']:.1%}); "
        f"Lead Number {d['down_the_file']} down the file ({d['steps_decreasing']} steps down, "
        f"{d['steps_increasing']} up)",
        f"pre-final {s['pre_final']} leads, final {s['final']} leads "
        f"(Lead Number {s['final_lead_numbers'][0]}..{s['final_lead_numbers'][1]})",
        "",
        "learning curve (train() on the n most recent pre-final leads, its own 80/20 split)",
        f"{'n':>6} {'win':>4} {'AUC mean':>9} {'AUC min':>8} {'AUC max':>8} {'Brier':>7} "
        f"{'base':>6} {'train':>6} {'test':>5} {'feat':>5} {'sec':>6}",
    ]
    for r in result["learning_curve"]:
        if r["auc_mean"] is None:
            lines.append(f"{r['n']:>6} {r['windows']:>4}   not ready")
            continue
        lines.append(
            f"{r['n']:>6} {r['windows']:>4} {r['auc_mean']:>9.3f} {r['auc_min']:>8.3f} "
            f"{r['auc_max']:>8.3f} {r['brier_mean']:>7.3f} {r['base_rate']:>6.3f} "
            f"{r['train']:>6} {r['test']:>5} {r['features']:>5} {r['seconds']:>6.2f}"
        )
    f = result["final"]
    lines += [
        "",
        f"final set: trained on {f['train_leads']} leads in {f['train_seconds']:.2f} s (median of "
        f"{len(f['train_seconds_all'])}), "
        f"{f['features']} features; scored {f['final_leads']} unseen leads "
        f"(base rate {f['final_base_rate']:.3f})",
        f"  AUC {f['auc']:.3f}   Brier {f['brier']:.3f} "
        f"(base-rate Brier {f['brier_base_rate']:.3f})",
        *[
            f"  {name.removeprefix('final_').replace('_', ' ')}: AUC {result[name]['auc']:.3f}   "
            f"Brier {result[name]['brier']:.3f}"
            for name in VARIANTS
        ],
        f"  baseline (sklearn one-hot LR): AUC {result['baseline_sklearn_onehot']['auc']:.3f}   "
        f"Brier {result['baseline_sklearn_onehot']['brier']:.3f}",
        "  calibration:",
        f"  {'band':>11} {'leads':>6} {'predicted':>10} {'observed':>9}",
    ]
    for band in f["calibration"]:
        lines.append(
            f"  {band['low']:>5.1f}-{band['high']:<5.1f} {band['leads']:>6} "
            f"{band['predicted']:>10.3f} {band['observed']:>9.3f}"
        )
    lines += ["", "  train() on only the n most recent pre-final leads, scored on the FINAL set:"]
    for r in result["final_by_training_size"]:
        if "not_ready" in r:
            lines.append(f"  {r['n']:>6}  not ready ({r['not_ready']})")
        else:
            lines.append(f"  {r['n']:>6}  AUC {r['auc']:.3f}  Brier {r['brier']:.3f}")
    lines += ["", "  top weights:"]
    lines += [f"  {t['weight']:>+8.3f} {t['feature']}" for t in f["top"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="path to the X Education Leads.csv")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args.csv)
    print(json.dumps(result, indent=2) if args.json else text(result))


if __name__ == "__main__":
    main()
