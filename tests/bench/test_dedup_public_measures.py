"""The pair counting and scores of the public duplicate evaluation (bench/dedup_eval/public),
on tiny hand-made groups, and its refusal to touch a hold-out set without --holdout. No
database, no data download."""

import sys
from pathlib import Path

import pytest

PUBLIC = Path(__file__).resolve().parents[2] / "bench" / "dedup_eval" / "public"
sys.path.insert(0, str(PUBLIC))
try:
    from measures import (
        blocking_recall,
        groups_from_links,
        pair,
        pair_scores,
        pairs_within,
        true_pairs,
    )
    from sources import DEV, HOLDOUT, DataSet, datasets_chosen, restaurant_split
finally:
    sys.path.remove(str(PUBLIC))


def test_a_pair_is_the_same_whichever_way_it_was_found():
    assert pair("b", "a") == pair("a", "b") == ("a", "b")
    with pytest.raises(ValueError):
        pair("a", "a")


def test_a_group_of_n_records_gives_n_choose_2_pairs():
    groups = [["c", "a", "b"], ["d", "e"], ["f"], []]
    assert pairs_within(groups) == {("a", "b"), ("a", "c"), ("b", "c"), ("d", "e")}
    assert pairs_within([["x", "y", "x"]]) == {("x", "y")}  # a repeated member counts once


def test_true_pairs_are_the_pairs_inside_each_cluster():
    clusters = {"rec-1-org": "1", "rec-1-dup-0": "1", "rec-1-dup-1": "1", "rec-2-org": "2"}
    assert true_pairs(clusters) == {
        ("rec-1-dup-0", "rec-1-dup-1"),
        ("rec-1-dup-0", "rec-1-org"),
        ("rec-1-dup-1", "rec-1-org"),
    }


def test_links_and_groups_join_transitively():
    groups = groups_from_links([("a", "b"), ("c", "d")], [["b", "c"], ["x", "y"], ["z"]])
    assert groups == [["a", "b", "c", "d"], ["x", "y"]]


def test_precision_recall_and_f1_on_a_small_case():
    truth = {("a", "b"), ("c", "d"), ("e", "f"), ("g", "h")}
    predicted = pairs_within([["a", "b"], ["c", "d", "x"]])  # ab, cd right; cx, dx wrong
    scores = pair_scores(predicted, truth)
    assert scores["predicted_pairs"] == 4
    assert scores["correct_pairs"] == 2
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(0.5)


def test_nothing_predicted_leaves_precision_undefined_and_f1_zero():
    scores = pair_scores(set(), {("a", "b")})
    assert scores["precision"] is None
    assert scores["recall"] == 0.0
    assert scores["f1"] == 0.0
    assert pair_scores(set(), set())["f1"] is None


def test_blocking_recall_counts_true_pairs_among_candidates():
    truth = {("a", "b"), ("c", "d")}
    assert blocking_recall({("a", "b"), ("a", "c")}, truth) == pytest.approx(0.5)
    assert blocking_recall(set(), set()) is None


def test_a_zagat_record_follows_its_fodors_pair_else_its_own_area_code():
    fodors = [{"id": "1", "phone": "310/246-1501"}, {"id": "2", "phone": "212/555-0101"}]
    zagats = [
        {"id": "7", "phone": "212-555-0199"},  # paired with Fodor's 1 (LA)
        {"id": "8", "phone": "818-555-0100"},  # unpaired, LA code
        {"id": "9", "phone": "404-555-0100"},  # unpaired, Atlanta
    ]
    splits = restaurant_split(fodors, zagats, [{"fodors_id": "1", "zagats_id": "7"}])
    assert splits == {
        "fodors-1": DEV, "fodors-2": HOLDOUT,
        "zagats-7": DEV, "zagats-8": DEV, "zagats-9": HOLDOUT,
    }  # fmt: skip


def _never(_cache):
    raise AssertionError("a hold-out set was loaded")


REGISTRY = [
    DataSet("dev-a", DEV, "AU", "", _never),
    DataSet("held", HOLDOUT, "AU", "", _never),
]


def test_without_holdout_only_development_sets_are_chosen_and_none_is_loaded():
    assert [d.name for d in datasets_chosen(None, False, REGISTRY)] == ["dev-a"]
    with pytest.raises(ValueError, match="only with --holdout"):
        datasets_chosen(["held"], False, REGISTRY)
    assert [d.name for d in datasets_chosen(None, True, REGISTRY)] == ["dev-a", "held"]
