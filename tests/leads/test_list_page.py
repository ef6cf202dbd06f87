"""The Leads list as a rep reads it: the total under the table, exact, or an estimate for a
long list, of what the rep may see with the filters they chose."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import tenant_context

from leads import selectors
from leads.listing import PAGE_SIZE
from leads.models import Lead, LeadStatus
from leads.selectors import LeadFilters, ListCount, lead_list, lead_list_count
from leads.templatetags.list_count import about_number
from tests.conftest import tenant_client

S = LeadStatus


def _bulk_leads(owner, count: int, *, status=S.FOLLOWING_UP, prefix="Lead") -> None:
    """``count`` leads in one INSERT (the counting reads rows; how they were made is not the
    point here)."""
    Lead.objects.bulk_create(
        Lead(name=f"{prefix} {i}", owner=owner, status=status) for i in range(count)
    )


def _pager(html: str) -> str:
    found = re.search(r'<span class="muted small pager-count">(.*?)</span>\s*<span', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def _counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


# The total ----------------------------------------------------------------------------------


def test_the_pager_counts_the_whole_filtered_list_the_rep_sees(cast_a):
    with tenant_context(cast_a.tenant):
        _bulk_leads(cast_a.rep, PAGE_SIZE + 10)
        _bulk_leads(cast_a.rep, 7, status=S.PENDING, prefix="Waiting")
        _bulk_leads(cast_a.teammate, 9, prefix="Mate")  # the rep may not see these
    client = tenant_client(cast_a, cast_a.rep)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/leads/", {"status": "following_up"}).content.decode()
    assert _pager(first) == f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 10}"
    # Counted with the page's own filters, and never past the exact limit.
    (count,) = _counts(queries.captured_queries)
    assert "following_up" in count
    assert f"LIMIT {selectors.LIST_COUNT_EXACT_MAX + 1}" in count
    last = client.get("/leads/", {"status": "following_up", "page": 2}).content.decode()
    assert _pager(last) == f"Showing {PAGE_SIZE + 1}–{PAGE_SIZE + 10} of {PAGE_SIZE + 10}"
    pending = client.get("/leads/", {"status": "pending"}).content.decode()
    assert _pager(pending) == "Showing 1–7 of 7"
    # The manager sees the teammate's leads too, and so counts them.
    manager = tenant_client(cast_a, cast_a.manager)
    team = manager.get("/leads/", {"scene": "all", "status": "following_up"}).content.decode()
    assert _pager(team) == f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 19}"


def test_a_page_that_shows_the_end_of_the_list_counts_nothing(cast_a):
    with tenant_context(cast_a.tenant):
        _bulk_leads(cast_a.rep, 3)
    client = tenant_client(cast_a, cast_a.rep)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/leads/").content.decode()
    assert _pager(html) == "Showing 1–3 of 3"
    assert _counts(queries.captured_queries) == []
    assert not any("EXPLAIN" in q["sql"] for q in queries.captured_queries)


def test_another_tenants_leads_are_never_counted(cast_a, cast_b):
    with tenant_context(cast_b.tenant):
        _bulk_leads(cast_b.rep, PAGE_SIZE + 30, prefix="Beta")
    with tenant_context(cast_a.tenant):
        _bulk_leads(cast_a.rep, PAGE_SIZE + 2, prefix="Alpha")
    html = tenant_client(cast_a, cast_a.rep).get("/leads/").content.decode()
    assert _pager(html) == f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 2}"
    assert "Beta 1<" not in html


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(cast_a):
    response = tenant_client(cast_a).get("/leads/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_above_the_exact_limit_the_list_shows_the_planners_estimate(cast_a, monkeypatch):
    with tenant_context(cast_a.tenant):
        _bulk_leads(cast_a.rep, PAGE_SIZE + 30)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE leads_lead")  # the planner knows the table holds 80 rows
        leads = lead_list(user=cast_a.rep, filters=LeadFilters())
        estimate = selectors._planner_rows(leads.order_by().values("pk"))
    assert estimate > 20
    monkeypatch.setattr(selectors, "LIST_COUNT_EXACT_MAX", 20)
    client = tenant_client(cast_a, cast_a.rep)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/leads/").content.decode()
    assert _pager(html) == f"Showing 1–{PAGE_SIZE} of about {about_number(estimate)}"
    assert 'title="An estimate: counting every lead' in html
    assert _counts(queries.captured_queries) == []  # nothing was counted


def test_when_the_planner_guesses_low_the_count_stops_at_the_limit(in_tenant_a, monkeypatch):
    _bulk_leads(in_tenant_a.rep, 30)
    monkeypatch.setattr(selectors, "LIST_COUNT_EXACT_MAX", 20)
    monkeypatch.setattr(selectors, "_planner_rows", lambda leads: 5)
    leads = lead_list(user=in_tenant_a.rep, filters=LeadFilters())
    assert lead_list_count(leads) == ListCount(20, exact=False, at_least=True)
    monkeypatch.setattr(selectors, "LIST_COUNT_EXACT_MAX", 30)
    assert lead_list_count(leads) == ListCount(30)
    assert lead_list_count(leads, seen_total=12) == ListCount(12)


def test_a_list_that_was_only_estimated_says_more_than_the_limit(cast_a, monkeypatch):
    with tenant_context(cast_a.tenant):
        _bulk_leads(cast_a.rep, PAGE_SIZE + 5)
    monkeypatch.setattr(selectors, "LIST_COUNT_EXACT_MAX", 20)
    monkeypatch.setattr(selectors, "_planner_rows", lambda leads: 5)
    html = tenant_client(cast_a, cast_a.rep).get("/leads/").content.decode()
    assert _pager(html) == f"Showing 1–{PAGE_SIZE} of more than 20"


@pytest.mark.parametrize(
    ("language", "value", "words"),
    [
        ("en", 1_234_567, "1.2 million"),
        ("en", 987_654_321, "990 million"),
        ("en", 3_456_789_012, "3.5 billion"),
        ("en", 123_456, "120,000"),
        ("zh-hans", 1_234_567, "120 万"),
        ("zh-hans", 123_456, "12 万"),
        ("zh-hans", 123_456_789, "1.2 亿"),
        ("zh-hans", 12_345_678, "1,200 万"),
    ],
)
def test_an_estimate_is_said_in_the_readers_words_for_big_numbers(language, value, words):
    with translation.override(language):
        assert about_number(value) == words
