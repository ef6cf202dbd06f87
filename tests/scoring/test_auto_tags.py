"""Automatic tags: tag rules (all or any of their conditions, the scoring rules' kinds plus "no
activity for N days"), the four starting rules, score_recompute writing Lead.auto_tags in the
same UPDATE as the score, Settings → Scoring → Tags, and the lead page's score panel."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.jobs.models import Job
from leads.models import Lead, LeadStatus, SourceChannel
from leads.services import lead as lead_services
from scoring.configuration import RESCORE_KIND, ScoringConfigError
from scoring.engine import LeadFacts, TagRuleSpec, lead_tags, ruleset_compile
from scoring.localise import TAG_NAMES
from scoring.models import BehaviourEvent, TagRule
from scoring.services import ruleset_load, score_recompute
from scoring.tagging import tag_rule_add, tag_rule_draft_clean
from tests.conftest import tenant_client

PAGE = "/settings/scoring/"
NOW = timezone.now()


def _facts(*, idle_days=0, events=None, is_open=True, source="", **fields) -> LeadFacts:
    values = {"name": "X", "job_title": "", "notes": "", "source_detail": "",
              "bant_authority": False} | fields  # fmt: skip
    return LeadFacts(
        fields=values,
        source=source,
        events=events or {},
        last_activity_at=NOW - timedelta(days=idle_days),
        created_at=NOW - timedelta(days=400),
        is_open=is_open,
    )


def _tags(facts, ruleset) -> list[str]:
    return [hit.tag for hit in lead_tags(facts, ruleset, now=NOW)]


@pytest.fixture
def defaults(in_tenant_a):
    """The tenant's starting tag rules, compiled as score_recompute compiles them."""
    return ruleset_load()


# --- the starting rules -----------------------------------------------------------------------


def test_every_tenant_starts_with_the_four_tags_and_their_chinese_names_are_listed(in_tenant_a):
    names = list(TagRule.objects.filter(is_active=True).values_list("name", flat=True))
    assert names == ["High intent", "Decision maker", "Price sensitive", "Gone quiet"]
    migration = importlib.import_module("scoring.migrations.0007_default_tag_rules")
    assert [name for name, _m, _c in migration.TAG_RULES] == TAG_NAMES


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (_facts(notes="请尽快报价，200 套"), True),
        (_facts(notes="Can we book a demo next week?"), True),
        (_facts(source_detail="急需"), True),
        (_facts(events={"link_click": 1, "email_open": 1}), True),
        (_facts(notes="Demolition of the old plant"), False),  # whole words only
        (_facts(events={"email_open": 1}), False),
        (_facts(notes="Met at the fair"), False),
    ],
)
def test_high_intent(defaults, facts, expected):
    assert ("High intent" in _tags(facts, defaults)) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (_facts(job_title="CEO"), True),
        (_facts(job_title="采购总监"), True),
        (_facts(job_title="Head of Procurement"), True),
        (_facts(job_title="公司老板"), True),
        (_facts(job_title="Engineer", bant_authority=True), True),
        (_facts(job_title="MVP engineer"), False),  # "VP" is no word of it
        (_facts(job_title="Sales manager"), False),
        (_facts(job_title=""), False),
    ],
)
def test_decision_maker(defaults, facts, expected):
    assert ("Decision maker" in _tags(facts, defaults)) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (_facts(notes="能不能打折？"), True),
        (_facts(notes="预算有限，想要便宜一点的"), True),
        (_facts(notes="Is there a discount for 200 units?"), True),
        (_facts(notes="We need 200 units by May"), False),
    ],
)
def test_price_sensitive(defaults, facts, expected):
    assert ("Price sensitive" in _tags(facts, defaults)) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (_facts(idle_days=15), True),
        (_facts(idle_days=14), True),
        (_facts(idle_days=13), False),
        (_facts(idle_days=30, is_open=False), False),  # only open leads go quiet
    ],
)
def test_gone_quiet(defaults, facts, expected):
    assert ("Gone quiet" in _tags(facts, defaults)) is expected


def test_a_lead_never_touched_goes_quiet_counting_from_its_creation(defaults):
    fresh = LeadFacts(fields={"name": "X"}, created_at=NOW - timedelta(days=3))
    old = LeadFacts(fields={"name": "X"}, created_at=NOW - timedelta(days=20))
    assert "Gone quiet" not in _tags(fresh, defaults)
    assert "Gone quiet" in _tags(old, defaults)


# --- all or any -------------------------------------------------------------------------------


def _ruleset(match):
    rule = TagRuleSpec(
        1,
        "Hot website lead",
        (("keyword", {"words": ["quote"]}), ("source", {"codes": ["website"]})),
        match,
    )
    return ruleset_compile(dimensions=[], rules=[], tag_rules=[rule])


def test_a_rule_gives_its_tag_only_when_all_its_conditions_hold():
    ruleset = _ruleset("all")
    assert _tags(_facts(notes="a quote please", source="website"), ruleset) == ["Hot website lead"]
    assert _tags(_facts(notes="a quote please", source="fair"), ruleset) == []
    assert _tags(_facts(notes="hello", source="website"), ruleset) == []


def test_a_rule_that_matches_any_gives_its_tag_when_one_condition_holds():
    ruleset = _ruleset("any")
    assert _tags(_facts(notes="hello", source="website"), ruleset) == ["Hot website lead"]
    assert _tags(_facts(notes="hello", source="fair"), ruleset) == []


def test_an_odd_stored_condition_disables_its_rule_not_the_scoring(in_tenant_a):
    TagRule.objects.create(name="Broken", conditions=[{"kind": "nonsense", "config": {}}, "x"])
    ruleset = ruleset_load()
    assert "Broken" not in [t.spec.name for t in ruleset.tags]
    assert "Decision maker" in _tags(_facts(job_title="CEO"), ruleset)


# --- written by score_recompute ----------------------------------------------------------------


def _lead(cast, **fields):
    values = {"name": "王小明", "company": "上海云启", "job_title": "总经理",
              "notes": "急需报价：200 套"} | fields  # fmt: skip
    return lead_services.lead_create(actor=cast.admin, owner=cast.rep, **values)


def test_score_recompute_writes_the_tags_and_takes_them_away_when_a_rule_stops_holding(
    in_tenant_a,
):
    lead = _lead(in_tenant_a)
    score_recompute(lead_ids=[lead.pk])
    lead.refresh_from_db()
    assert lead.auto_tags == ["High intent", "Decision maker"]
    assert lead.score is not None
    lead_services.lead_update(lead=lead, actor=in_tenant_a.rep, notes="能打折吗")
    score_recompute(lead_ids=[lead.pk])
    lead.refresh_from_db()
    assert lead.auto_tags == ["Decision maker", "Price sensitive"]
    assert lead.history.filter(history_type="~").count() == 1  # the person's edit only


def test_a_quiet_open_lead_is_tagged_until_it_does_something(in_tenant_a):
    lead = _lead(in_tenant_a, notes="", job_title="")
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=NOW - timedelta(days=20))
    score_recompute(lead_ids=[lead.pk], now=NOW)
    lead.refresh_from_db()
    assert lead.auto_tags == ["Gone quiet"]
    BehaviourEvent.objects.create(lead=lead, kind="email_open", at=NOW - timedelta(days=1))
    score_recompute(lead_ids=[lead.pk], now=NOW)
    lead.refresh_from_db()
    assert lead.auto_tags == []
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.LOST)
    BehaviourEvent.objects.filter(lead=lead).delete()
    score_recompute(lead_ids=[lead.pk], now=NOW)
    lead.refresh_from_db()
    assert lead.auto_tags == []


def _lead_updates(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].startswith("UPDATE leads_lead")]


def test_rescoring_unchanged_leads_writes_no_lead(in_tenant_a):
    leads = [_lead(in_tenant_a, name=f"Lead {i}") for i in range(3)]
    ids = [lead.pk for lead in leads]
    score_recompute(lead_ids=ids, now=NOW)
    before = dict(Lead.objects.filter(pk__in=ids).values_list("pk", "auto_tags"))
    with CaptureQueriesContext(connection) as again:
        score_recompute(lead_ids=ids, now=NOW)
    assert _lead_updates(again.captured_queries) == []
    assert dict(Lead.objects.filter(pk__in=ids).values_list("pk", "auto_tags")) == before


def test_tags_cost_no_query_per_lead_and_share_the_scores_update(in_tenant_a):
    score_recompute(lead_ids=[_lead(in_tenant_a, name="Warm-up").pk])  # settings rows made
    one = [_lead(in_tenant_a, name="Solo").pk]
    many = [_lead(in_tenant_a, name=f"Many {i}", notes="打折").pk for i in range(5)]
    with CaptureQueriesContext(connection) as single:
        score_recompute(lead_ids=one, now=NOW)
    with CaptureQueriesContext(connection) as chunk:
        score_recompute(lead_ids=many, now=NOW)
    assert len(chunk.captured_queries) == len(single.captured_queries)
    updates = _lead_updates(chunk.captured_queries)
    assert len(updates) == 1
    assert "auto_tags" in updates[0]
    assert "score" in updates[0]
    tags = list(Lead.objects.filter(pk__in=many).values_list("auto_tags", flat=True))
    assert tags == [["Decision maker", "Price sensitive"]] * 5


# --- the services -------------------------------------------------------------------------------


def test_a_change_of_the_tag_rules_starts_the_rescore_job(in_tenant_a):
    draft = tag_rule_draft_clean(
        name="Wants training", match="all", conditions=[("keyword", {"words": "培训\ntraining"})]
    )
    rule = tag_rule_add(actor=in_tenant_a.admin, draft=draft)
    assert rule.conditions == [{"kind": "keyword", "config": {"words": ["培训", "training"]}}]
    assert Job.objects.filter(kind=RESCORE_KIND).exists()


@pytest.mark.parametrize(
    ("values", "field", "condition"),
    [
        ({"name": ""}, "name", None),
        ({"name": "x" * 51}, "name", None),
        ({"match": "most"}, "match", None),
        ({"conditions": []}, "conditions", None),
        ({"conditions": [("keyword", {"words": "a"}), ("inactive", {"days": "0"})]}, "days", 1),
        ({"conditions": [("keyword", {"words": ""})]}, "words", 0),
        ({"conditions": [("points", {})]}, "kind", 0),
    ],
)
def test_a_tag_rule_that_cannot_work_is_refused_saying_where(in_tenant_a, values, field, condition):
    kwargs = {"name": "Ok", "match": "all", "conditions": [("keyword", {"words": "a"})]} | values
    with pytest.raises(ScoringConfigError) as refused:
        tag_rule_draft_clean(**kwargs)
    assert refused.value.field == field
    assert refused.value.condition == condition


def test_two_active_rules_cannot_give_the_same_tag(in_tenant_a):
    draft = tag_rule_draft_clean(
        name="high INTENT", match="all", conditions=[("inactive", {"days": 3})]
    )
    with pytest.raises(ScoringConfigError, match="already gives the tag"):
        tag_rule_add(actor=in_tenant_a.admin, draft=draft)
    inactive = tag_rule_draft_clean(
        name="high INTENT", match="all", conditions=[("inactive", {"days": 3})], is_active=False
    )
    assert tag_rule_add(actor=in_tenant_a.admin, draft=inactive).pk
    with pytest.raises(ScoringConfigError, match="Only tenant admins"):
        tag_rule_add(actor=in_tenant_a.rep, draft=inactive)


# --- Settings → Scoring → Tags -------------------------------------------------------------------


def _post(**values):
    return {"name": "Asks for training", "match": "all", "is_active": "on", "cond": ["0", "1"],
            "c0-kind": "keyword", "c0-words": "培训\ntraining", "c1-kind": "inactive",
            "c1-days": "7", "action": "save"} | values  # fmt: skip


def test_admin_adds_edits_and_deletes_a_tag_rule(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get(PAGE).content.decode()
    assert 'id="scoring-tags"' in page
    assert "High intent" in page
    assert "No activity for 14 days" in page
    assert client.get(f"{PAGE}tags/add/").status_code == 200
    assert client.post(f"{PAGE}tags/add/", _post()).status_code == 302
    with tenant_context(cast_a.tenant):
        rule = TagRule.objects.get(name="Asks for training")
        assert rule.conditions == [
            {"kind": "keyword", "config": {"words": ["培训", "training"]}},
            {"kind": "inactive", "config": {"days": 7}},
        ]
        assert Job.objects.filter(kind=RESCORE_KIND).exists()
    edit = f"{PAGE}tags/{rule.uuid}/"
    html = client.get(edit).content.decode()
    assert 'name="c1-days"' in html
    assert 'value="7"' in html
    response = client.post(edit, _post(name="Wants training", match="any", cond=["0"]))
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        rule.refresh_from_db()
        assert (rule.name, rule.match, len(rule.conditions)) == ("Wants training", "any", 1)
    response = client.post(edit, _post(cond=["0"]) | {"is_active": ""})  # deactivate
    with tenant_context(cast_a.tenant):
        rule.refresh_from_db()
        assert not rule.is_active
    assert client.post(f"{edit}delete/").status_code == 302
    with tenant_context(cast_a.tenant):
        assert not TagRule.objects.filter(pk=rule.pk).exists()


def test_adding_or_removing_a_condition_redraws_the_editor_and_saves_nothing(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    added = client.post(f"{PAGE}tags/add/", _post(action="add", new_kind="event"))
    html = added.content.decode()
    assert added.status_code == 200
    assert 'name="c2-event"' in html
    assert 'name="c1-days" min="1" max="365" step="1" value="7"' in html
    removed = client.post(f"{PAGE}tags/add/", _post(remove="0")).content.decode()
    assert 'name="c0-words"' not in removed
    assert 'name="c1-days"' in removed
    with tenant_context(cast_a.tenant):
        assert not TagRule.objects.filter(name="Asks for training").exists()


def test_a_refused_tag_rule_says_which_condition_and_keeps_the_input(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(f"{PAGE}tags/add/", _post(**{"c1-days": "0"}))
    html = response.content.decode()
    assert response.status_code == 422
    assert "Condition 2:" in html
    assert "Days without activity" in html
    assert "培训\ntraining</textarea>" in html
    taken = client.post(f"{PAGE}tags/add/", _post(name="Gone quiet"))
    assert taken.status_code == 422
    assert "already gives the tag" in taken.content.decode()


def test_tag_rules_are_for_tenant_admins_only(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        rule = TagRule.objects.get(name="High intent")
    for user in (cast_a.manager, cast_a.rep, cast_a.pool_admin):
        client = tenant_client(cast_a, user)
        assert client.get(f"{PAGE}tags/add/").status_code == 403
        assert client.get(f"{PAGE}tags/{rule.uuid}/").status_code == 403
        assert client.post(f"{PAGE}tags/add/", _post()).status_code == 403
        assert client.post(f"{PAGE}tags/{rule.uuid}/delete/").status_code == 403
    other = tenant_client(cast_b, cast_b.admin)
    assert other.post(f"{PAGE}tags/{rule.uuid}/delete/").status_code == 404
    with tenant_context(cast_a.tenant):
        assert TagRule.objects.filter(pk=rule.pk).exists()
        assert not TagRule.objects.filter(name="Asks for training").exists()
        assert not Job.objects.filter(kind=RESCORE_KIND).exists()


# --- the lead page -------------------------------------------------------------------------------


def test_the_score_panel_lists_the_tags_with_the_rule_behind_each(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast, source=SourceChannel.objects.get(code="website"))
    score_recompute(lead_ids=[lead.pk])
    response = tenant_client(cast, cast.rep).get(
        reverse("leads-detail", kwargs={"uuid": lead.uuid})
    )
    html = response.content.decode()
    assert "Automatic tags" in html
    assert '<span class="tag-chip tag-auto" title="Automatic tag">High intent</span>' in html
    assert "Mentions pricing, quote" in html  # the High intent rule's conditions
    edit = reverse(
        "scoring-tag-edit", kwargs={"uuid": TagRule.objects.get(name="High intent").uuid}
    )
    assert edit not in html  # a rep does not edit the rules
    admin_html = (
        tenant_client(cast, cast.admin)
        .get(reverse("leads-detail", kwargs={"uuid": lead.uuid}))
        .content.decode()
    )
    assert edit in admin_html
