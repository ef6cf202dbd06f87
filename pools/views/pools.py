"""The pools: the index, a pool's page (waiting, held, members, events) and its settings."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads.fields import custom_fields_active
from leads.models import Lead, LeadStatus
from leads.selectors import SORTS, LeadFilters, lead_list
from leads.views.list import PERIODS
from pools import selectors
from pools.errors import PoolError
from pools.forms import PoolForm
from pools.models import Pool, PoolEvent
from pools.services import pool as pool_services
from pools.services.reclaim import entry_reclaim_at

PAGE_SIZE = 50


TABS = ("waiting", "held", "members", "events")


SORT_LABELS = {
    "score": gettext_lazy("Score"),
    "created": gettext_lazy("Newest"),
    "activity": gettext_lazy("Last activity"),
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


@login_required
def pool_detail(request, uuid):
    user = request.user
    pool = selectors.pool_get_for_user(user, uuid)
    is_admin = pool_services.pool_is_admin(pool, user)
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS or (tab != "waiting" and not is_admin):
        tab = "waiting"
    # The pool's own rows, with the list's filters (search, hot, period); scenes don't apply.
    filters = replace(LeadFilters.from_query(request.GET), scene="all", status="")
    context = {
        "pool": pool,
        "tab": tab,
        "is_admin": is_admin,
        "can_claim": pool_services.pool_can_claim(pool, user),
        "can_allocate": is_admin and pool.mode != Pool.Mode.CLAIM,
        "filters": filters,
        "query": request.GET,
        "sorts": [(k, v) for k, v in SORT_LABELS.items() if k in SORTS],
        "stats": selectors.pool_stats(pool),
        "section": "pools/",
        "periods": PERIODS,
        "custom_filters": [
            (definition, request.GET.get(f"cf_{definition.key}", ""))
            for definition in custom_fields_active()
            if definition.filterable
        ],
    }
    if tab == "waiting":
        leads = (
            lead_list(user=user, filters=filters)
            .filter(
                pool_entry__pool=pool,
                owner__isnull=True,
                status__in=(LeadStatus.UNASSIGNED, LeadStatus.NURTURE),
            )
            .select_related("pool_entry")
        )
        context.update(_page(request, leads))
    elif tab == "held":
        leads = (
            Lead.objects.filter(
                pool_entry__pool=pool, owner__isnull=False, merged_into__isnull=True
            )
            .exclude(status__in=(LeadStatus.CONVERTED, LeadStatus.VOID))
            .select_related("owner", "pool_entry__pool")
            .order_by("pool_entry__claimed_at")
        )
        page = _page(request, leads)
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


def _page(request, leads) -> dict:
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    rows = list(leads[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return {
        "leads": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "first_row": (page - 1) * PAGE_SIZE + 1,
        "last_row": (page - 1) * PAGE_SIZE + min(len(rows), PAGE_SIZE),
    }


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
