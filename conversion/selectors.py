"""Reads of customers, contacts and opportunities, scoped to what the user may see.

They follow the lead rules (leads.selectors.owner_ids_visible_to): tenant admins see
everything; others see the records owned by themselves, their reporting line and managed
teams, and owners whose records sharing rules open to them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from conversion.models import Contact, Customer, Opportunity, OpportunityStage
from leadcrm.accounts.models import User
from leadcrm.parsing import uuid_or_none
from leads.selectors import owner_ids_visible_to


def customers_visible_to(user: User) -> QuerySet[Customer]:
    if user.is_tenant_admin:
        return Customer.objects.all()
    readable, _writable = owner_ids_visible_to(user)
    return Customer.objects.filter(owner_id__in=readable)


def customer_can_write(user: User, customer: Customer) -> bool:
    if user.is_tenant_admin:
        return True
    _readable, writable = owner_ids_visible_to(user)
    return customer.owner_id in writable


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    if user.is_tenant_admin:
        return Contact.objects.all()
    readable, _writable = owner_ids_visible_to(user)
    return Contact.objects.filter(Q(owner_id__in=readable) | Q(customer__owner_id__in=readable))


def opportunities_visible_to(user: User) -> QuerySet[Opportunity]:
    if user.is_tenant_admin:
        return Opportunity.objects.all()
    readable, _writable = owner_ids_visible_to(user)
    return Opportunity.objects.filter(Q(owner_id__in=readable) | Q(customer__owner_id__in=readable))


def opportunity_can_write(user: User, opportunity: Opportunity) -> bool:
    if user.is_tenant_admin:
        return True
    _readable, writable = owner_ids_visible_to(user)
    return opportunity.owner_id in writable or opportunity.customer.owner_id in writable


def _get(queryset: QuerySet, uuid):
    found = queryset.filter(uuid=uuid_or_none(uuid)).first() if uuid_or_none(uuid) else None
    if found is None:
        raise Http404
    return found


def customer_get_for_user(*, user: User, uuid) -> Customer:
    """The customer if ``user`` may see it; 404 otherwise (never a hint that it exists)."""
    return _get(customers_visible_to(user).select_related("owner"), uuid)


def contact_get_for_user(*, user: User, uuid) -> Contact:
    return _get(contacts_visible_to(user).select_related("customer", "owner"), uuid)


def opportunity_get_for_user(*, user: User, uuid) -> Opportunity:
    return _get(
        opportunities_visible_to(user).select_related("customer", "stage", "owner", "contact"),
        uuid,
    )


def stages_active() -> list[OpportunityStage]:
    return list(OpportunityStage.objects.filter(is_active=True).order_by("position", "name"))
