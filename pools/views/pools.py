"""The pools: the index, a pool's page (waiting, held, members, events) and its settings."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads.listing import lead_table_context, lead_table_page
from leads.models import Lead, LeadStatus
from leads.selectors import LeadFilters, lead_filter_targets, lead_list
from pools import selectors
from pools.errors import PoolError
from pools.forms import PoolForm
from pools.models import Pool, PoolEvent
from pools.services import claim as claim_services
from pools.services import pool as pool_services
from pools.services.reclaim import entry_reclaim_at

TABS = ("waiting", "held", "members", "events")


#: The waiting leads' table offers the list's filters that make sense for unowned pool leads:
#: not who owns them (nobody: owner, team), when they were handed out or are due (assigned,
#: next follow-up: not while they wait), nor their status (Unassigned or Nurture).
WAITING_TABLE = {
    "status_chips": (),
    "toggles": ("hot",),
    "sorts": ("score", "created", "activity"),
    "more_filters": (
        "source",
        "campaign",
        "stage",
        "priority",
        "region",
        "city",
        "industry",
        "score",
        "grade",
        "created",
        "activity",
        "imported",
        "duplicates",
    ),
}


@login_required
def index(request):
    user = request.user
    pools = list(selectors.pools_for(user).select_related("default_assignee"))
    waiting = selectors.pool_counts_waiting([p.pk for p in pools])
    held = dict(
        Lead.objects.filter(pool_entry__pool__in=pools, owner=user, merged_into__isnull=True)
        .exclude(status__in=(LeadStatus.CONVERTED, LeadStatus.LOST, LeadStatus.VOID))
        .values_list("pool_entry__pool")
        .annotate(n=Count("*"))
    )
    admin_ids = selectors.pool_ids_admin(user)
    rows = [
        {
            "pool": p,
            "waiting": waiting.get(p.pk, 0),
            "held": held.get(p.pk, 0),
            "is_admin": p.pk in admin_ids,
        }
        for p in pools
    ]
    return render(request, "pools/index.html", {"rows": rows, "section": "pools/"})


def pool_counts_context(pool: Pool, user, *, can_claim: bool) -> dict:
    """The pool page's counts region (templates/pools/partials/_pool_counts.html): the pool's
    figures and, for a member who may claim, what they may still claim and, when nothing,
    why. The page renders it, and a claim's answer swaps it in again (out of band)."""
    allowance = claim_services.pool_claim_allowance(pool=pool, member=user) if can_claim else None
    return {
        "stats": selectors.pool_stats(pool),
        "allowance": allowance,
        "claim_refusal": allowance.refusal(member=user, actor=user) if allowance else "",
    }


@login_required
def pool_detail(request, uuid):
    user = request.user
    pool = selectors.pool_get_for_user(user, uuid)
    is_admin = pool_services.pool_is_admin(pool, user)
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS or (tab != "waiting" and not is_admin):
        tab = "waiting"
    # The pool's own rows, with the list's filters (WAITING_TABLE); scenes don't apply.
    filters = replace(LeadFilters.from_query(request.GET), scene="all", status="")
    can_claim = pool_services.pool_can_claim(pool, user)
    context = {
        "pool": pool,
        "tab": tab,
        "is_admin": is_admin,
        "can_claim": can_claim,
        "can_allocate": is_admin and pool.mode != Pool.Mode.CLAIM,
        "can_select": can_claim or is_admin,
        "section": "pools/",
        **pool_counts_context(pool, user, can_claim=can_claim),
    }
    if tab == "waiting":
        targets = lead_filter_targets(filters)  # once for the rows and the chips
        leads = (
            lead_list(user=user, filters=filters, targets=targets)
            .filter(
                pool_entry__pool=pool,
                owner__isnull=True,
                status__in=(LeadStatus.UNASSIGNED, LeadStatus.NURTURE),
            )
            .select_related("pool_entry")
        )
        context.update(
            lead_table_context(request, leads, filters=filters, targets=targets, **WAITING_TABLE)
        )
    elif tab == "held":
        leads = (
            Lead.objects.filter(
                pool_entry__pool=pool, owner__isnull=False, merged_into__isnull=True
            )
            .exclude(status__in=(LeadStatus.CONVERTED, LeadStatus.VOID))
            .select_related("owner", "pool_entry__pool")
            .order_by("pool_entry__claimed_at")
        )
        page = lead_table_page(request, leads)
        for lead in page["leads"]:
            lead.reclaim_at = entry_reclaim_at(lead.pool_entry, lead)
        context.update(page)
    elif tab == "members":
        members = list(selectors.pool_member_users(pool))
        context["member_rows"] = selectors.pool_member_rows(pool, members)
    else:
        context["events"] = PoolEvent.objects.filter(pool=pool).select_related(
            "lead", "actor", "to_user"
        )[:100]
    if is_admin:
        context["members"] = list(selectors.pool_member_users(pool))
        context["other_pools"] = Pool.objects.filter(is_active=True).exclude(pk=pool.pk)
    if request.htmx and request.htmx.target == "pool-results":
        return render(request, "pools/pool_detail.html#pool-results", context)
    return render(request, "pools/pool_detail.html", context)


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def pool_edit(request, uuid=None):
    pool = get_object_or_404(Pool, uuid=uuid) if uuid else None
    form = PoolForm(request.POST or None, pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            pool = pool_services.pool_save(actor=request.user, pool=pool, **form.service_kwargs())
        except PoolError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Pool saved."))
            return redirect("pools-detail", uuid=pool.uuid)
    return render(
        request, "pools/pool_form.html", {"form": form, "pool": pool, "section": "pools/"}
    )
