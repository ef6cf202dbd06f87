"""The Leads list as a rep reads it: the total under the table (exact, or an estimate for a long
list), the subtitle that names the sort, one status vocabulary (the product's LeadStatus labels)
on the chips, the badges and the bulk list, and each lead as a card on a phone."""

import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leads import selectors
from leads.listing import PAGE_SIZE
from leads.models import Lead, LeadStatus
from leads.selectors import LeadFilters, ListCount, lead_list, lead_list_count
from leads.services import lead as lead_services
from leads.services.bulk import BULK_STATUSES
from leads.templatetags.list_count import about_number
from leads.views.list import SORT_NOTES
from pools.models import Pool
from pools.services.claim import pool_lead_add
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
    """The list's counting queries (the navigation's due badge counts the user's own due
    tasks and follow-ups on every page: not the list's)."""
    return [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and ' AS "later"' not in q["sql"]
    ]


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


# The subtitle -------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["score", "created", "activity", "due"])
def test_the_subtitle_names_the_sort_the_list_is_in(cast_a, sort):
    client = tenant_client(cast_a, cast_a.rep)
    html = client.get("/leads/", {"sort": sort}).content.decode()
    assert f'<p id="lead-sort-note">{SORT_NOTES[sort]}</p>' in html
    assert html.count('id="lead-sort-note"') == 1
    others = [note for key, note in SORT_NOTES.items() if key != sort]
    assert not any(str(note) in html for note in others)
    # Sorting through HTMX swaps the results and sends the subtitle along, out of band.
    swapped = client.get(
        "/leads/", {"sort": sort}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lead-results"
    ).content.decode()
    assert f'<p id="lead-sort-note" hx-swap-oob="true">{SORT_NOTES[sort]}</p>' in swapped
    assert "<h1>" not in swapped


def test_every_sort_has_a_subtitle_and_a_bad_sort_reads_as_the_score():
    assert set(SORT_NOTES) == set(selectors.SORTS)
    assert LeadFilters.from_query(QueryDict("sort=newest")).sort == "score"


def test_the_subtitle_reads_in_chinese(cast_a):
    html = tenant_client(cast_a, cast_a.rep).get(
        "/leads/", {"sort": "due"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    with translation.override("zh-hans"):
        note = str(SORT_NOTES["due"])
    with translation.override("en"):
        assert note != str(SORT_NOTES["due"])  # translated
    assert f'<p id="lead-sort-note">{note}</p>' in html.content.decode()


# One status vocabulary ----------------------------------------------------------------------


def _status_words(html: str) -> dict[str, list[str]]:
    chip_group = re.search(
        r'<div class="chips" role="group" aria-label="[^"]*">(.*?)</div>', html, re.S
    )
    chips = re.findall(r'<a class="chip" href="[^"]*status=(\w+)[^>]*>([^<]*)</a>', chip_group[1])
    bulk = re.search(r'<select class="input" id="bulk-status" name="status">(.*?)</select>', html)
    return {
        "chips": [html_lib.unescape(label) for _key, label in chips],
        "bulk": [
            html_lib.unescape(label)
            for value, label in re.findall(r'<option value="(\w+)">([^<]*)</option>', bulk[1])
        ],
        "badges": [
            f"{status}={html_lib.unescape(label)}"
            for status, label in re.findall(
                r'<span class="badge status-(\w+)">([^<]*)</span>', html
            )
        ],
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_chips_badges_and_the_bulk_list_say_the_statuses_labels(cast_a, language):
    with tenant_context(cast_a.tenant):
        for status in S:
            if status != S.VOID:
                _bulk_leads(cast_a.rep, 1, status=status, prefix=f"Lead {status}")
        User.objects.filter(pk=cast_a.admin.pk).update(language=language)  # the admin's choice
    html = tenant_client(cast_a, cast_a.admin).get("/leads/", {"scene": "all"})
    words = _status_words(html.content.decode())
    with translation.override(language):
        labels = {status.value: str(status.label) for status in S}
    assert words["chips"] == [labels[s] for s in S.values if s != S.VOID]
    assert words["bulk"] == [labels[s] for s in BULK_STATUSES]
    assert sorted(words["badges"]) == sorted(f"{s}={labels[s]}" for s in S.values if s != S.VOID)


def test_no_chip_speaks_of_a_status_the_product_does_not_have(cast_a):
    with tenant_context(cast_a.tenant):
        _bulk_leads(cast_a.rep, 1)  # the bulk bar comes with a row to tick
    html = tenant_client(cast_a, cast_a.rep).get("/leads/").content.decode()
    quick = re.search(r'aria-label="Quick filters">(.*?)</div>', html, re.S)[1]
    labels = re.findall(r">([^<>]+)</a>", quick)
    assert "No owner" in labels  # no owner, which is not the status Unassigned
    assert not {"New", "Unqualified", "Unassigned"} & set(labels)
    assert '<label for="bulk-loss-reason">Loss reason (required for Lost / unqualified)' in html


def test_a_link_to_a_group_of_statuses_names_them_in_the_statuses_words(cast_a):
    """Older links (home's "Not yet contacted", saved views) name groups: they still work."""
    client = tenant_client(cast_a, cast_a.rep)
    html = client.get("/leads/", {"status": "new"}).content.decode()
    assert "Status: Unassigned or Pending ×" in html
    zh = client.get("/leads/", {"status": "new"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        unassigned, pending = str(S.UNASSIGNED.label), str(S.PENDING.label)
    assert f"{unassigned}或{pending} ×" in zh.content.decode()


def test_the_follow_up_scene_names_the_status_it_holds(cast_a):
    html = tenant_client(cast_a, cast_a.rep).get("/leads/").content.decode()
    tab = re.search(r'<a href="\?scene=follow_up"[^>]*>([^<]*)</a>', html)
    assert tab[1] == "Awaiting my follow-up"
    statuses = f"{S.PENDING.label} or {S.FOLLOWING_UP.label}"
    assert f'title="My leads that are {statuses}"' in tab[0]


# The phone's layout -------------------------------------------------------------------------


def _row(html: str, name: str) -> str:
    rows = re.findall(r'<tr class="lead-row" data-lead-row>(.*?)</tr>', html, re.S)
    return next(row for row in rows if f"<strong>{name}</strong>" in row)


def test_each_lead_carries_what_its_phone_card_shows(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(
            actor=cast_a.rep,
            owner=cast_a.rep,
            name="Card Lead",
            company="Card Co",
            mobile="13800138000",
            email="card@example.com",
        )
        Lead.objects.filter(pk=lead.pk).update(score=88)
    html = tenant_client(cast_a, cast_a.rep).get("/leads/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/lead_list.css">' in html
    row = _row(html, "Card Lead")
    assert 'title="Card Co">Card Co</div>' in row
    assert '<span class="badge status-pending">Pending</span>' in row
    assert '<span class="score-num">88</span><span class="score-band">Hot</span>' in row
    assert 'class="small col-owner" data-label="Owner"' in row
    assert 'class="small col-due" data-label="Next follow-up"' in row
    actions = re.search(r'<td class="col-actions">(.*?)</td>', row)[1]
    assert 'href="tel:13800138000">Call</a>' in actions
    assert 'href="mailto:card@example.com">Email</a>' in actions
    assert f'href="/leads/{lead.uuid}/">Log activity</a>' in actions
    # The filters fold behind a button (a box and its label: no script), the bulk bar stays.
    assert '<input class="filters-toggle sr-only" type="checkbox" id="lead-filters-toggle">' in html
    assert '<label class="btn filters-button" for="lead-filters-toggle">' in html
    assert 'id="bulk-form"' in html
    # The card is drawn by the stylesheet, at a phone's width.
    css = (Path(settings.BASE_DIR) / "static/css/lead_list.css").read_text()
    assert "@media (max-width: 720px)" in css
    assert "grid-template-areas" in css


def test_a_card_offers_no_call_or_email_where_the_contacts_are_masked(cast_a):
    with tenant_context(cast_a.tenant):
        pool = Pool.objects.create(name="Card pool")
        pool.members.add(cast_a.rep)
        waiting = lead_services.lead_create(
            actor=cast_a.admin, name="Pooled Lead", mobile="13900139000", email="p@example.com"
        )
        pool_lead_add(pool=pool, lead=waiting, actor=cast_a.admin)
    html = tenant_client(cast_a, cast_a.rep).get("/leads/", {"scene": "all"}).content.decode()
    row = _row(html, "Pooled Lead")
    assert "13900139000" not in row
    assert "tel:" not in row
    assert "mailto:" not in row
    assert f'href="/leads/{waiting.uuid}/">Log activity</a>' in row


def test_the_filters_button_counts_the_filters_in_use(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    plain = client.get("/leads/", {"q": "x", "sort": "due"}).content.decode()
    assert 'for="lead-filters-toggle">Filters ▾</label>' in plain
    narrowed = client.get("/leads/", {"status": "pending", "hot": "1", "tag": "VIP"})
    assert '<span class="filters-count">3</span>' in narrowed.content.decode()
