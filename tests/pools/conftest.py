"""The pool that the pool tests share."""

import pytest

from pools.models import Pool


@pytest.fixture
def pool(in_tenant_a):
    """A claim pool in tenant alpha: the rep and the teammate are members, the pool admin is its
    admin. Its limits are small enough for tests to reach: two open leads a member, and a week
    before a member may claim again a lead they returned."""
    cast = in_tenant_a
    pool = Pool.objects.create(name="Yangtze Delta", max_open_per_member=2, return_cooldown_days=7)
    pool.members.add(cast.rep, cast.teammate)
    pool.admins.add(cast.pool_admin)
    return pool
