import pytest
from django.core.cache import cache
from django.db import connection


@pytest.fixture(autouse=True)
def _signup_counters_cleared():
    """Each test starts with no sign-ups counted for the test client's address (the limit is
    per address and hour, and every test client is 127.0.0.1)."""
    yield
    connection.set_schema_to_public()
    cache.delete_many([f"signup:127.0.0.1:{seconds}" for seconds in (3600, 86400)])
