"""Odd query parameters and posted values on the pages answer a page or a refusal, never 500
(a page number of 10**30 overflowed the database's bigint on three lists)."""

import pytest

from leadcrm.parsing import PAGE_MAX, page_number
from tests.conftest import tenant_client

GETS = [
    "/leads/?page=1000000000000000000000000000000",
    "/leads/?page=-5",
    "/leads/?page=abc",
    "/leads/?cf_x=%00a",
    "/leads/?cf_" + "x" * 300 + "=1",
    "/leads/?sort=%00",
    "/leads/?scene=%00",
    "/leads/?owner=%00",
    "/leads/?created_from=0001-01-01",
    "/leads/?score_min=1e309",
    "/pools/?q=%00",
    "/analytics/?from=0001-01-01&to=9999-12-31",
    "/analytics/?period=%00",
    "/tasks/?page=10000000000000000000000",
    "/customers/?page=1000000000000000000000000",
    "/leads/export/?format=xlsx&next=%00",
    "/notifications/?page=99999999999999999999",
]


@pytest.mark.parametrize("path", GETS)
def test_odd_query_parameters_never_answer_500(cast_a, path):
    r = tenant_client(cast_a, cast_a.admin).get(path)
    assert r.status_code < 500, path


POSTS = [
    ("/leads/views/", {"name": "\x00" * 3, "query": "scene=all"}),
    ("/leads/views/", {"name": "x" * 5000, "query": "a=b"}),
    ("/leads/export/", {"format": "csv", "next": "page=10000000000000000000000&\x00"}),
    ("/leads/bulk/", {"action": "status", "status": "\x00", "lead": ["not-a-uuid"]}),
]


@pytest.mark.parametrize("i", range(len(POSTS)))
def test_odd_posted_values_never_answer_500(cast_a, i):
    path, data = POSTS[i]
    r = tenant_client(cast_a, cast_a.admin).post(path, data)
    assert r.status_code < 500, path


@pytest.mark.parametrize(
    ("value", "page"),
    [(None, 1), ("", 1), ("abc", 1), ("-3", 1), ("7", 7), ("10" * 20, PAGE_MAX), ("1e3", 1)],
)
def test_page_numbers_are_bounded(value, page):
    assert page_number(value) == page
