"""The import's cheap upper bound (``could_match``: the evidence with names and companies taken
as the same) and the capped frequency counts, without a database except where said."""

import csv
import math
import random
from pathlib import Path

from leads.dedup.defaults import default_rules_unsaved
from leads.dedup.evidence import FLOOR, _agreement, count_enough, evidence
from leads.dedup.matching import best_match, could_match
from leads.dedup.profiles import data_profile
from leads.models import DuplicateRule

DATASET = Path(__file__).resolve().parents[2] / "bench" / "dedup_eval" / "dataset.csv"
OWN_RULES = [
    DuplicateRule(name="Same office", fields=[{"field": "address", "match": "exact"}], min_score=0),
    DuplicateRule(name="Name alone", fields=[{"field": "name", "match": "fuzzy", "threshold": 80}],
                  min_score=0),
    DuplicateRule(name="Company alone", fields=[{"field": "company", "match": "fuzzy",
                                                  "threshold": 90}], min_score=30),
]  # fmt: skip


def _pairs():
    """The generated set's true pairs, and as many pairs of leads that share a surname or
    a company's first two characters (the candidates blocking brings)."""
    with DATASET.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    profiles = [data_profile(row, "CN") for row in rows]
    by_cluster, by_block = {}, {}
    for row, profile in zip(rows, profiles, strict=True):
        by_cluster.setdefault(row["cluster"], []).append(profile)
        by_block.setdefault(row["name"][:1], []).append(profile)
        by_block.setdefault(row["company"][:2], []).append(profile)
    true = [(c[0], other) for c in by_cluster.values() for other in c[1:]]
    rng = random.Random(5)
    blocks = [b for b in by_block.values() if len(b) > 1]
    near = [tuple(rng.sample(rng.choice(blocks), 2)) for _ in range(len(true))]
    return true, near


def test_the_bound_never_drops_a_pair_a_rule_takes():
    true, near = _pairs()
    rules = default_rules_unsaved()
    taken = dropped = 0
    for a, b in true + near:
        exact = evidence(a, b)
        assert evidence(a, b, optimistic=True).weight >= exact.weight - 1e-9
        for ruleset in (rules, OWN_RULES):
            if best_match(ruleset, a, b) is not None:
                taken += 1
                assert could_match(ruleset, a, b)
        if not could_match(rules, a, b):
            dropped += 1
    assert taken > len(true)  # the check ran on pairs the rules take
    # ... and it spares comparisons of pairs that only share a block: about a fifth of these
    # (the set has no city or address to disagree on; in the import bench, nine in ten).
    assert dropped > len(near) / 10


def test_a_pair_with_another_mobile_and_email_in_another_city_is_dropped_unweighed():
    a = data_profile({"name": "王伟", "company": "广州凯盛贸易有限公司", "mobile": "13800138000",
                      "email": "wang@kaisheng.example", "city": "广州"}, "CN")  # fmt: skip
    b = data_profile({"name": "王薇", "company": "广州凯信科技有限公司", "mobile": "13900139000",
                      "email": "wei@kaixin.example", "city": "北京"}, "CN")  # fmt: skip
    assert not could_match(default_rules_unsaved(), a, b)


def test_counting_stops_where_the_weight_reaches_its_floor():
    class Fixed:
        def __init__(self, n):
            self.n = n

        def discount(self, kind, value):
            return math.log2(self.n / 2) if self.n > 2 else 0.0

    strongest = {"name": 6.5, "company": 6.5, "address": 9.0}
    for kind, weight in strongest.items():
        at_cap = count_enough(kind)
        assert _agreement(weight, kind, "x", Fixed(at_cap)) == FLOOR[kind]
        assert _agreement(weight, kind, "x", Fixed(at_cap - 2)) > FLOOR[kind]
    assert count_enough("email") == count_enough("phone") == 1000


def test_a_batch_counted_at_once_counts_as_one_value_at_a_time(in_tenant_a):
    from leads.dedup.matching import StoredFrequencies
    from leads.identity.keys import keys_for
    from leads.services import lead as lead_services

    cast = in_tenant_a
    for mobile in ("13800138001", "13800138002", "13800138003"):
        lead_services.lead_create(actor=cast.admin, name="Zhou Min", company="Kestrel Ltd",
                                  mobile=mobile, check_duplicates=False)  # fmt: skip
    rows = [keys_for({"name": "Zhou Min", "company": "Kestrel", "mobile": "13800138001"}, "CN"),
            keys_for({"name": "Ada Moore", "email": "ada@x.example"}, "CN")]  # fmt: skip
    batch, single = StoredFrequencies(), StoredFrequencies()
    batch.prefetch(rows)
    for kind, value in [("name", "min zhou"), ("company", rows[0]["company_key"]),
                        ("phone", "+8613800138001"), ("name", "ada moore"),
                        ("email", "ada@x.example")]:  # fmt: skip
        assert batch._cache[kind, value] == single.count(kind, value)
    assert batch.count("name", "min zhou") == 4  # three stored, and the row itself
    assert not batch.common("name", "min zhou")


def test_an_import_keeps_candidates_between_batches_but_not_stale_ones(in_tenant_a):
    from leads.identity.keys import keys_for
    from leads.importing.duplicates import RowMatcher
    from leads.models import Lead, LeadStatus
    from leads.services import lead as lead_services

    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, name="Zhou Min", mobile="13800138000")
    data = {"name": "Zhou Min", "mobile": "138 0013 8000"}
    row = (2, data, keys_for(data, "CN"))
    matcher = RowMatcher()
    [found] = matcher.match_batch([row])
    assert found.lead == lead
    # The run changed the lead: its profile is read again, with the new city.
    Lead.objects.filter(pk=lead.pk).update(city="Hangzhou")
    matcher.forget(lead.pk)
    matcher.match_batch([(3, data, row[2])])
    assert matcher._profiles[lead.pk]["city_key"]
    # Voided by someone while the import ran: no longer anybody's duplicate.
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.VOID)
    [found] = matcher.match_batch([(4, data, row[2])])
    assert (found.lead, found.row_number) == (None, 2)  # still a repeat of row 2
    assert lead.pk not in matcher._profiles
