"""Related team members of a lead and tenant-wide sharing rules."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from leadcrm.accounts.models import Team, User
from leadcrm.notifications.models import Notification
from leadcrm.notifications.services import notification_send
from leadcrm.notifications.texts import text
from leads.errors import LeadError
from leads.models import Access, Lead, LeadMember, SharingRule


def _check_may_manage_members(lead: Lead, actor: User) -> None:
    if not (actor.is_tenant_admin or lead.owner_id == actor.pk):
        raise LeadError(_("Only the lead's owner or a tenant admin can change its team."))


def lead_member_add(*, lead: Lead, user: User, access: str, actor: User) -> LeadMember:
    """Add ``user`` to the lead's team (read-only or read-write), or change their access.

    Only the owner or a tenant admin may do it; the owner cannot be a member of their own
    lead; the new member is notified. Idempotent: adding someone twice updates their access.
    """
    _check_may_manage_members(lead, actor)
    if access not in Access.values:
        raise LeadError(_("Choose read only or read and write."), field="access")
    if not user.is_active:
        raise LeadError(_("%(name)s is deactivated.") % {"name": user}, field="user")
    if user.pk == lead.owner_id:
        raise LeadError(_("The owner already has full access."), field="user")
    with transaction.atomic():
        member, created = LeadMember.objects.select_for_update().get_or_create(
            lead=lead, user=user, defaults={"access": access, "added_by": actor}
        )
        if not created and member.access != access:
            member.access = access
            member._history_user = actor
            member.save(update_fields=["access"])
        if created:
            notification_send(
                recipient=user,
                kind=Notification.Kind.LEAD_SHARED,
                title=text("leads.shared", actor=str(actor), lead=str(lead)),
                url=reverse("leads-detail", kwargs={"uuid": lead.uuid}),
                dedup_key=f"member:{lead.uuid}:{user.uuid}:{member.pk}",
            )
    return member


def lead_member_remove(*, lead: Lead, user: User, actor: User) -> None:
    """Take ``user`` off the lead's team (the owner or a tenant admin). Idempotent."""
    _check_may_manage_members(lead, actor)
    LeadMember.objects.filter(lead=lead, user=user).delete()


def sharing_rule_create(
    *,
    actor: User,
    name: str,
    access: str,
    from_user: User | None = None,
    from_team: Team | None = None,
    to_user: User | None = None,
    to_team: Team | None = None,
) -> SharingRule:
    """Share the leads owned by a user (or by the members of a team or department) with a
    user or the members of a team or department. Tenant admins only."""
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins can manage sharing rules."))
    name = (name or "").strip()
    if not name:
        raise LeadError(_("Enter a name."), field="name")
    if (from_user is None) == (from_team is None):
        raise LeadError(
            _("Choose whose leads to share: one person or one team."), field="from_user"
        )
    if (to_user is None) == (to_team is None):
        raise LeadError(_("Choose who to share with: one person or one team."), field="to_user")
    if access not in Access.values:
        raise LeadError(_("Choose read only or read and write."), field="access")
    if from_user is not None and from_user == to_user:
        raise LeadError(
            _("Sharing someone's leads with themselves changes nothing."), field="to_user"
        )
    try:
        with transaction.atomic():
            return SharingRule.objects.create(
                name=name,
                access=access,
                from_user=from_user,
                from_team=from_team,
                to_user=to_user,
                to_team=to_team,
            )
    except IntegrityError as exc:
        raise LeadError(_("This rule is not valid.")) from exc


def sharing_rule_deactivate(*, rule: SharingRule, actor: User) -> SharingRule:
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins can manage sharing rules."))
    rule.is_active = False
    rule._history_user = actor
    rule.save(update_fields=["is_active"])
    return rule
