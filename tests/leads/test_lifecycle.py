import pytest
from django.utils import timezone

from leads.errors import IllegalTransitionError, LeadError
from leads.models import Activity, Lead, LeadStageChange, LeadStatus, LossReason, Stage
from leads.services import lead as lead_services

S = LeadStatus


@pytest.fixture
def lead(in_tenant_a):
    return lead_services.lead_create(
        actor=in_tenant_a.rep, name="  Chen  Jie ", company="Xinghe Logistics"
    )


def test_new_lead_without_owner_is_unassigned_in_the_first_stage(lead):
    assert lead.status == S.UNASSIGNED
    assert lead.name == "Chen Jie"  # whitespace folded
    assert lead.stage == Stage.objects.order_by("position").first()
    assert LeadStageChange.objects.filter(lead=lead).count() == 1


def test_new_lead_with_owner_is_pending(in_tenant_a):
    lead = lead_services.lead_create(actor=in_tenant_a.rep, owner=in_tenant_a.rep, name="Li Na")
    assert lead.status == S.PENDING
    assert lead.assigned_at is not None


def test_lead_needs_a_name_and_a_valid_email(in_tenant_a):
    with pytest.raises(LeadError) as error:
        lead_services.lead_create(actor=in_tenant_a.rep, name=" ")
    assert error.value.field == "name"
    with pytest.raises(LeadError) as error:
        lead_services.lead_create(actor=in_tenant_a.rep, name="X", email="not-an-email")
    assert error.value.field == "email"
    assert not Lead.objects.exists()


def test_email_is_lower_cased_and_tags_cleaned(in_tenant_a):
    lead = lead_services.lead_create(
        actor=in_tenant_a.rep, name="A", email=" Anna@Nordwerk.DE ", tags="expo, vip,,expo"
    )
    assert lead.email == "anna@nordwerk.de"
    assert lead.tags == ["expo", "vip"]


def test_logging_a_call_moves_pending_to_following_up(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Li Na")
    due = timezone.now() + timezone.timedelta(days=2)
    lead_services.activity_log(
        lead=lead, actor=cast.rep, kind="call", outcome="connected", next_follow_up_at=due
    )
    lead.refresh_from_db()
    assert lead.status == S.FOLLOWING_UP
    assert lead.first_follow_up_at is not None
    assert lead.last_activity_at is not None
    assert lead.next_follow_up_at == due


def test_a_note_is_not_a_follow_up(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Li Na")
    lead_services.activity_log(lead=lead, actor=cast.rep, kind="note", body="Met at the booth")
    lead.refresh_from_db()
    assert lead.status == S.PENDING
    assert lead.first_follow_up_at is None


def test_activity_in_the_future_is_refused(lead, in_tenant_a):
    with pytest.raises(LeadError, match="future"):
        lead_services.activity_log(
            lead=lead,
            actor=in_tenant_a.rep,
            kind="call",
            occurred_at=timezone.now() + timezone.timedelta(days=1),
        )
    assert not Activity.objects.exists()


def test_lost_needs_a_reason(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Li Na")
    with pytest.raises(LeadError, match="why"):
        lead_services.lead_change_status(lead=lead, to_status=S.LOST, actor=cast.rep)
    reason = LossReason.objects.first()
    lead = lead_services.lead_change_status(
        lead=lead, to_status=S.LOST, actor=cast.rep, loss_reason=reason
    )
    assert lead.status == S.LOST
    assert lead.loss_reason == reason


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.UNASSIGNED, S.QUALIFIED), (S.PENDING, S.CONVERTED), (S.UNASSIGNED, S.UNASSIGNED)],
)
def test_illegal_transitions_are_refused_with_a_message(in_tenant_a, start, target):
    cast = in_tenant_a
    owner = cast.rep if start == S.PENDING else None
    lead = lead_services.lead_create(actor=cast.rep, owner=owner, name="X")
    with pytest.raises(IllegalTransitionError):
        lead_services.lead_change_status(lead=lead, to_status=target, actor=cast.rep)
    lead.refresh_from_db()
    assert lead.status == start


def test_invalid_is_reversible(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="X")
    lead_services.lead_change_status(lead=lead, to_status=S.INVALID, actor=cast.rep)
    lead = lead_services.lead_change_status(lead=lead, to_status=S.FOLLOWING_UP, actor=cast.rep)
    assert lead.status == S.FOLLOWING_UP


def test_void_is_restored_by_tenant_admins_only(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="X")
    lead_services.lead_change_status(lead=lead, to_status=S.VOID, actor=cast.rep)
    with pytest.raises(LeadError, match="tenant admins"):
        lead_services.lead_restore(lead=lead, actor=cast.manager)
    lead = lead_services.lead_restore(lead=lead, actor=cast.admin)
    assert lead.status == S.PENDING


def test_stage_changes_are_recorded_with_time(lead, in_tenant_a):
    stages = list(Stage.objects.order_by("position"))
    lead_services.lead_change_stage(lead=lead, stage=stages[2], actor=in_tenant_a.rep)
    lead_services.lead_change_stage(lead=lead, stage=stages[3], actor=in_tenant_a.rep)
    changes = list(LeadStageChange.objects.filter(lead=lead).order_by("changed_at"))
    assert [c.to_stage for c in changes] == [stages[0], stages[2], stages[3]]
    assert changes[2].from_stage == stages[2]


def test_every_field_change_is_kept_with_who(lead, in_tenant_a):
    lead_services.lead_update(
        lead=lead, actor=in_tenant_a.manager, company="Xinghe Group", city="Hangzhou"
    )
    record = lead.history.first()
    delta = record.diff_against(record.prev_record)
    assert {c.field for c in delta.changes} == {"company", "city"}
    assert record.history_user == in_tenant_a.manager


def test_assigning_and_unassigning(lead, in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_assign(lead=lead, owner=cast.rep, actor=cast.manager)
    assert (lead.owner, lead.status) == (cast.rep, S.PENDING)
    lead = lead_services.lead_assign(lead=lead, owner=None, actor=cast.manager)
    assert (lead.owner, lead.status) == (None, S.UNASSIGNED)


def test_new_owner_is_notified_unless_they_took_it_themselves(lead, in_tenant_a):
    from leadcrm.notifications.models import Notification

    cast = in_tenant_a
    lead_services.lead_assign(lead=lead, owner=cast.rep, actor=cast.rep)
    assert not Notification.objects.filter(recipient=cast.rep).exists()
    lead_services.lead_assign(lead=lead, owner=cast.teammate, actor=cast.manager)
    notification = Notification.objects.get(recipient=cast.teammate)
    assert notification.kind == "lead_assigned"
    assert str(lead.uuid) in notification.url
