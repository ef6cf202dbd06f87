"""The one window counter every rate limit reads."""

from django.core.cache import cache
from django_tenants.utils import tenant_context

from leadcrm.ratelimit import window_count


def test_a_window_counts_up_and_starts_again_when_it_ends(cast_a):
    with tenant_context(cast_a.tenant):
        cache.delete("probe:window")
        assert [window_count("probe:window", 60) for _ in range(3)] == [1, 2, 3]
        cache.delete("probe:window")  # the window ended
        assert window_count("probe:window", 60) == 1
        cache.delete("probe:window")


def test_tenants_count_apart(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        cache.delete("probe:apart")
        window_count("probe:apart", 60)
        window_count("probe:apart", 60)
    with tenant_context(cast_b.tenant):
        cache.delete("probe:apart")
        assert window_count("probe:apart", 60) == 1
        cache.delete("probe:apart")
    with tenant_context(cast_a.tenant):
        cache.delete("probe:apart")
