"""lead_convert: what it creates and links, and the rules that must hold (all or nothing,
exactly once, who may, what may not be converted)."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from conversion.errors import AlreadyConvertedError, ConversionError, DuplicateError
from conversion.models import (
    Contact,
    Conversion,
    ConversionSettings,
    Customer,
    Opportunity,
    OpportunityStage,
)
from conversion.services.convert import ConvertRequest, lead_convert
from conversion.services.records import DEFAULT_STAGES
from leads.errors import LeadError
from leads.models import Lead, LeadStatus, Task
from leads.services import lead as lead_services
from leads.services.followups import followup_create
from leads.services.merge import lead_merge
from pools.errors import PoolError
from pools.models import Pool
from pools.services.claim import pool_claim, pool_lead_add, pool_return
from tests.conftest import _load_cast


def _lead(cast, *, owner=None, status=LeadStatus.PENDING, **fields):
    values = {
        "name": "Wang Fang",
        "company": "Shanghai Lianhua Trading Co., Ltd.",
        "email": "wang.fang@lianhua.example.cn",
        "mobile": "13800138000",
        "job_title": "Purchasing manager",
        "industry": "Retail",
        "city": "Shanghai",
        **fields,
    }
    lead = lead_services.lead_create(actor=cast.admin, owner=owner or cast.rep, **values)
    if status != lead.status:
        lead = lead_services.lead_change_status(lead=lead, to_status=status, actor=cast.admin)
    return lead


def _counts():
    return (
        Customer.objects.count(),
        Contact.objects.count(),
        Opportunity.objects.count(),
        Conversion.objects.count(),
    )


def test_a_lead_becomes_a_customer_a_contact_and_an_opportunity(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast, status=LeadStatus.QUALIFIED)
    conversion = lead_convert(
        lead=lead,
        actor=cast.rep,
        request=ConvertRequest(
            opportunity={"name": "Shelving 2027", "amount": "128,000.50", "currency": "cny"}
        ),
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    assert lead.converted_at == conversion.converted_at
    customer, contact, opportunity = (
        conversion.customer,
        conversion.contact,
        conversion.opportunity,
    )
    assert customer.name == "Shanghai Lianhua Trading Co., Ltd."
    assert (customer.industry, customer.city, customer.owner) == ("Retail", "Shanghai", cast.rep)
    assert (contact.name, contact.job_title, contact.customer) == (
        "Wang Fang",
        "Purchasing manager",
        customer,
    )
    assert contact.email_key == "wang.fang@lianhua.example.cn"
    assert opportunity.amount == Decimal("128000.50")
    assert opportunity.currency == "CNY"
    assert opportunity.stage.name == "Discovery"
    assert opportunity.probability == 10
    assert (conversion.customer_created, conversion.contact_created) == (True, True)
    assert conversion.converted_by == cast.rep
    # The lead's history keeps the change, under the person who converted it.
    last = lead.history.first()
    assert (last.status, last.history_user) == (LeadStatus.CONVERTED, cast.rep)


@pytest.mark.parametrize(
    "status", [LeadStatus.PENDING, LeadStatus.FOLLOWING_UP, LeadStatus.QUALIFIED, "invalid"]
)
def test_pending_following_up_qualified_and_invalid_leads_convert(in_tenant_a, status):
    cast = in_tenant_a
    lead = _lead(cast, status=status, company=f"Status {status} Ltd")
    lead_convert(lead=lead, actor=cast.rep)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED


@pytest.mark.parametrize("status", [LeadStatus.NURTURE, LeadStatus.UNASSIGNED, "void"])
def test_other_statuses_are_refused(in_tenant_a, status):
    cast = in_tenant_a
    lead = _lead(cast)
    if status == LeadStatus.UNASSIGNED:
        lead = lead_services.lead_assign(lead=lead, owner=None, actor=cast.admin)
    else:
        lead = lead_services.lead_change_status(lead=lead, to_status=status, actor=cast.admin)
    before = _counts()
    with pytest.raises(ConversionError, match="cannot be converted"):
        lead_convert(lead=lead, actor=cast.admin)
    assert _counts() == before


def test_a_customer_with_the_same_normalised_company_is_linked_not_duplicated(in_tenant_a):
    cast = in_tenant_a
    first = lead_convert(lead=_lead(cast, company="上海联华贸易有限公司"), actor=cast.rep)
    second_lead = _lead(
        cast, name="Li Lei", email="li.lei@lianhua.example.cn", mobile="13900139000",
        company="上海联华贸易",
    )  # fmt: skip
    second = lead_convert(lead=second_lead, actor=cast.rep)
    assert second.customer == first.customer
    assert second.customer_created is False
    assert first.customer.contacts.count() == 2


def test_asking_for_a_new_customer_that_exists_is_refused_and_names_it(in_tenant_a):
    cast = in_tenant_a
    existing = lead_convert(lead=_lead(cast, company="Acme Co., Ltd."), actor=cast.rep).customer
    lead = _lead(cast, name="Zhao Min", email="zm@acme.example", mobile="", company="ACME CO LTD")
    before = _counts()
    with pytest.raises(DuplicateError) as refused:
        lead_convert(lead=lead, actor=cast.rep, request=ConvertRequest(new_customer={}))
    assert refused.value.existing == existing
    assert _counts() == before
    lead.refresh_from_db()
    assert lead.status == LeadStatus.PENDING


def test_the_duplicate_customer_check_can_be_turned_off(in_tenant_a):
    cast = in_tenant_a
    ConversionSettings.objects.update_or_create(
        singleton=True, defaults={"customer_duplicate_check": False}
    )
    lead_convert(lead=_lead(cast, company="Twin Ltd"), actor=cast.rep)
    lead = _lead(cast, name="Other", email="o@twin.example", mobile="", company="Twin Ltd")
    conversion = lead_convert(lead=lead, actor=cast.rep, request=ConvertRequest(new_customer={}))
    assert conversion.customer_created is True
    assert Customer.objects.filter(name="Twin Ltd").count() == 2


def test_a_duplicate_contact_fails_the_whole_conversion(in_tenant_a):
    cast = in_tenant_a
    customer = lead_convert(lead=_lead(cast, company="Dup Contact Ltd"), actor=cast.rep).customer
    again = _lead(
        cast, name="王芳", company="Dup Contact Ltd", email="WANG.FANG@lianhua.example.cn"
    )
    before = _counts()
    with pytest.raises(DuplicateError, match="already a contact") as refused:
        lead_convert(
            lead=again, actor=cast.rep, request=ConvertRequest(opportunity={"name": "Second"})
        )
    assert refused.value.existing == customer.contacts.get()
    assert _counts() == before
    again.refresh_from_db()
    assert again.status == LeadStatus.PENDING
    # Linking the existing contact instead goes through.
    done = lead_convert(
        lead=again, actor=cast.rep, request=ConvertRequest(contact=customer.contacts.get())
    )
    assert (done.contact_created, done.customer) == (False, customer)


def test_a_duplicate_opportunity_name_under_the_customer_fails_everything(in_tenant_a):
    cast = in_tenant_a
    lead_convert(
        lead=_lead(cast, company="Opp Dup Ltd"),
        actor=cast.rep,
        request=ConvertRequest(opportunity={"name": "Racking"}),
    )
    lead = _lead(cast, name="Sun Li", email="sun@oppdup.example", mobile="", company="Opp Dup Ltd")
    before = _counts()
    with pytest.raises(DuplicateError, match="already has an opportunity"):
        lead_convert(
            lead=lead, actor=cast.rep, request=ConvertRequest(opportunity={"name": "racking"})
        )
    assert _counts() == before  # the contact made on the way was rolled back too


def test_a_database_error_at_the_last_step_leaves_nothing_behind(in_tenant_a, monkeypatch):
    cast = in_tenant_a
    lead = _lead(cast, company="Crash Ltd")
    before = _counts()

    def explode(**kwargs):
        raise DatabaseError("injected")

    monkeypatch.setattr(Conversion.objects, "create", explode)
    with pytest.raises(DatabaseError):
        lead_convert(lead=lead, actor=cast.rep, request=ConvertRequest(opportunity={"name": "X"}))
    assert _counts() == before
    lead.refresh_from_db()
    assert (lead.status, lead.converted_at) == (LeadStatus.PENDING, None)


def test_converting_twice_says_who_converted_it(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast, company="Twice Ltd")
    lead_convert(lead=lead, actor=cast.rep)
    with pytest.raises(AlreadyConvertedError, match="already converted by Riley Rep"):
        lead_convert(lead=lead, actor=cast.manager)
    assert Conversion.objects.filter(lead=lead).count() == 1


def test_two_people_converting_the_same_lead_at_once_make_one_conversion(committed_db):
    cast_a = _load_cast("alpha")
    with tenant_context(cast_a.tenant):
        leads = [_lead(cast_a, company=f"Race {i} Ltd", email=f"r{i}@race.example",
                       mobile="") for i in range(5)]  # fmt: skip
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(10)

    def worker(actor, lead):
        connection.set_tenant(cast_a.tenant)
        try:
            barrier.wait()
            try:
                lead_convert(lead=lead, actor=actor)
                result = "converted"
            except AlreadyConvertedError:
                result = "already"
            with lock:
                outcomes[result] += 1
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(actor, lead))
        for lead in leads
        for actor in (cast_a.rep, cast_a.manager)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with tenant_context(cast_a.tenant):
            assert outcomes == {"converted": 5, "already": 5}
            ids = [lead.pk for lead in leads]
            assert Conversion.objects.filter(lead_id__in=ids).count() == 5
            assert Customer.objects.filter(name__startswith="Race ").count() == 5
            assert Contact.objects.filter(customer__name__startswith="Race ").count() == 5
    finally:
        with tenant_context(cast_a.tenant):
            ids = [lead.pk for lead in leads]
            Conversion.objects.filter(lead_id__in=ids).delete()
            Contact.objects.filter(customer__name__startswith="Race ").delete()
            Customer.objects.filter(name__startswith="Race ").delete()
            Lead.objects.filter(pk__in=ids).delete()
            Lead.history.filter(id__in=ids).delete()
            Customer.history.filter(name__startswith="Race ").delete()
            Contact.history.filter(email__endswith="@race.example").delete()


def test_a_merged_tombstone_cannot_be_converted_but_its_survivor_can(in_tenant_a):
    cast = in_tenant_a
    keep = _lead(cast, company="Merge Ltd")
    gone = _lead(cast, name="Wang F.", company="Merge Ltd", email="", mobile="13800138001")
    lead_merge(survivor=keep, others=[gone], actor=cast.admin, values={})
    gone.refresh_from_db()
    with pytest.raises(ConversionError, match="merged"):
        lead_convert(lead=gone, actor=cast.admin)
    lead_convert(lead=keep, actor=cast.admin)


def test_a_converted_lead_cannot_be_merged_returned_or_changed_back(in_tenant_a):
    cast = in_tenant_a
    pool = Pool.objects.create(name="Conversion pool")
    pool.members.add(cast.rep)
    converted = _lead(cast, company="Closed Ltd")
    converted = lead_services.lead_assign(lead=converted, owner=None, actor=cast.admin)
    pool_lead_add(pool=pool, lead=converted, actor=cast.admin)
    converted = pool_claim(pool=pool, lead=converted, actor=cast.rep)
    lead_convert(lead=converted, actor=cast.rep)
    converted.refresh_from_db()
    other = _lead(cast, name="Other", company="Closed Ltd", email="", mobile="13800138009")
    with pytest.raises(LeadError, match="converted"):
        lead_merge(survivor=other, others=[converted], actor=cast.admin, values={})
    with pytest.raises((PoolError, LeadError)):
        pool_return(lead=converted, actor=cast.rep, reason="not interested")
    with pytest.raises(LeadError):
        lead_services.lead_change_status(
            lead=converted, to_status=LeadStatus.FOLLOWING_UP, actor=cast.admin
        )
    with pytest.raises(LeadError):
        lead_services.lead_assign(lead=converted, owner=cast.teammate, actor=cast.admin)
    converted.refresh_from_db()
    assert (converted.status, converted.owner) == (LeadStatus.CONVERTED, cast.rep)


def test_who_may_convert(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast, company="Who Ltd")
    with pytest.raises(ConversionError, match="may not convert"):
        lead_convert(lead=lead, actor=cast.teammate)
    assert not Conversion.objects.filter(lead=lead).exists()
    lead_convert(lead=lead, actor=cast.manager)  # the owner's manager may


def test_a_pools_admin_may_convert_its_lead_and_a_member_sees_masked_contacts(in_tenant_a):
    cast = in_tenant_a
    pool = Pool.objects.create(name="Masked pool")
    pool.members.add(cast.teammate)
    pool.admins.add(cast.pool_admin)
    lead = _lead(cast, company="Pooled Ltd")
    lead = lead_services.lead_assign(lead=lead, owner=None, actor=cast.admin)
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.INVALID, actor=cast.admin
    )
    with pytest.raises(ConversionError):
        lead_convert(lead=lead, actor=cast.teammate)  # a member: masked contacts, not theirs
    conversion = lead_convert(lead=lead, actor=cast.pool_admin)
    assert conversion.contact.email == "wang.fang@lianhua.example.cn"


def test_a_rep_cannot_link_a_customer_they_cannot_see(in_tenant_a):
    cast = in_tenant_a
    theirs = lead_convert(
        lead=_lead(cast, owner=cast.teammate, company="Hidden Ltd"), actor=cast.teammate
    ).customer
    mine = _lead(cast, company="Mine Ltd", email="me@mine.example", mobile="")
    before = _counts()
    with pytest.raises(ConversionError, match="customer you can open"):
        lead_convert(lead=mine, actor=cast.rep, request=ConvertRequest(customer=theirs))
    # Nor does the duplicate check link it for them: they are told to ask for access.
    hidden = _lead(cast, name="X", company="HIDDEN LTD.", email="x@hidden.example", mobile="")
    with pytest.raises(DuplicateError, match="belongs to someone else"):
        lead_convert(lead=hidden, actor=cast.rep)
    assert _counts() == before


def test_open_follow_ups_are_kept_or_cancelled_by_the_tenants_choice(in_tenant_a):
    cast = in_tenant_a
    kept = _lead(cast, company="Keep Ltd")
    followup_create(lead=kept, actor=cast.rep, title="Send the catalogue", due_at=timezone.now())
    lead_convert(lead=kept, actor=cast.rep)
    assert Task.objects.filter(lead=kept, status=Task.Status.OPEN).count() == 1
    ConversionSettings.objects.update_or_create(
        singleton=True, defaults={"open_followups": "close"}
    )
    closed = _lead(cast, company="Close Ltd", email="c@close.example", mobile="")
    followup_create(lead=closed, actor=cast.rep, title="Call back", due_at=timezone.now())
    conversion = lead_convert(lead=closed, actor=cast.rep)
    assert conversion.followups_closed == 1
    assert not Task.objects.filter(lead=closed, status=Task.Status.OPEN).exists()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"name": ""}, "needs a name"),
        ({"name": "X", "amount": "lots"}, "amount as a number"),
        ({"name": "X", "amount": "-5"}, "between 0"),
        ({"name": "X", "expected_close_date": "0001-01-01"}, "between the years"),
        ({"name": "X", "expected_close_date": "soon"}, "YYYY-MM-DD"),
        ({"name": "X", "stage": "not-a-stage"}, "stage"),
    ],
)
def test_bad_opportunity_values_are_refused_with_a_reason(in_tenant_a, given, message):
    cast = in_tenant_a
    lead = _lead(cast, company="Bad Values Ltd")
    before = _counts()
    with pytest.raises(ConversionError, match=message):
        lead_convert(lead=lead, actor=cast.rep, request=ConvertRequest(opportunity=given))
    assert _counts() == before


def test_a_won_stage_closes_the_opportunity(in_tenant_a):
    cast = in_tenant_a
    won = OpportunityStage.objects.get(outcome="won")
    conversion = lead_convert(
        lead=_lead(cast, company="Won Ltd"),
        actor=cast.rep,
        request=ConvertRequest(opportunity={"name": "Deal", "stage": str(won.uuid), "amount": 5}),
    )
    assert conversion.opportunity.closed_at is not None
    assert conversion.opportunity.probability == 100


def test_the_starting_pipeline_matches_the_frozen_migration_copy():
    from importlib import import_module

    frozen = import_module("conversion.migrations.0002_default_stages").STAGES
    assert frozen == [
        (name, probability, str(outcome)) for name, probability, outcome in DEFAULT_STAGES
    ]


def test_a_converted_lead_is_read_only_even_for_admins(in_tenant_a):
    from django.urls import reverse

    from tests.conftest import tenant_client

    cast = in_tenant_a
    lead = _lead(cast, company="Read Only Ltd")
    lead_convert(lead=lead, actor=cast.rep)
    for user in (cast.rep, cast.admin):
        client = tenant_client(cast, user)
        assert client.get(reverse("leads-edit", kwargs={"uuid": lead.uuid})).status_code == 403
        logged = client.post(
            reverse("leads-activity-create", kwargs={"uuid": lead.uuid}),
            {"kind": "note", "body": "after the fact"},
        )
        assert logged.status_code == 403
    assert not lead.activities.filter(body="after the fact").exists()
    page = tenant_client(cast, cast.rep).get(reverse("leads-detail", kwargs={"uuid": lead.uuid}))
    assert page.status_code == 200
    assert reverse("leads-edit", kwargs={"uuid": lead.uuid}) not in page.content.decode()


def test_converting_completes_the_funnel_in_the_stage_history(in_tenant_a):
    from leads.models import LeadStageChange, Stage

    cast = in_tenant_a
    lead = _lead(cast, company="Funnel Ltd")
    first = lead.stage
    conversion = lead_convert(lead=lead, actor=cast.rep)
    lead.refresh_from_db()
    last = Stage.objects.filter(is_active=True).order_by("position", "name").last()
    assert lead.stage == last
    step = LeadStageChange.objects.filter(lead=lead).order_by("-changed_at", "-pk").first()
    assert (step.from_stage, step.to_stage, step.changed_by) == (first, last, cast.rep)
    assert step.changed_at == conversion.converted_at == lead.stage_changed_at


def test_a_converted_lead_is_never_reclaimed_rerouted_or_counted_as_held(in_tenant_a):
    from datetime import timedelta

    from pools.models import AssignmentRule, PoolEntry
    from pools.selectors import pool_member_rows
    from pools.services.reclaim import pool_reclaim_due
    from pools.services.routing import leads_route

    cast = in_tenant_a
    pool = Pool.objects.create(name="Reclaiming pool", reclaim_no_follow_up_days=1)
    pool.members.add(cast.rep)
    lead = lead_services.lead_assign(
        lead=_lead(cast, company="Kept Ltd"), owner=None, actor=cast.admin
    )
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    lead = pool_claim(pool=pool, lead=lead, actor=cast.rep)
    lead_convert(lead=lead, actor=cast.rep)
    PoolEntry.objects.filter(lead=lead).update(claimed_at=timezone.now() - timedelta(days=30))
    summary = pool_reclaim_due()
    assert (summary.warned, summary.reclaimed) == (0, 0)
    AssignmentRule.objects.create(
        name="Everything to the teammate",
        target_type="user",
        target_user=cast.teammate,
        triggers=["new", "returned"],
    )
    result = leads_route([lead.pk], trigger=AssignmentRule.Trigger.NEW)
    assert (result.assigned, result.pooled) == (0, 0)
    lead.refresh_from_db()
    assert (lead.owner, lead.status) == (cast.rep, LeadStatus.CONVERTED)
    # The pool's members table counts it as converted (by conversion date), not as held.
    row = next(r for r in pool_member_rows(pool, [cast.rep]) if r.user == cast.rep)
    assert (row.held, row.converted) == (0, 1)
