"""A pool's claim limits are shown before the click: what a member may still claim, Claim
buttons disabled with the reason once nothing is left, counts refreshed after a claim. The
service stays the authority: a stale page, or two claims racing for the last slot, are still
refused by pool_claim (pools.services.claim.pool_claim_allowance is the one count)."""

import re
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.accounts.services import user_create
from leads.models import Lead
from leads.services import lead as lead_services
from pools.errors import PoolLimitError
from pools.models import Pool, PoolEntry, PoolEvent
from pools.services.claim import pool_claim, pool_claim_allowance, pool_lead_add
from tests.conftest import _load_cast, tenant_client


def _pooled(pool, actor, count, prefix="Waiting"):
    leads = []
    for i in range(count):
        lead = lead_services.lead_create(actor=actor, name=f"{prefix} {i}")
        pool_lead_add(pool=pool, lead=lead, actor=actor)
        leads.append(lead)
    return leads


def _page(cast, user, pool) -> str:
    response = tenant_client(cast, user).get(reverse("pools-detail", kwargs={"uuid": pool.uuid}))
    assert response.status_code == 200
    return response.content.decode()


def _claim(cast, user, pool, lead):
    return tenant_client(cast, user).post(
        reverse("pools-claim", kwargs={"uuid": pool.uuid}),
        {"lead": str(lead.uuid)},
        HTTP_HX_REQUEST="true",
    )


def _allowance_text(html: str) -> str:
    found = re.search(r'<p id="pool-allowance"[^>]*>(.*?)</p>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def _claim_buttons(html: str) -> list[str]:
    return re.findall(r"<button[^>]*data-claim-button[^>]*>", html)


# What the page shows -------------------------------------------------------------------------


def test_the_page_shows_how_many_more_a_member_can_claim(in_tenant_a, pool):
    cast = in_tenant_a
    Pool.objects.filter(pk=pool.pk).update(max_claims_per_day=3)
    pool.refresh_from_db()
    leads = _pooled(pool, cast.pool_admin, 3)
    pool_claim(pool=pool, lead=leads[0], actor=cast.rep)
    # Riley holds 1 of 2 open leads and claimed 1 of 3 today: one more claim is possible.
    text = _allowance_text(_page(cast, cast.rep, pool))
    assert "You can claim 1 more today" in text
    assert "you hold 1 of 2" in text
    assert "claimed today 1 of 3" in text
    # Robin has claimed nothing: the open-lead limit (two) is the tighter one.
    assert "You can claim 2 more today" in _allowance_text(_page(cast, cast.teammate, pool))


def test_the_allowance_is_left_out_where_there_is_nothing_to_say(in_tenant_a, pool):
    cast = in_tenant_a
    _pooled(pool, cast.pool_admin, 1)
    # The pool admin is no member: no claiming, so no allowance.
    assert 'id="pool-allowance"' not in _page(cast, cast.pool_admin, pool)
    open_pool = Pool.objects.create(name="No limits")
    open_pool.members.add(cast.rep)
    _pooled(open_pool, cast.pool_admin, 1, prefix="Open")
    html = _page(cast, cast.rep, open_pool)
    assert 'id="pool-allowance"' not in html
    assert all("disabled" not in b for b in _claim_buttons(html))


def test_claim_buttons_are_disabled_with_the_reason_at_the_open_lead_limit(in_tenant_a, pool):
    cast = in_tenant_a
    leads = _pooled(pool, cast.pool_admin, 4)
    for lead in leads[:2]:
        pool_claim(pool=pool, lead=lead, actor=cast.rep)
    html = _page(cast, cast.rep, pool)
    reason = "You already hold 2 open leads from this pool (the limit)"
    assert reason in _allowance_text(html)
    buttons = _claim_buttons(html)
    assert len(buttons) == 2  # the two leads still waiting
    assert all("disabled" in b and reason in b for b in buttons)  # the reason on the button
    assert re.search(r"<button[^>]*data-bulk-claim[^>]*disabled", html)
    # Robin, a member below the limit, may still claim them.
    robin = _page(cast, cast.teammate, pool)
    assert _claim_buttons(robin)
    assert all("disabled" not in b for b in _claim_buttons(robin))


def test_claim_buttons_are_disabled_with_the_reason_at_the_daily_limit(in_tenant_a, pool):
    cast = in_tenant_a
    Pool.objects.filter(pk=pool.pk).update(max_claims_per_day=1, max_open_per_member=None)
    pool.refresh_from_db()
    leads = _pooled(pool, cast.pool_admin, 2)
    pool_claim(pool=pool, lead=leads[0], actor=cast.rep)
    html = _page(cast, cast.rep, pool)
    reason = "You reached today&#x27;s limit of 1 claim from this pool: claim again tomorrow."
    assert reason in html
    assert all("disabled" in b for b in _claim_buttons(html))


def test_the_lead_page_disables_its_claim_button_with_the_reason(in_tenant_a, pool):
    cast = in_tenant_a
    leads = _pooled(pool, cast.pool_admin, 3)
    client = tenant_client(cast, cast.rep)
    page = client.get(f"/leads/{leads[2].uuid}/").content.decode()
    assert re.search(r'<button class="btn btn-primary btn-block" type="submit">', page)
    for lead in leads[:2]:
        pool_claim(pool=pool, lead=lead, actor=cast.rep)
    page = client.get(f"/leads/{leads[2].uuid}/").content.decode()
    assert re.search(r"<button[^>]*disabled[^>]*>Claim this lead", page)
    assert "You already hold 2 open leads from this pool (the limit)" in page


# After a claim -------------------------------------------------------------------------------


def test_the_claim_answer_carries_the_refreshed_counts(in_tenant_a, pool):
    cast = in_tenant_a
    leads = _pooled(pool, cast.pool_admin, 3)
    before = _page(cast, cast.rep, pool)
    assert re.search(r'<div class="value">3</div><div class="label">Waiting in the pool', before)
    answer = _claim(cast, cast.rep, pool, leads[0]).content.decode()
    assert "Yours" in answer
    counts = answer[answer.index('id="pool-counts"') - 5 :]
    assert counts.startswith('<div id="pool-counts" class="pool-counts" hx-swap-oob="true">')
    assert re.search(r'<div class="value">2</div><div class="label">Waiting in the pool', counts)
    assert re.search(r'<div class="value">1</div><div class="label">Claimed or allocated', counts)
    assert "You can claim 1 more" in _allowance_text(counts)
    assert 'hx-swap-oob="outerHTML:[data-claim-button]"' not in answer  # one still left


def test_the_claim_that_uses_the_last_slot_disables_every_claim_button(in_tenant_a, pool):
    cast = in_tenant_a
    leads = _pooled(pool, cast.pool_admin, 3)
    pool_claim(pool=pool, lead=leads[0], actor=cast.rep)
    answer = _claim(cast, cast.rep, pool, leads[1]).content.decode()
    assert "Yours" in answer
    assert "You already hold 2 open leads" in _allowance_text(answer)
    assert re.search(
        r'<button[^>]*data-claim-button disabled[^>]*hx-swap-oob="outerHTML:\[data-claim-button\]"',
        answer,
    )
    assert re.search(
        r'<button[^>]*data-bulk-claim disabled[^>]*hx-swap-oob="outerHTML:\[data-bulk-claim\]"',
        answer,
    )


def test_a_claim_from_a_stale_page_is_still_refused_by_the_service(in_tenant_a, pool):
    cast = in_tenant_a
    leads = _pooled(pool, cast.pool_admin, 3)
    stale = _page(cast, cast.rep, pool)
    assert all("disabled" not in b for b in _claim_buttons(stale))  # two claims left then
    for lead in leads[:2]:  # meanwhile, in another tab
        pool_claim(pool=pool, lead=lead, actor=cast.rep)
    answer = _claim(cast, cast.rep, pool, leads[2]).content.decode()  # the stale button
    assert 'role="alert"' in answer
    assert "You already hold 2 open leads from this pool (the limit)" in answer
    assert 'hx-swap-oob="outerHTML:[data-claim-button]"' in answer  # the page catches up
    assert Lead.objects.get(pk=leads[2].pk).owner is None
    with pytest.raises(PoolLimitError):
        pool_claim(pool=pool, lead=leads[2], actor=cast.rep)


def test_an_admin_allocating_is_told_the_members_limit_in_the_members_name(in_tenant_a, pool):
    cast = in_tenant_a
    Pool.objects.filter(pk=pool.pk).update(mode=Pool.Mode.BOTH)
    pool.refresh_from_db()
    leads = _pooled(pool, cast.pool_admin, 3)
    for lead in leads[:2]:
        pool_claim(pool=pool, lead=lead, actor=cast.rep)
    allowance = pool_claim_allowance(pool=pool, member=cast.rep)
    assert (allowance.held, allowance.open_left, allowance.left) == (2, 0, 0)
    refusal = allowance.refusal(member=cast.rep, actor=cast.pool_admin)
    assert refusal.startswith(cast.rep.full_name)


# Who may look --------------------------------------------------------------------------------


def test_outsiders_see_no_allowance_and_cannot_claim(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        pool = Pool.objects.create(name="Guarded", max_open_per_member=1)
        pool.members.add(cast_a.rep)
        (lead,) = _pooled(pool, cast_a.pool_admin, 1)
    url = reverse("pools-detail", kwargs={"uuid": pool.uuid})
    # A rep of the same tenant who is not a member: no page.
    assert tenant_client(cast_a, cast_a.teammate).get(url).status_code == 404
    # Beta's rep on alpha's address: refused, and learns nothing.
    intruder = tenant_client(cast_a, cast_b.rep)
    page = intruder.get(url)
    assert page.status_code in (302, 403, 404)
    assert "Guarded" not in page.content.decode()
    claim = intruder.post(reverse("pools-claim", kwargs={"uuid": pool.uuid}), {"lead": lead.uuid})
    assert claim.status_code in (302, 403, 404)
    if claim.status_code == 302:
        assert "/login" in claim.headers["Location"]
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(pk=lead.pk).owner is None


# Racing for the last slot --------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["open", "daily"])
def test_two_concurrent_claims_for_the_last_slot_only_one_wins(committed_db, limit):
    """Real threads, each with its own Postgres connection, claim two different leads for one
    member who has one claim left: exactly one claim wins, the other is refused at the limit.
    Several rounds, so the race really happens. Committed data; the test removes it."""
    cast = _load_cast("alpha")
    rounds = 5
    with tenant_context(cast.tenant):
        member = user_create(
            email="lastslot@alpha.example.com", full_name="Last Slot", roles=["sales_rep"]
        )
        limits = {"max_open_per_member": 1} if limit == "open" else {"max_claims_per_day": 1}
        pools = [Pool.objects.create(name=f"Last slot {i}", **limits) for i in range(rounds)]
        pairs = []
        for pool in pools:
            pool.members.add(member)
            pairs.append(_pooled(pool, cast.admin, 2, prefix=f"Slot {pool.pk}"))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(pool, lead, barrier):
        connection.set_tenant(cast.tenant)
        try:
            barrier.wait()
            try:
                pool_claim(pool=pool, lead=lead, actor=member)
                result = "won"
            except PoolLimitError:
                result = "limit"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    try:
        for pool, (first, second) in zip(pools, pairs, strict=True):
            barrier = threading.Barrier(2)
            threads = [
                threading.Thread(target=attempt, args=(pool, lead, barrier))
                for lead in (first, second)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert sorted(outcomes) == ["limit"] * rounds + ["won"] * rounds
        with tenant_context(cast.tenant):
            for pool in pools:
                assert Lead.objects.filter(pool_entry__pool=pool, owner=member).count() == 1
                assert PoolEvent.objects.filter(pool=pool, action="claim").count() == 1
                assert pool_claim_allowance(pool=pool, member=member).left == 0
    finally:
        with tenant_context(cast.tenant):
            lead_ids = [lead.pk for pair in pairs for lead in pair]
            PoolEvent.objects.filter(pool__in=pools).delete()
            PoolEntry.objects.filter(pool__in=pools).delete()
            Lead.objects.filter(pk__in=lead_ids).delete()
            Lead.history.filter(id__in=lead_ids).delete()
            for pool in pools:
                pool.delete()
            User.history.filter(email="lastslot@alpha.example.com").delete()
            User.objects.filter(email="lastslot@alpha.example.com").delete()
