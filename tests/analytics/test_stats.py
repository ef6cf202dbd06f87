"""The reports' percentiles of grouped values equal PostgreSQL's percentile_cont over the
values written out."""

import random
from collections import Counter

import pytest
from django.db import connection

from analytics.selectors.stats import weighted_percentile


@pytest.mark.django_db
def test_weighted_percentiles_equal_postgres_percentile_cont():
    rng = random.Random(13)
    with connection.cursor() as cursor:
        for _ in range(200):
            values = [rng.randint(0, 40) for _ in range(rng.randint(1, 25))]
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v),"
                " percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM unnest(%s::int[]) v",
                [values],
            )
            median, p90 = cursor.fetchone()
            counts = Counter(values).items()
            assert weighted_percentile(counts, 0.5) == pytest.approx(median)
            assert weighted_percentile(counts, 0.9) == pytest.approx(p90)


def test_nothing_to_take_a_percentile_of():
    assert weighted_percentile([], 0.5) is None
    assert weighted_percentile([(3, 0), (None, 4)], 0.5) is None
    assert weighted_percentile([(7, 1)], 0.9) == 7
