"""Merging keeps the lead being worked: the suggested survivor is the record furthest along,
and whichever survivor the user picks, the merged lead keeps the furthest status with its
times and the owner working it; undo gives both records back exactly."""

from datetime import timedelta
from itertools import permutations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from leads.errors import LeadError
from leads.models import Activity, Lead, LeadMerge, Stage
from leads.services import lead as lead_services
from leads.services.merge import lead_merge, lead_merge_undo, merge_survivor_suggest
from tests.conftest import tenant_client

#: What a merge may change on a lead and undo must give back.
LIFECYCLE = (
    "owner_id",
    "assigned_at",
    "status",
    "status_changed_at",
    "status_note",
    "loss_reason_id",
    "stage_id",
    "stage_changed_at",
    "first_follow_up_at",
    "last_activity_at",
    "next_follow_up_at",
    "merged_into_id",
    "name",
    "company",
    "email",
    "mobile",
    "tags",
)


def _snapshot(lead: Lead) -> dict:
    return Lead.objects.filter(pk=lead.pk).values(*LIFECYCLE).get()


def _qualified(cast, **fields) -> Lead:
    """A lead the rep works: a call logged, a funnel stage reached, then Qualified."""
    lead = lead_services.lead_create(
        actor=cast.rep, owner=cast.rep, name="Li Wei", company="Huaxin Pumps", **fields
    )
    lead_services.activity_log(lead=lead, actor=cast.rep, kind="call", body="Needs 40 pumps")
    stage = Stage.objects.get(name="Proposal sent")
    lead_services.lead_change_stage(lead=lead, stage=stage, actor=cast.rep)
    return lead_services.lead_change_status(lead=lead, to_status="qualified", actor=cast.rep)


def _newer_duplicate(cast, owner=None, **fields) -> Lead:
    """The same person arriving again later: a new record, Pending (or Unassigned) untouched."""
    return lead_services.lead_create(
        actor=cast.admin,
        owner=owner,
        name="李伟",
        email="li.wei@huaxin.example",
        mobile="13812345678",
        check_duplicates=False,
        **fields,
    )


@pytest.fixture
def worked_and_newer(in_tenant_a):
    cast = in_tenant_a
    worked = _qualified(cast)
    newer = _newer_duplicate(cast)
    return cast, worked, newer


# The suggestion


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_the_worked_record_is_the_suggested_survivor_in_any_order(in_tenant_a, order):
    cast = in_tenant_a
    worked = _qualified(cast)
    pending = _newer_duplicate(cast, owner=cast.teammate, company="Huaxin Pumps Co., Ltd.")
    unowned = _newer_duplicate(cast, city="Suzhou", website="huaxin.example")
    leads = [worked, pending, unowned]
    lead, reasons = merge_survivor_suggest(leads=[leads[i] for i in order])
    assert lead == worked
    assert [r.code for r in reasons] == ["furthest", "work"]
    with translation.override("en"):
        assert [str(r) for r in reasons] == [
            "furthest along (Qualified)",
            "1 activity or follow-up logged",
        ]


def test_with_the_same_status_the_record_with_more_work_is_suggested(in_tenant_a):
    cast = in_tenant_a
    quiet = _newer_duplicate(cast, owner=cast.rep, city="Suzhou", website="huaxin.example")
    noted = _newer_duplicate(cast, owner=cast.rep)
    for body in ("Left a message with reception", "Asked a colleague about them"):
        lead_services.activity_log(lead=noted, actor=cast.rep, kind="note", body=body)
    noted.refresh_from_db()
    assert (quiet.status, noted.status) == ("pending", "pending")  # notes are no contact
    for leads in ([quiet, noted], [noted, quiet]):
        lead, reasons = merge_survivor_suggest(leads=leads)
        assert lead == noted
        assert [(r.code, r.count) for r in reasons] == [("most_work", 2)]


def test_follow_ups_a_stage_made_by_itself_are_no_work(in_tenant_a):
    from leads.models import SopTemplate, Task

    cast = in_tenant_a
    older = _newer_duplicate(cast, owner=cast.rep)
    newer = _newer_duplicate(cast, owner=cast.rep)
    template = SopTemplate.objects.create(stage=Stage.objects.get(name="To contact"),
                                          title="Call within a day")  # fmt: skip
    Task.objects.create(lead=newer, title="Call within a day", due_at=timezone.now(),
                        assignee=cast.rep, sop_template=template)  # fmt: skip
    lead, reasons = merge_survivor_suggest(leads=[newer, older])
    assert lead == older
    assert [r.code for r in reasons] == ["oldest"]


def test_then_the_more_complete_record_then_the_older_is_suggested(in_tenant_a):
    cast = in_tenant_a
    first = _newer_duplicate(cast)
    second = _newer_duplicate(cast)
    fuller = _newer_duplicate(cast, city="Suzhou", job_title="Buyer")
    lead, reasons = merge_survivor_suggest(leads=[first, second, fuller])
    assert lead == fuller
    assert [r.code for r in reasons] == ["most_complete"]
    Lead.objects.filter(pk=second.pk).update(created_at=first.created_at - timedelta(days=3))
    second.refresh_from_db()
    lead, reasons = merge_survivor_suggest(leads=[first, second])
    assert lead == second
    with translation.override("en"):
        day = timezone.localtime(second.created_at).strftime("%Y-%m-%d")
        assert str(reasons[0]) == f"the oldest record (created {day})"


def test_a_new_enquiry_outranks_a_record_closed_as_lost(in_tenant_a):
    from leads.models import LossReason

    cast = in_tenant_a
    lost = lead_services.lead_change_status(
        lead=_qualified(cast),
        to_status="lost",
        actor=cast.rep,
        loss_reason=LossReason.objects.first(),
    )
    enquiry = _newer_duplicate(cast)
    lead, _reasons = merge_survivor_suggest(leads=[lost, enquiry])
    assert lead == enquiry  # open beats closed, however much work the closed one had
    lead_merge(survivor=lost, others=[enquiry], values={}, actor=cast.admin)
    lost.refresh_from_db()
    assert (lost.status, lost.owner, lost.loss_reason) == ("pending", cast.rep, None)  # reopened


# The merge itself


def test_picking_the_newer_record_keeps_qualified_its_times_and_the_rep(worked_and_newer):
    cast, worked, newer = worked_and_newer
    was = _snapshot(worked)
    lead_merge(survivor=newer, others=[worked], values={}, actor=cast.admin)
    merged = _snapshot(newer)
    for field in ("owner_id", "assigned_at", "status", "status_changed_at", "stage_id",
                  "stage_changed_at", "first_follow_up_at", "last_activity_at"):  # fmt: skip
        assert merged[field] == was[field], field
    assert (merged["status"], merged["owner_id"]) == ("qualified", cast.rep.pk)
    assert merged["name"] == "李伟"  # the survivor's own values stay
    assert merged["company"] == "Huaxin Pumps"  # an empty one is filled
    assert Activity.objects.filter(lead=newer, body="Needs 40 pumps").exists()


def test_the_rep_keeps_the_lead_even_when_another_owner_is_picked(in_tenant_a):
    cast = in_tenant_a
    worked = _qualified(cast)
    newer = _newer_duplicate(cast, owner=cast.teammate)
    lead_merge(survivor=newer, others=[worked], values={"owner": newer.pk}, actor=cast.admin)
    newer.refresh_from_db()
    assert (newer.owner, newer.status) == (cast.rep, "qualified")


def test_when_nobody_works_them_the_chosen_owner_applies(in_tenant_a):
    cast = in_tenant_a
    mine = _newer_duplicate(cast, owner=cast.rep)
    theirs = _newer_duplicate(cast, owner=cast.teammate)
    lead_merge(survivor=mine, others=[theirs], values={"owner": theirs.pk}, actor=cast.admin)
    mine.refresh_from_db()
    assert (mine.owner, mine.status) == (cast.teammate, "pending")


def test_undo_gives_both_records_back_exactly(worked_and_newer):
    cast, worked, newer = worked_and_newer
    lead_services.lead_update(lead=newer, actor=cast.admin, tags=["expo"])
    lead_services.lead_update(lead=worked, actor=cast.rep, tags=["vip"])
    before = {"worked": _snapshot(worked), "newer": _snapshot(newer)}
    merge = lead_merge(survivor=newer, others=[worked], values={}, actor=cast.admin)
    assert _snapshot(newer) != before["newer"]
    lead_merge_undo(merge=merge, actor=cast.admin)
    assert {"worked": _snapshot(worked), "newer": _snapshot(newer)} == before
    assert Activity.objects.filter(lead=worked, body="Needs 40 pumps").exists()
    assert not Activity.objects.filter(lead=newer).exists()


def test_the_history_shows_the_owner_and_status_the_merge_kept(worked_and_newer):
    cast, worked, newer = worked_and_newer
    lead_merge(survivor=newer, others=[worked], values={}, actor=cast.admin)
    record = newer.history.first()
    assert record.history_change_reason.startswith("merged:")
    assert record.history_user == cast.admin
    changed = {change.field for change in record.diff_against(record.prev_record).changes}
    assert {"owner", "status", "status_changed_at", "assigned_at"} <= changed
    client = tenant_client(cast, cast.admin)
    url = reverse("leads-detail", kwargs={"uuid": newer.uuid}) + "?tab=history"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unassigned → Qualified" in html
    assert f"— → {cast.rep.full_name}" in html


def test_a_merge_that_fails_late_changes_nothing(worked_and_newer, monkeypatch):
    from leads.services import merge as merge_module

    cast, worked, newer = worked_and_newer
    before = {"worked": _snapshot(worked), "newer": _snapshot(newer)}

    def broken(keep, gone):
        raise LeadError("The pool could not take the lead.")

    monkeypatch.setattr(merge_module, "merge_hooks", lambda: {"broken": (broken, None)})
    with pytest.raises(LeadError, match="pool could not"):
        lead_merge(survivor=newer, others=[worked], values={}, actor=cast.admin)
    assert {"worked": _snapshot(worked), "newer": _snapshot(newer)} == before
    assert Activity.objects.filter(lead=worked).count() == 1
    assert not LeadMerge.objects.exists()


# The page


def _merge_page(client, leads, **extra):
    return client.post(reverse("leads-merge"), {"lead": [str(lead.uuid) for lead in leads]},
                       **extra)  # fmt: skip


def test_the_page_preselects_the_worked_record_and_says_why(worked_and_newer):
    cast, worked, newer = worked_and_newer
    client = tenant_client(cast, cast.admin)
    for order in ([newer, worked], [worked, newer]):
        html = _merge_page(client, order, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f'name="survivor" value="{worked.uuid}" checked' in html
        assert f'name="survivor" value="{newer.uuid}" checked' not in html
        assert "Suggested to keep: furthest along (Qualified), and 1 activity or follow-up " \
               "logged." in html  # fmt: skip
        assert (f"the merged lead stays Qualified and with {cast.rep.full_name}, who is "
                "working it") in html  # fmt: skip


def test_the_page_says_why_in_the_readers_language(in_tenant_a):
    cast = in_tenant_a
    worked = _qualified(cast)
    newer = _newer_duplicate(cast, owner=cast.teammate)
    client = tenant_client(cast, cast.manager)  # no language of their own: the browser's
    html = _merge_page(client, [newer, worked], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'name="survivor" value="{worked.uuid}" checked' in html
    assert "建议保留：跟进进度最靠前（合格），已记录 1 条活动和待办。" in html
    assert f"合并后的线索都保持“合格”状态，并继续由正在跟进的 {cast.rep.full_name} 负责" in html
    assert "Suggested to keep" not in html
    english = _merge_page(client, [newer, worked], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Suggested to keep: furthest along (Qualified)" in english


def test_merging_through_the_page_with_the_newer_record_kept(worked_and_newer):
    cast, worked, newer = worked_and_newer
    client = tenant_client(cast, cast.admin)
    done = client.post(
        reverse("leads-merge"),
        {"lead": [str(worked.uuid), str(newer.uuid)], "survivor": str(newer.uuid),
         "value_owner": str(newer.uuid)},
    )  # fmt: skip
    assert done.status_code == 302
    newer.refresh_from_db()
    assert (newer.status, newer.owner) == ("qualified", cast.rep)
    assert Lead.objects.get(pk=worked.pk).merged_into == newer


def test_a_rep_who_may_not_see_one_of_the_leads_is_refused(in_tenant_a):
    cast = in_tenant_a
    mine = _qualified(cast)
    hidden = _newer_duplicate(cast, owner=cast.teammate, company="Hidden Trading")
    client = tenant_client(cast, cast.rep)
    assert _merge_page(client, [mine, hidden]).status_code == 404
    response = client.post(
        reverse("leads-merge"),
        {"lead": [str(mine.uuid), str(hidden.uuid)], "survivor": str(mine.uuid)},
    )
    assert response.status_code == 404
    assert "Hidden Trading" not in response.content.decode()
    assert Lead.objects.get(pk=hidden.pk).merged_into is None
    assert not LeadMerge.objects.exists()
    # The teammate's own pair is theirs to merge.
    pair = _newer_duplicate(cast, owner=cast.teammate)
    page = _merge_page(tenant_client(cast, cast.teammate), [hidden, pair])
    assert page.status_code == 200


def test_another_tenant_sees_nothing_of_the_leads(worked_and_newer, cast_b):
    from django_tenants.utils import tenant_context

    cast, worked, newer = worked_and_newer
    outsider = tenant_client(cast_b, cast_b.admin)
    page = _merge_page(outsider, [worked, newer])
    merged = outsider.post(
        reverse("leads-merge"),
        {"lead": [str(worked.uuid), str(newer.uuid)], "survivor": str(newer.uuid)},
    )
    assert (page.status_code, merged.status_code) == (404, 404)
    for response in (page, merged):
        assert "Huaxin" not in response.content.decode()
        assert "李伟" not in response.content.decode()
    with tenant_context(cast.tenant):
        assert Lead.objects.get(pk=worked.pk).merged_into is None
