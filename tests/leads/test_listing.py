"""The lead table that the Leads list and a pool's page share (leads.listing and its partials)."""

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django_tenants.utils import tenant_context

from leads.listing import PAGE_SIZE, lead_table_context, lead_table_page
from leads.models import Lead
from leads.selectors import LeadFilters, lead_list
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
    request.user = in_tenant_a.rep  # the Owner filter offers the people whose leads they see
    filters = LeadFilters.from_query(request.GET)
    everything = lead_table_context(request, [], filters=filters)
    assert [key for key, _label in everything["status_chips"]][:2] == ["unassigned", "pending"]
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


# Tags: ?tag= on the list, the tag cell and the filter's suggestions


def _tagged_leads(cast):
    """The rep's leads tagged by the rules, by hand, or not at all, and a teammate's lead the
    rep may not see that carries the same automatic tag."""
    auto = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Auto Tagged")
    manual = lead_services.lead_create(
        actor=cast.rep, owner=cast.rep, name="Hand Tagged", tags=["High intent", "VIP"]
    )
    lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Not Tagged")
    hidden = lead_services.lead_create(actor=cast.teammate, owner=cast.teammate, name="Not Yours")
    Lead.objects.filter(pk__in=[auto.pk, hidden.pk]).update(auto_tags=["High intent"])
    return auto, manual


def test_the_tag_filter_finds_manual_and_automatic_tags_among_visible_leads_only(in_tenant_a):
    cast = in_tenant_a
    _tagged_leads(cast)

    def names(query):
        filters = LeadFilters.from_query(QueryDict(query))
        return sorted(lead.name for lead in lead_list(user=cast.rep, filters=filters))

    assert names("scene=all&tag=High+intent") == ["Auto Tagged", "Hand Tagged"]
    assert names("scene=all&tag=VIP") == ["Hand Tagged"]
    assert names("scene=all&tag=high+intent") == []  # exact, as stored
    assert names("scene=all&tag=High") == []
    assert names("scene=all&tag=+") == ["Auto Tagged", "Hand Tagged", "Not Tagged"]
    admin = sorted(
        lead.name
        for lead in lead_list(user=cast.admin, filters=LeadFilters(scene="all", tag="High intent"))
    )
    assert admin == ["Auto Tagged", "Hand Tagged", "Not Yours"]


def test_the_list_shows_automatic_tags_apart_and_filters_by_them(cast_a):
    with tenant_context(cast_a.tenant):
        _tagged_leads(cast_a)
    client = tenant_client(cast_a, cast_a.rep)
    html = client.get(reverse("leads-index"), {"scene": "all"}).content.decode()
    assert (
        '<a class="tag-chip tag-auto" href="/leads/?tag=High%20intent" title="Automatic tag">'
        "High intent</a>"
    ) in html
    assert '<a class="tag-chip" href="/leads/?tag=VIP">#VIP</a>' in html
    assert '<option value="Gone quiet">' in html  # the active tag rules are suggested
    filtered = client.get(reverse("leads-index"), {"scene": "all", "tag": "High intent"})
    page = filtered.content.decode()
    assert "<strong>Auto Tagged</strong>" in page
    assert "<strong>Hand Tagged</strong>" in page
    assert "<strong>Not Tagged</strong>" not in page
    assert "<strong>Not Yours</strong>" not in page
    assert "Tag: High intent ×" in page  # the chip that clears it
    assert 'name="tag" value="High intent"' in page
