"""Merging duplicates: values chosen per field, related rows moved, tombstones, undo, and a
refused merge that changes nothing."""

import pytest
from django.urls import reverse

from leads.errors import LeadError
from leads.models import Activity, Comment, Lead, LeadMerge, Task
from leads.selectors import leads_visible_to
from leads.services import lead as lead_services
from leads.services.comments import comment_add
from leads.services.followups import followup_create
from leads.services.merge import lead_merge, lead_merge_undo
from tests.conftest import tenant_client


@pytest.fixture
def twins(in_tenant_a):
    cast = in_tenant_a
    a = lead_services.lead_create(
        actor=cast.rep, owner=cast.rep, name="Anna Müller", company="Nordwerk GmbH", tags=["expo"]
    )
    b = lead_services.lead_create(
        actor=cast.rep,
        owner=cast.rep,
        name="MÜLLER, Anna",
        company="Nordwerk AG",
        email="anna@nordwerk.example",
        mobile="+49 151 23456789",
        tags=["vip"],
    )
    lead_services.activity_log(lead=b, actor=cast.rep, kind="call", body="Talked about pumps")
    from django.utils import timezone

    followup_create(lead=b, actor=cast.rep, title="Send the quote", due_at=timezone.now())
    comment_add(lead=b, author=cast.rep, body="Met her at the expo")
    return cast, a, b


def test_merge_moves_everything_and_undo_puts_it_back(twins):
    cast, a, b = twins
    merge = lead_merge(survivor=a, others=[b], values={"company": b.pk}, actor=cast.rep)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.company == "Nordwerk AG"  # chosen from b
    assert a.email == "anna@nordwerk.example"  # empty in a: filled from b
    assert a.name == "Anna Müller"  # a's own value kept
    assert a.tags == ["expo", "vip"]
    assert b.merged_into == a
    assert Activity.objects.filter(lead=a, body="Talked about pumps").exists()
    assert Task.objects.filter(lead=a, title="Send the quote").exists()
    assert Comment.objects.filter(lead=a).count() == 1
    assert not leads_visible_to(cast.rep).filter(pk=b.pk).exists()  # a hidden tombstone
    assert a.history.first().history_change_reason.startswith("merged:")

    lead_merge_undo(merge=merge, actor=cast.rep)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.company, a.email, a.tags) == ("Nordwerk GmbH", "", ["expo"])
    assert b.merged_into is None
    assert Activity.objects.filter(lead=b, body="Talked about pumps").exists()
    assert Task.objects.filter(lead=b).exists()
    assert Comment.objects.filter(lead=b).count() == 1
    with pytest.raises(LeadError, match="already undone"):
        lead_merge_undo(merge=merge, actor=cast.rep)


def test_a_refused_merge_changes_nothing(twins):
    cast, a, b = twins
    with pytest.raises(LeadError, match="may not change"):
        lead_merge(survivor=a, others=[b], values={}, actor=cast.teammate)
    with pytest.raises(LeadError, match="at least two"):
        lead_merge(survivor=a, others=[], values={}, actor=cast.rep)
    other = lead_services.lead_create(actor=cast.admin, name="Elsewhere")
    with pytest.raises(LeadError, match="merged leads only"):
        lead_merge(survivor=a, others=[b], values={"company": other.pk}, actor=cast.rep)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into is None
    assert a.company == "Nordwerk GmbH"
    assert Activity.objects.filter(lead=b).count() == 1
    assert not LeadMerge.objects.exists()


def test_merge_and_undo_through_the_pages(twins):
    cast, a, b = twins
    client = tenant_client(cast, cast.rep)
    page = client.post(reverse("leads-merge"), {"lead": [str(a.uuid), str(b.uuid)]})
    assert "Keep this lead" in page.content.decode()
    done = client.post(
        reverse("leads-merge"),
        {
            "lead": [str(a.uuid), str(b.uuid)],
            "survivor": str(b.uuid),
            "value_name": str(a.uuid),
        },
    )
    assert done.status_code == 302
    b.refresh_from_db()
    assert b.name == "Anna Müller"
    assert Lead.objects.get(pk=a.pk).merged_into == b
    detail = client.get(reverse("leads-detail", kwargs={"uuid": b.uuid})).content.decode()
    assert "Undo the merge" in detail
    merge = LeadMerge.objects.get(survivor=b)
    client.post(reverse("leads-merge-undo", kwargs={"uuid": merge.uuid}))
    assert Lead.objects.get(pk=a.pk).merged_into is None


def _scan(actor):
    """A scan job, run here as the worker runs it (test_scan_job_runs_in_the_worker sends it
    for real)."""
    from leads.services.dedup_scan import dedup_scan_request
    from leads.tasks.dedup import dedup_scan_run

    job = dedup_scan_request(actor=actor)
    dedup_scan_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    return job


def test_duplicate_review_page_runs_the_scan_in_the_worker_queue(twins):
    cast, _a, _b = twins
    _scan(cast.admin)
    client = tenant_client(cast, cast.admin)
    html = client.get(reverse("leads-duplicate-groups")).content.decode()
    assert "Review and merge" in html
    assert "Anna Müller" in html
    assert tenant_client(cast, cast.rep).get(reverse("leads-duplicate-groups")).status_code == 403


@pytest.mark.worker
def test_scan_job_runs_in_the_worker(committed_db, celery_worker):
    import time

    from django_tenants.utils import tenant_context

    from leadcrm.jobs.models import Job
    from leads.services.dedup_scan import dedup_scan_latest, dedup_scan_request
    from tests.conftest import _load_cast

    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        job = dedup_scan_request(actor=cast.admin)
        assert dedup_scan_request(actor=cast.admin).pk == job.pk  # one scan at a time
    try:
        with tenant_context(cast.tenant):
            for _ in range(600):
                job.refresh_from_db()
                if not job.is_active:
                    break
                time.sleep(0.1)
            assert job.status == "done", (job.status, job.error)
            assert "groups" in job.result
            assert dedup_scan_latest().pk == job.pk
    finally:
        with tenant_context(cast.tenant):
            Job.objects.filter(pk=job.pk).delete()


def test_the_survivor_takes_an_owner_and_a_pool_entry_and_undo_gives_them_back(in_tenant_a):
    from pools.models import Pool, PoolEntry
    from pools.services.claim import pool_claim, pool_lead_add

    cast = in_tenant_a
    pool = Pool.objects.create(name="Merge pool")
    pool.members.add(cast.rep)
    unowned = lead_services.lead_create(actor=cast.admin, name="Owen Lake", company="Lake Ltd")
    claimed = lead_services.lead_create(
        actor=cast.admin, name="Owen Lake", email="owen@lake.example"
    )
    pool_lead_add(pool=pool, lead=claimed, actor=cast.admin)
    pool_claim(pool=pool, lead=claimed, actor=cast.rep)
    merge = lead_merge(survivor=unowned, others=[claimed], values={"owner": claimed.pk},
                       actor=cast.admin)  # fmt: skip
    unowned.refresh_from_db()
    assert (unowned.owner, unowned.status) == (cast.rep, "pending")
    entry = PoolEntry.objects.get(lead=unowned)
    assert (entry.pool, entry.claimed_at is not None) == (pool, True)  # the reclaim rules apply
    lead_merge_undo(merge=merge, actor=cast.admin)
    unowned.refresh_from_db()
    assert (unowned.owner, unowned.status, unowned.assigned_at) == (None, "unassigned", None)
    assert PoolEntry.objects.get(pool=pool).lead_id == claimed.pk


def test_an_unowned_lead_does_not_take_the_survivors_owner_away(twins):
    cast, a, _b = twins
    loose = lead_services.lead_create(actor=cast.admin, name="Anna Mueller")
    lead_merge(survivor=a, others=[loose], values={"owner": loose.pk}, actor=cast.admin)
    a.refresh_from_db()
    assert a.owner == cast.rep


def test_the_survivors_history_shows_the_merged_leads_history(twins):
    cast, a, b = twins
    lead_services.lead_update(lead=b, actor=cast.rep, city="Bremen")
    lead_merge(survivor=a, others=[b], values={}, actor=cast.rep)
    client = tenant_client(cast, cast.rep)
    page = client.get(reverse("leads-detail", kwargs={"uuid": a.uuid}) + "?tab=history")
    html = page.content.decode()
    assert "Merged lead MÜLLER, Anna" in html
    assert "Bremen" in html  # b's own change, before the merge
    assert f"<strong>Merged into</strong>: — → {a.name}" in html  # a name, not an id
    assert "Tags</strong>: expo → expo, vip" in html  # a list as words


def test_not_duplicates_keeps_the_pair_out_of_later_scans(twins):

    from leads.models import DuplicateDismissal

    cast, a, b = twins
    _scan(cast.admin)
    client = tenant_client(cast, cast.admin)
    page = reverse("leads-duplicate-groups")
    assert "Anna Müller" in client.get(page).content.decode()
    response = client.post(
        reverse("leads-duplicates-not-same"), {"lead": [str(a.uuid), str(b.uuid)]}
    )
    assert response.status_code == 302
    assert "Anna Müller" not in client.get(page).content.decode()  # gone from the last result
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.lead_a_id, dismissal.lead_b_id, dismissal.dismissed_by) == (
        min(a.pk, b.pk), max(a.pk, b.pk), cast.admin
    )  # fmt: skip
    _scan(cast.admin)
    assert "Anna Müller" not in client.get(page).content.decode()  # and from the next scan
    again = client.post(reverse("leads-duplicates-not-same"), {"lead": [str(a.uuid), str(b.uuid)]})
    assert again.status_code == 302
    assert DuplicateDismissal.objects.count() == 1  # twice is once


def test_a_rep_cannot_dismiss_and_contacts_stay_masked_on_the_review_page(in_tenant_a):

    from pools.models import Pool
    from pools.services.claim import pool_lead_add

    cast = in_tenant_a
    pool = Pool.objects.create(name="Masked pool")
    pool.members.add(cast.manager)
    first = lead_services.lead_create(actor=cast.admin, name="Hidden Twin", mobile="13912345678")
    second = lead_services.lead_create(actor=cast.admin, name="Hidden Twin", mobile="139 1234 5678",
                                  check_duplicates=False)  # fmt: skip
    for lead in (first, second):
        pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    _scan(cast.admin)
    html = tenant_client(cast, cast.manager).get(reverse("leads-duplicate-groups")).content.decode()
    assert "Hidden Twin" in html  # the manager sees the pooled leads as a pool member ...
    assert "13912345678" not in html  # ... with their numbers masked until claimed
    assert "139****5678" in html
    rep = tenant_client(cast, cast.rep)
    refused = rep.post(reverse("leads-duplicates-not-same"),
                       {"lead": [str(first.uuid), str(second.uuid)]})  # fmt: skip
    assert refused.status_code == 403


def test_the_review_page_pages_and_filters_by_level(in_tenant_a, monkeypatch):
    from leadcrm.jobs.services import job_create, job_finish, job_start
    from leads.views import merge as views_merge

    cast = in_tenant_a
    monkeypatch.setattr(views_merge, "PAGE", 2)
    leads = [lead_services.lead_create(actor=cast.admin, name=f"Paged {i}") for i in range(10)]
    groups = [
        {"ids": [leads[i].pk, leads[i + 1].pk], "level": "exact" if i < 4 else "similar",
         "score": 100 - i, "rules": ["r"]}
        for i in range(0, 10, 2)
    ]  # fmt: skip
    scan = job_create(kind="dedup_scan", user=cast.admin, exclusive=True)
    job_finish(job=job_start(job_id=scan.pk), result={"groups": groups})
    client = tenant_client(cast, cast.admin)
    url = reverse("leads-duplicate-groups")
    first = client.get(url).content.decode()
    assert ("Paged 0" in first, "Paged 2" in first, "Paged 4" in first) == (True, True, False)
    assert "page=2" in first  # a Next link
    third = client.get(url + "?page=3").content.decode()
    assert ("Paged 8" in third, "page=4" in third) == (True, False)  # no Next link
    similar = client.get(url + "?level=similar").content.decode()
    assert ("Paged 0" in similar, "Paged 4" in similar) == (False, True)
    assert "Similar · 3" in similar


def test_the_page_stops_saying_scanning_once_the_scan_is_done(twins):
    from leads.services.dedup_scan import dedup_scan_active
    from leads.tasks.dedup import dedup_scan_run

    cast, _a, _b = twins
    client = tenant_client(cast, cast.admin)
    url = reverse("leads-duplicate-groups")
    client.post(url)  # queued (the task runs after commit, in the worker)
    client.post(url)  # a second click while queued starts nothing more
    assert "Scanning…" in client.get(url).content.decode()
    dedup_scan_run(dedup_scan_active().pk)  # the task body, as the worker runs it
    html = client.get(url).content.decode()
    assert "Scanning…" not in html
    assert "Anna Müller" in html


def test_the_lead_page_names_possible_duplicates_the_user_may_see(twins):
    from leads.models import DuplicateDismissal

    cast, a, b = twins
    hidden = lead_services.lead_create(actor=cast.admin, owner=cast.teammate, name="Anna Müller",
                                  company="Nordwerk GmbH")  # fmt: skip
    client = tenant_client(cast, cast.rep)
    page = client.get(reverse("leads-detail", kwargs={"uuid": a.uuid})).content.decode()
    assert "This lead may be a duplicate of another lead" in page
    assert f"lead={a.uuid}&amp;lead={b.uuid}" in page  # Compare and merge
    assert str(hidden.uuid) not in page  # the teammate's lead is not the rep's to see
    DuplicateDismissal.objects.create(lead_a_id=min(a.pk, b.pk), lead_b_id=max(a.pk, b.pk))
    page = client.get(reverse("leads-detail", kwargs={"uuid": a.uuid})).content.decode()
    assert "may be a duplicate" not in page


def test_a_pooled_survivor_that_takes_an_owner_counts_as_claimed_until_undone(in_tenant_a):
    from pools.models import Pool, PoolEntry
    from pools.services.claim import pool_claim, pool_lead_add

    cast = in_tenant_a
    pool = Pool.objects.create(name="Claim mark pool")
    pool.members.add(cast.rep)
    waiting = lead_services.lead_create(actor=cast.admin, name="Ida Wong")
    pool_lead_add(pool=pool, lead=waiting, actor=cast.admin)
    held = lead_services.lead_create(actor=cast.admin, name="Ida Wong", email="ida@w.example")
    pool_lead_add(pool=pool, lead=held, actor=cast.admin)
    pool_claim(pool=pool, lead=held, actor=cast.rep)
    merge = lead_merge(survivor=waiting, others=[held], values={"owner": held.pk},
                       actor=cast.admin)  # fmt: skip
    entry = PoolEntry.objects.get(lead=waiting)
    assert entry.claimed_at is not None  # held now: the pool's limits and reclaim rules apply
    lead_merge_undo(merge=merge, actor=cast.admin)
    entry.refresh_from_db()
    assert (entry.lead_id, entry.claimed_at) == (waiting.pk, None)
    assert PoolEntry.objects.get(lead=held).claimed_at is not None


def test_a_deactivated_owner_is_never_merged_in(twins):
    from leadcrm.accounts.models import User

    cast, _a, _b = twins
    gone = lead_services.lead_create(actor=cast.admin, owner=cast.teammate, name="Anna Muller")
    User.objects.filter(pk=cast.teammate.pk).update(is_active=False)
    loose = lead_services.lead_create(actor=cast.admin, name="Anna Müller 2")
    lead_merge(survivor=loose, others=[gone], values={"owner": gone.pk}, actor=cast.admin)
    loose.refresh_from_db()
    assert (loose.owner, loose.status) == (None, "unassigned")


def test_a_failed_scan_shows_its_reason_and_the_last_good_result_stays(twins):
    from leadcrm.jobs.services import job_create, job_fail

    cast, _a, _b = twins
    _scan(cast.admin)
    failed = job_create(kind="dedup_scan", user=cast.admin, exclusive=True)
    job_fail(job=failed, error="The scan ran out of memory.")
    html = tenant_client(cast, cast.admin).get(reverse("leads-duplicate-groups")).content.decode()
    assert "The scan ran out of memory." in html
    assert "Anna Müller" in html  # the groups of the last scan that finished
    assert "Scanning…" not in html
