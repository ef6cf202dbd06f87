"""The demo data is made through the services, so it obeys the same rules as real data."""

from django.db.models import F
from django.utils import timezone

from demo.leads import demo_leads_seed
from demo.organisation import demo_organisation_seed
from leads.models import Activity, Lead, LeadStageChange, LeadStatus
from leads.services.lead import TRANSITIONS


def test_demo_leads_are_believable_and_follow_the_rules(in_tenant_a):
    org = demo_organisation_seed(email_domain="demo.example.com", password="Demo-Pass-2026", seed=1)
    owners = {team.name: [*team.members.all()] for team in org.teams}
    result = demo_leads_seed(owners_by_team=owners, admin=in_tenant_a.admin, count=80, seed=3)

    leads = Lead.objects.all()
    assert leads.count() == 80
    assert sum(result["statuses"].values()) == 80
    assert len(set(leads.values_list("status", flat=True))) >= 5  # a real mix
    assert set(leads.values_list("status", flat=True)) <= set(TRANSITIONS)
    assert not leads.filter(status=LeadStatus.LOST, loss_reason__isnull=True).exists()
    assert not leads.filter(status=LeadStatus.UNASSIGNED, owner__isnull=False).exists()
    assert not leads.filter(
        status__in=[LeadStatus.PENDING, LeadStatus.FOLLOWING_UP], owner__isnull=True
    ).exists()
    assert not Activity.objects.filter(occurred_at__lt=F("lead__created_at")).exists()
    assert not Activity.objects.filter(occurred_at__gt=timezone.now()).exists()
    assert not leads.filter(created_at__gt=timezone.now()).exists()
    assert leads.filter(created_at__lt=timezone.now() - timezone.timedelta(days=30)).exists()
    # Pending leads were never followed up (a note is not a follow-up).
    pending = leads.filter(status=LeadStatus.PENDING)
    assert not Activity.objects.filter(lead__in=pending).exclude(kind="note").exists()
    # Stage history starts at the lead's creation and ends in its current stage.
    for lead in leads.exclude(stage__isnull=True)[:30]:
        changes = list(LeadStageChange.objects.filter(lead=lead).order_by("changed_at", "pk"))
        assert changes[0].changed_at == lead.created_at
        assert changes[-1].to_stage_id == lead.stage_id
    # Scores come from the tenant's scoring rules, with the grade letter that goes with them.
    from scoring.services import thresholds_load

    thresholds = thresholds_load()
    for lead in leads:
        assert 0 <= lead.score <= 100
        assert lead.grade == thresholds.letter(lead.score)
    assert leads.values("score").distinct().count() > 5  # the rules tell leads apart
    # History dates were moved back with the lead.
    first_rows = Lead.history.filter(history_type="+")
    assert all(row.history_date == leads.get(pk=row.id).created_at for row in first_rows)


def test_demo_pools_route_claim_and_warn_through_the_services(in_tenant_a):
    from demo.pools import demo_pools_seed
    from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent

    org = demo_organisation_seed(email_domain="demo.example.com", password="Demo-Pass-2026", seed=1)
    owners = {team.name: [*team.members.all()] for team in org.teams}
    demo_leads_seed(owners_by_team=owners, admin=in_tenant_a.admin, count=40, seed=3)
    result = demo_pools_seed(admin=in_tenant_a.admin, extra_leads=120)
    assert result["new_leads"] == 120
    assert Pool.objects.filter(name__in=["East China", "North China", "International"]).count() == 3
    assert AssignmentRule.objects.count() >= 4
    # The low-score handoff has somewhere to go (it stays off until an admin turns it on).
    handoff = AssignmentRule.objects.get(triggers__contains=["low_score"])
    assert (handoff.target_pool.name, handoff.set_nurture) == ("Nurture", True)
    # Every unowned open lead sits in a pool: none was lost by routing.
    loose = Lead.objects.filter(owner__isnull=True, pool_entry__isnull=True).exclude(
        status__in=[LeadStatus.VOID, LeadStatus.CONVERTED]
    )
    assert not loose.exists()
    assert PoolEntry.objects.filter(pool__name="Expo 2026 follow-up").exists()
    assert result["claimed"] > 0
    assert PoolEvent.objects.filter(action="claim").count() == result["claimed"]
    assert demo_pools_seed(admin=in_tenant_a.admin) == {"skipped": True}


def test_demo_converts_a_tenth_of_the_worked_leads_with_opportunities(in_tenant_a):
    from conversion.models import Conversion, Opportunity
    from demo.conversion import WORKED, demo_conversions_seed

    org = demo_organisation_seed(email_domain="demo.example.com", password="Demo-Pass-2026", seed=1)
    owners = {team.name: [*team.members.all()] for team in org.teams}
    demo_leads_seed(owners_by_team=owners, admin=in_tenant_a.admin, count=200, seed=5)
    result = demo_conversions_seed(seed=5)
    worked = Lead.objects.filter(status__in=WORKED).count()
    converted = Conversion.objects.count()
    assert 0.08 * worked <= converted <= 0.12 * worked
    assert result["converted"] == converted
    assert Lead.objects.filter(status=LeadStatus.CONVERTED).count() == converted
    # Spread over the last months, never before the lead existed, with opportunities of
    # every outcome.
    for conversion in Conversion.objects.select_related("lead"):
        assert conversion.lead.converted_at == conversion.converted_at
        assert conversion.converted_at > conversion.lead.created_at
    assert Opportunity.objects.count() >= converted * 0.6
    outcomes = set(Opportunity.objects.values_list("stage__outcome", flat=True))
    assert outcomes >= {"open", "won"}
    assert demo_conversions_seed(seed=5) == {"converted": 0}  # a second run adds nothing


def test_demo_campaigns_carry_costs_and_the_leads_that_name_them(in_tenant_a):
    from demo.campaigns import PLAN, demo_campaigns_seed
    from leads.models import Campaign

    org = demo_organisation_seed(email_domain="demo.example.com", password="Demo-Pass-2026", seed=1)
    owners = {team.name: [*team.members.all()] for team in org.teams}
    demo_leads_seed(owners_by_team=owners, admin=in_tenant_a.admin, count=200, seed=5)
    result = demo_campaigns_seed(actor=in_tenant_a.admin)
    assert result["campaigns"] == Campaign.objects.count() == len(PLAN)
    attached = Lead.objects.filter(campaign__isnull=False)
    assert result["leads"] == attached.count() > 0
    for lead in attached.select_related("campaign"):
        assert lead.campaign.name in lead.source_detail
        assert lead.campaign.source_id == lead.source_id
    assert Campaign.objects.filter(actual_cost__isnull=True, budget__isnull=False).exists()
    assert demo_campaigns_seed(actor=in_tenant_a.admin) == {"campaigns": 0, "leads": 0}
