""" "New lead for you": one notice, composed by lead_assigned_notify, whichever way leads change
hands (a person, the assignment rules, a bulk action, an import), in the owner's language."""

from django.urls import reverse
from django.utils import translation

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from leads.services import lead as lead_services
from leads.services.bulk import lead_bulk_action
from pools.services.routing import leads_route
from pools.services.rules import rule_save


def _speaks(user: User, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return user


def _route_to(cast, owner: User) -> None:
    rule_save(
        actor=cast.admin,
        name=f"All to {owner}",
        triggers=["new"],
        conditions=[],
        target_type="user",
        target_user=owner,
    )


def _notices(owner: User) -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(recipient=owner, kind="lead_assigned")
        .order_by("id")
        .values_list("title", "body", "url")
    )


def test_the_notice_is_in_the_owners_language_not_the_actors(in_tenant_a):
    cast = in_tenant_a
    owner = _speaks(cast.teammate, "zh-hans")
    lead = lead_services.lead_create(actor=cast.manager, name="Chen Jie")
    with translation.override("en"):  # the manager's request is in English
        lead_services.lead_assign(lead=lead, owner=owner, actor=cast.manager)
    assert _notices(owner) == [
        (
            "您有一条新线索：Chen Jie",
            f"由{cast.manager.full_name}分配。",
            reverse("leads-detail", kwargs={"uuid": lead.uuid}),
        )
    ]


def test_an_english_owner_gets_english_from_a_chinese_actor(in_tenant_a):
    cast = in_tenant_a
    owner = _speaks(cast.teammate, "en")
    leads = [
        lead_services.lead_create(actor=cast.rep, owner=cast.rep, name=name)
        for name in ("Li Na", "Wang Fang")
    ]
    with translation.override("zh-hans"):
        lead_bulk_action(
            actor=cast.manager, uuids=[lead.uuid for lead in leads], action="assign", owner=owner
        )
    assert _notices(owner) == [
        (
            "2 new leads for you",
            f"Assigned by {cast.manager.full_name}.",
            reverse("leads-index") + "?scene=mine&sort=created",
        )
    ]


def test_routing_a_person_and_a_bulk_action_compose_the_same_notice(in_tenant_a):
    cast = in_tenant_a
    owner = _speaks(cast.teammate, "")
    by_person = lead_services.lead_create(actor=cast.manager, name="By Person")
    lead_services.lead_assign(lead=by_person, owner=owner, actor=cast.manager)
    by_bulk = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="By Bulk")
    lead_bulk_action(actor=cast.manager, uuids=[by_bulk.uuid], action="assign", owner=owner)
    _route_to(cast, owner)
    routed = lead_services.lead_create(actor=cast.admin, name="By Rules")
    leads_route([routed.pk])
    many = [lead_services.lead_create(actor=cast.admin, name=f"Batch {i}") for i in range(3)]
    leads_route([lead.pk for lead in many])

    def detail(lead):
        return reverse("leads-detail", kwargs={"uuid": lead.uuid})

    assigned_by = f"Assigned by {cast.manager.full_name}."
    assert _notices(owner) == [
        ("New lead for you: By Person", assigned_by, detail(by_person)),
        ("New lead for you: By Bulk", assigned_by, detail(by_bulk)),
        ("New lead for you: By Rules", "Routed by the assignment rules.", detail(routed)),
        (
            "3 new leads for you",
            "Routed by the assignment rules.",
            reverse("leads-index") + "?scene=mine&sort=created",
        ),
    ]


def test_a_handover_is_notified_once_however_often_it_is_reported(in_tenant_a):
    cast = in_tenant_a
    owner = cast.teammate
    lead = lead_services.lead_create(actor=cast.manager, owner=owner, name="Once")
    first = lead_services.lead_assigned_notify(owner=owner, lead=lead, actor=cast.manager)
    again = lead_services.lead_assigned_notify(owner=owner, lead=lead, routed=True)
    assert first is not None
    assert again is None
    assert len(_notices(owner)) == 1
