"""Percentiles of values given as (value, how many): how the reports' medians and 90th
percentiles are computed from grouped rows, live and from the rollups alike."""

from __future__ import annotations


def weighted_percentile(pairs, fraction: float) -> float | None:
    """The ``fraction`` percentile (0.5: the median) of the values written out as often as
    their counts, as PostgreSQL's percentile_cont computes it: the value at position
    fraction * (n - 1) of the sorted values, interpolated between its two neighbours."""
    ordered = sorted((value, n) for value, n in pairs if value is not None and n)
    total = sum(n for _value, n in ordered)
    if not total:
        return None
    position = fraction * (total - 1)
    low = int(position)
    high = min(low + 1, total - 1)
    values: dict[int, float] = {}
    seen = 0
    for value, n in ordered:
        for index in (low, high):
            if index not in values and seen <= index < seen + n:
                values[index] = value
        seen += n
        if high in values:
            break
    return values[low] + (values[high] - values[low]) * (position - low)
