"""Pair counting and pairwise scores for the public evaluation (pure; no Django, no data).

Records are named by their data set's record id (a str). A pair is a tuple of two ids, the
smaller first, so the same two records make the same pair whichever way they were found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    if a == b:
        raise ValueError(f"a record does not pair with itself: {a!r}")
    return (a, b) if a < b else (b, a)


def pairs_within(groups: Iterable[Iterable[str]]) -> set[Pair]:
    """Every pair of members inside each group: a group of n records gives n(n-1)/2 pairs."""
    out: set[Pair] = set()
    for group in groups:
        out.update(combinations(sorted(set(group)), 2))
    return out


def true_pairs(cluster_of: dict[str, str]) -> set[Pair]:
    """The pairs of records that share a cluster (one real person or restaurant)."""
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster in cluster_of.items():
        members[cluster].append(record_id)
    return pairs_within(members.values())


def groups_from_links(
    links: Iterable[tuple[str, str]] = (), groups: Iterable[Iterable[str]] = ()
) -> list[list[str]]:
    """The connected groups (two or more records) that ``links`` (pairs) and ``groups`` (sets
    of records already known to belong together) make, joined transitively."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)

    for a, b in links:
        join(a, b)
    for group in groups:
        members = list(group)
        for other in members[1:]:
            join(members[0], other)
    found: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        found[find(x)].append(x)
    return sorted((sorted(g) for g in found.values() if len(g) > 1), key=lambda g: g[0])


def pair_scores(predicted: set[Pair], truth: set[Pair]) -> dict:
    """Pairwise precision, recall and F1 of ``predicted`` against ``truth``.

    Precision is None (undefined, not 1.0) when nothing was predicted, recall None when
    there is nothing to find; F1 = 2·TP / (2·TP + FP + FN), 0.0 when nothing was found and
    None only when both sets are empty."""
    hits = len(predicted & truth)
    false = len(predicted) - hits
    missed = len(truth) - hits
    denominator = 2 * hits + false + missed
    return {
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "correct_pairs": hits,
        "precision": hits / len(predicted) if predicted else None,
        "recall": hits / len(truth) if truth else None,
        "f1": 2 * hits / denominator if denominator else None,
    }


def blocking_recall(candidates: set[Pair], truth: set[Pair]) -> float | None:
    """The share of true pairs that the blocking lets through to be scored at all."""
    return len(candidates & truth) / len(truth) if truth else None
