"""The lead table that the Leads list and a pool's page share (leads.listing and its partials)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_tenants.utils import tenant_context

from leads.listing import PAGE_SIZE, lead_table_context, lead_table_page
from leads.selectors import LeadFilters
from leads.services import lead as lead_services
from pools.models import Pool
from pools.services.claim import pool_lead_add
from tests.conftest import tenant_client

SHARED_PARTIALS = {
    "leads/partials/_table_filters.html",
    "leads/partials/_table_search.html",
    "leads/partials/_table_pager.html",
    "leads/partials/_table_lead_cells.html",
}


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


def test_the_list_and_a_pool_page_render_the_same_table_partials(cast_a):
    with tenant_context(cast_a.tenant):
        pool = Pool.objects.create(name="Shared table pool")
        pool.members.add(cast_a.rep)
        lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Listed Lead")
        waiting = lead_services.lead_create(actor=cast_a.admin, name="Waiting Lead")
        pool_lead_add(pool=pool, lead=waiting, actor=cast_a.admin)
    client = tenant_client(cast_a, cast_a.rep)
    listing = client.get(reverse("leads-index"))
    pool_page = client.get(reverse("pools-detail", kwargs={"uuid": pool.uuid}))
    for response, name in ((listing, "Listed Lead"), (pool_page, "Waiting Lead")):
        assert {t.name for t in response.templates} >= SHARED_PARTIALS
        html = response.content.decode()
        assert f"<strong>{name}</strong>" in html
        assert '<div class="pager">' in html
        assert "Showing 1–1" in html
    # Each page keeps its own ids and offers its own chips and sorts.
    listing_html, pool_html = listing.content.decode(), pool_page.content.decode()
    assert 'id="lead-search"' in listing_html
    assert 'id="pool-search"' in pool_html
    assert 'hx-get="/leads/"' in listing_html
    assert f'hx-get="/pools/{pool.uuid}/"' in pool_html
    assert '<option value="due"' in listing_html
    assert '<option value="due"' not in pool_html
    assert "?status=qualified" in listing_html
    assert "?status=" not in pool_html
    assert "?unassigned=1" in listing_html
    assert "?unassigned=1" not in pool_html
