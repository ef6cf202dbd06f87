"""The lead's Change history tab reads as people would tell it (leads.history, leadcrm.history,
leads.selectors.lead_history): what the person changed, apart from what the system kept up to
date meanwhile; no row for a save that changed nothing visible; labels in the reader's
language; every time as the language's short date and time in the tenant's time zone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from leadcrm.history import values_read_the_same
from leads.history import SYSTEM_FIELDS
from leads.models import Lead
from leads.selectors import lead_history
from leads.services import lead as lead_services
from leads.services.custom_fields import custom_field_create
from pools.models import Pool
from pools.services.claim import pool_lead_add
from scoring.services import score_recompute
from tests.conftest import tenant_client

#: 10:06 UTC is 18:06 in the test tenants' time zone (Asia/Shanghai).
FOLLOW_UP = datetime(2027, 3, 1, 10, 6, tzinfo=UTC)


def _called_lead(cast) -> Lead:
    """A lead the admin gave the rep, scored by the system, then called by the rep (who sets
    the next follow-up): the call's record carries the new score as well."""
    lead = lead_services.lead_create(
        actor=cast.admin,
        owner=cast.rep,
        name="王小明",
        company="上海云启智能科技有限公司",
        email="xm.wang@yunqi.example",
        company_size="250-999",
    )
    score_recompute(lead_ids=[lead.pk], trigger="created")  # a plain UPDATE: no history record
    lead_services.activity_log(
        lead=lead, actor=cast.rep, kind="call", body="Wants a quote", next_follow_up_at=FOLLOW_UP
    )
    lead.refresh_from_db()
    assert lead.score is not None
    assert lead.grade
    return lead


def _tab(cast, lead, user=None) -> str:
    response = tenant_client(cast, user or cast.rep).get(
        reverse("leads-detail", kwargs={"uuid": lead.uuid}),
        {"tab": "history"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="lead-tab",
    )
    assert response.status_code == 200
    return response.content.decode()


def _system_lines(html: str) -> list[str]:
    return re.findall(r'<div class="muted history-system">(.*?)</div>', html, re.S)


def _call_row(html: str) -> str:
    """The table row of the call's record (the one with a system line)."""
    [row] = [row for row in html.split("<tr>") if "history-system" in row]
    return row


def _person_labels(row: str) -> list[str]:
    return re.findall(r"<div><strong>(.*?)</strong>:", row)


def test_a_logged_call_shows_the_reps_change_and_the_score_as_the_systems(cast_a):
    with tenant_context(cast_a.tenant):
        lead = _called_lead(cast_a)
        call = next(row for row in lead_history(lead) if getattr(row, "history_type", "") == "~")
    assert call.history_user == cast_a.rep
    assert {c.name for c in call.changes.person} == {"next_follow_up_at", "status"}
    assert {"score", "grade", "first_follow_up_at", "last_activity_at"} <= {
        c.name for c in call.changes.system
    }

    html = _tab(cast_a, lead)
    row = _call_row(html)
    assert _person_labels(row) == ["Status", "Next follow-up due"]
    assert "<strong>Status</strong>: Pending → Following up" in row
    assert f'<td class="small">{cast_a.rep.full_name}</td>' in row
    [system] = _system_lines(row)
    assert system.startswith("System: ")
    assert f"Score — → {lead.score}" in system
    assert f"Grade — → {lead.grade}" in system
    assert "First follow-up — → " in system
    for label in ("Score", "Grade", "First follow-up", "Last activity", "Assigned"):
        assert label not in _person_labels(row)


def test_saving_a_lead_again_with_the_same_values_shows_nothing(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(
        actor=cast.admin, owner=cast.rep, name="Unchanged Lead", tags=["vip", "expo"]
    )
    lead.refresh_from_db()
    # Saved again by someone: the times stamped again within the same second (microseconds
    # apart), the same tags in another order.
    lead.status_changed_at += timedelta(microseconds=370)
    lead.stage_changed_at += timedelta(microseconds=5)
    lead.tags = ["expo", "vip"]
    lead._history_user = cast.rep
    lead.save()
    assert Lead.history.filter(id=lead.pk).count() == 2  # the record is there ...

    rows = lead_history(lead)
    assert [row.history_type for row in rows] == ["+"]  # ... and shows nothing
    html = _tab(cast, lead)
    assert html.count("<tr><td") == 1  # the creation only
    assert "→" not in html


def test_a_save_that_changes_something_still_shows_next_to_a_no_op(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name="Edited Lead")
    lead.refresh_from_db()
    lead.status_changed_at += timedelta(microseconds=90)
    lead._history_user = cast.rep
    lead.save()
    lead_services.lead_update(lead=lead, actor=cast.rep, company="Xinghe Group")
    rows = lead_history(lead)
    assert [row.history_type for row in rows] == ["~", "+"]
    assert [(c.name, c.old_shown, c.new_shown) for c in rows[0].changes.person] == [
        ("company", None, "Xinghe Group")
    ]
    assert not rows[0].changes.system


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, ""),
        ("", "  "),
        ([], None),
        ({}, {"budget": None}),
        (["a", "b"], ["b", "a"]),
        (datetime(2026, 12, 1, 10, 6, 5, 120, tzinfo=UTC), datetime(2026, 12, 1, 10, 6, 5, 999_000, tzinfo=UTC)),
        (datetime(2026, 12, 1, 10, 6, 5, tzinfo=UTC), datetime(2026, 12, 1, 10, 6, 40, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_values_that_read_the_same_are_not_a_change(old, new):
    assert values_read_the_same(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, "x"),
        (["a"], ["a", "b"]),
        (False, True),
        (0, None),
        (datetime(2026, 12, 1, 10, 6, 59, tzinfo=UTC), datetime(2026, 12, 1, 10, 7, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_values_that_read_differently_are_a_change(old, new):
    assert not values_read_the_same(old, new)


def test_the_history_reads_in_chinese_for_a_chinese_user(cast_a):
    with tenant_context(cast_a.tenant):
        lead = _called_lead(cast_a)
        lead_services.lead_update(lead=lead, actor=cast_a.rep, company="星河集团", city="杭州")
        cast_a.rep.language = "zh-hans"
        cast_a.rep.save(update_fields=["language"])
    html = _tab(cast_a, lead)
    assert "<strong>公司</strong>: 上海云启智能科技有限公司 → 星河集团" in html
    assert "<strong>城市</strong>: — → 杭州" in html
    assert "<strong>状态</strong>: 待跟进 → 跟进中" in html
    [system] = _system_lines(html)
    assert system.startswith("系统: ")
    assert "评分 — → " in system
    assert "首次跟进时间 — → " in system
    assert "<th>时间</th><th>变更内容</th><th>操作人</th>" in html
    assert '<td class="small">创建</td>' in html
    english = ("Company", "City", "Status", "Next follow-up", "Score", "Grade", "First follow-up",
               "Last activity", "Status changed", "System", "Created", "When", "Change", "By")  # fmt: skip
    # The scoring rows' reasons name the tenant's own rules ("Company named"): data, not labels.
    labels_only = re.sub(r'<div class="muted">.*?</div>', "", html)
    assert [word for word in english if re.search(rf"\b{word}\b", labels_only)] == []


@pytest.mark.parametrize(
    ("language", "follow_up", "moment"),
    [
        ("en", "1 Mar 2027, 18:06", r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}"),
        ("zh-hans", "2027年3月1日 18:06", r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}"),
    ],
)
def test_every_time_in_the_history_is_a_short_date_and_time(cast_a, language, follow_up, moment):
    with tenant_context(cast_a.tenant):
        lead = _called_lead(cast_a)
        cast_a.rep.language = language
        cast_a.rep.save(update_fields=["language"])
    html = _tab(cast_a, lead)
    assert f"— → {follow_up}</div>" in html  # the next follow-up, in the tenant's time zone
    when = re.findall(r'<time datetime="[^"]+">(.*?)</time>', html)
    assert len(when) >= 3  # the call, the score change and the creation
    assert all(re.fullmatch(moment, text) for text in when), when
    system = _system_lines(html)[0]
    times = re.findall(rf"→ ({moment})", system)
    assert len(times) >= 2, system  # first follow-up, last activity
    for other in (r"\d{4}-\d{2}-\d{2}", r"[ap]\.m\.", r"\d{2}/\d{2}/\d{4}", r"\d{1,2}:\d{2}:\d{2}"):
        assert not re.search(other, re.sub(r'datetime="[^"]+"', "", html)), other


def test_custom_field_changes_read_under_their_labels_dates_as_dates(in_tenant_a):
    cast = in_tenant_a
    custom_field_create(actor=cast.admin, key="decision", label="Decision date", field_type="date")
    custom_field_create(actor=cast.admin, key="pilot", label="Pilot wanted", field_type="boolean")
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name="Custom Lead")
    lead_services.lead_update(
        lead=lead, actor=cast.rep, custom_data={"decision": "2027-01-15", "pilot": True}
    )
    html = _tab(cast, lead)
    assert "<strong>Decision date</strong>: — → 15 Jan 2027</div>" in html
    assert "<strong>Pilot wanted</strong>: — → Yes</div>" in html
    assert "Custom fields" not in html


def test_a_change_nobody_made_is_the_systems(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, name="Routed Lead")
    lead_services.lead_assign(lead=lead, owner=cast.rep, actor=None, reason="routed")
    html = _tab(cast, lead, cast.manager)
    assert f"<strong>Owner</strong>: — → {cast.rep}" in html
    assert re.search(r"<td class=\"small\">System</td></tr>", html)


def test_a_pool_member_sees_contact_changes_masked_as_on_the_page(in_tenant_a):
    cast = in_tenant_a
    pool = Pool.objects.create(name="Yangtze Delta")
    pool.members.add(cast.teammate)
    lead = lead_services.lead_create(
        actor=cast.admin, name="Pooled Lead", email="buyer@delta-example.cn", mobile="13800138000"
    )
    lead_services.lead_update(
        lead=lead, actor=cast.admin, email="chief@delta-example.cn", mobile="13900139000"
    )
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    html = _tab(cast, lead, cast.teammate)
    assert "<strong>Email</strong>: b****@delta-example.cn → c****@delta-example.cn" in html
    assert "<strong>Mobile</strong>: 138****8000 → 139****9000" in html
    for full in ("buyer@", "chief@", "13800138000", "13900139000"):
        assert full not in html
    assert "chief@delta-example.cn" in _tab(cast, lead, cast.admin)  # an admin sees them


def test_another_rep_and_another_tenant_cannot_read_the_history(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        lead = _called_lead(cast_a)
    url = reverse("leads-detail", kwargs={"uuid": lead.uuid})
    assert tenant_client(cast_a, cast_a.teammate).get(url, {"tab": "history"}).status_code == 404
    assert tenant_client(cast_b, cast_b.admin).get(url, {"tab": "history"}).status_code == 404
    assert tenant_client(cast_a).get(url, {"tab": "history"}).status_code == 302  # sign in first


def test_system_fields_are_fields_of_the_lead():
    names = {f.name for f in Lead._meta.get_fields()}
    assert names >= SYSTEM_FIELDS
    assert {"owner", "status", "stage", "next_follow_up_at", "custom_data"}.isdisjoint(
        SYSTEM_FIELDS
    )
