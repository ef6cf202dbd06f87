"""The lead table that the Leads list and a pool's page share (leads.listing)."""

import pytest
from django.test import RequestFactory

from leads.listing import PAGE_SIZE, lead_table_context, lead_table_page
from leads.selectors import LeadFilters


def _page(query: str, rows: int) -> dict:
    return lead_table_page(RequestFactory().get("/", QUERY_STRING=query), list(range(rows)))


def test_a_page_is_a_slice_with_its_row_numbers_and_whether_more_follow():
    second = _page("page=2", 2 * PAGE_SIZE + 3)
    assert second["leads"] == list(range(PAGE_SIZE, 2 * PAGE_SIZE))
    assert (second["page"], second["has_next"]) == (2, True)
    assert (second["first_row"], second["last_row"]) == (PAGE_SIZE + 1, 2 * PAGE_SIZE)
    last = _page("page=3", 2 * PAGE_SIZE + 3)
    assert last["leads"] == list(range(2 * PAGE_SIZE, 2 * PAGE_SIZE + 3))
    assert (last["has_next"], last["last_row"]) == (False, 2 * PAGE_SIZE + 3)


@pytest.mark.parametrize("query", ["page=0", "page=-4", "page=two", "page="])
def test_a_page_number_that_is_no_page_is_the_first(query):
    assert _page(query, 3)["page"] == 1


def test_the_options_name_what_the_filter_bar_offers(in_tenant_a):
    request = RequestFactory().get("/", {"hot": "1"})
    filters = LeadFilters.from_query(request.GET)
    everything = lead_table_context(request, [], filters=filters)
    assert [key for key, _label in everything["status_chips"]][:2] == ["new", "following_up"]
    assert everything["toggles"] == ["hot", "unassigned", "overdue"]
    assert [key for key, _label in everything["sorts"]] == ["score", "created", "activity", "due"]
    narrow = lead_table_context(
        request, [], filters=filters, status_chips=(), toggles=("hot",), sorts=("score",)
    )
    assert narrow["status_chips"] == []
    assert narrow["toggles"] == ["hot"]
    assert [key for key, _label in narrow["sorts"]] == ["score"]
    assert len(narrow["periods"]) == 3
    assert narrow["filters"].hot
