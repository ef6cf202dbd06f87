"""Pool pages: the pools a user works with, one pool's leads with claim and allocate, the
lead page's pool actions, and the assignment rules editor. Thin: services decide."""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leadcrm.accounts.models import User
from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads import selectors as lead_selectors
from leads.models import Lead, LeadStatus
from leads.selectors import SORTS, LeadFilters, lead_get_for_user, lead_list
from leads.services.custom_fields import custom_fields_active
from leads.views.list import PERIODS
from pools import conditions as cond
from pools import rules as rule_services
from pools import selectors, services
from pools.errors import PoolError
from pools.forms import PoolForm, RuleForm, conditions_from_post
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent
from pools.reclaim import entry_reclaim_at
from pools.routing import leads_route, route_preview

PAGE_SIZE = 50
TABS = ("waiting", "held", "members", "events")
SORT_LABELS = {
    "score": gettext_lazy("Score"),
    "created": gettext_lazy("Newest"),
    "activity": gettext_lazy("Last activity"),
}


def _pool_for(user: User, uuid) -> Pool:
    pool = get_object_or_404(Pool, uuid=uuid)
    if pool.pk not in selectors.pool_ids_member(user) | selectors.pool_ids_admin(user):
        raise Http404
    return pool


def _posted_uuids(request) -> list:
    ids = []
    for value in request.POST.getlist("lead"):
        try:
            ids.append(uuid_module.UUID(value))
        except ValueError:
            continue
    return ids


def _selected_leads(request, user: User):
    return list(
        lead_selectors.leads_visible_to(user)
        .filter(uuid__in=_posted_uuids(request))
        .order_by("-score")
    )


def _selected_pool_leads(request, pool: Pool):
    """Leads of ``pool`` picked on its page. Not narrowed by visibility: a lead someone else
    claimed a moment ago must still answer "already claimed by X" (pool_claim decides)."""
    return list(
        Lead.objects.filter(uuid__in=_posted_uuids(request), pool_entry__pool=pool).order_by(
            "-score"
        )
    )


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
    pool = _pool_for(user, uuid)
    is_admin = services.pool_is_admin(pool, user)
    is_member = services.pool_is_member(pool, user)
    tab = request.GET.get("tab", "waiting")
    if tab not in TABS or (tab != "waiting" and not is_admin):
        tab = "waiting"
    # The pool's own rows, with the list's filters (search, hot, period); scenes don't apply.
    filters = replace(LeadFilters.from_query(request.GET), scene="all", status="")
    context = {
        "pool": pool,
        "tab": tab,
        "is_admin": is_admin,
        "can_claim": is_member and pool.mode != Pool.Mode.ALLOCATE,
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


def _back(request, pool: Pool):
    return redirect(
        reverse("pools-detail", kwargs={"uuid": pool.uuid}) + "?" + request.POST.get("next", "")
    )


def _report(request, done: int, refused, verb: str) -> None:
    if done:
        messages.success(request, verb % {"count": done})
    reasons: dict[str, int] = {}
    for _lead, why in refused:
        reasons[why] = reasons.get(why, 0) + 1
    for why, count in reasons.items():
        messages.error(request, f"{why} ({count})" if count > 1 else why)


@login_required
@require_POST
def pool_claim(request, uuid):
    pool = _pool_for(request.user, uuid)
    leads = _selected_pool_leads(request, pool)
    if not leads:
        messages.error(request, _("Select the leads to claim."))
        return _back(request, pool)
    claimed, refused = services.pool_claim_many(pool=pool, leads=leads, actor=request.user)
    if request.htmx and len(leads) == 1:  # the row's own Claim button
        return render(
            request,
            "pools/partials/_claim_result.html",
            {
                "lead": claimed[0] if claimed else leads[0],
                "error": refused[0][1] if refused else "",
            },
        )
    _report(
        request,
        len(claimed),
        refused,
        ngettext("You claimed %(count)d lead.", "You claimed %(count)d leads.", len(claimed)),
    )
    return _back(request, pool)


@login_required
@require_POST
def pool_allocate(request, uuid):
    pool = _pool_for(request.user, uuid)
    leads = _selected_leads(request, request.user)
    to_user = User.objects.filter(uuid=request.POST.get("to_user") or None).first()
    if not leads or to_user is None:
        messages.error(request, _("Select leads and the member who gets them."))
        return _back(request, pool)
    done, refused = services.pool_allocate_many(
        pool=pool, leads=leads, to_user=to_user, actor=request.user
    )
    _report(
        request,
        len(done),
        refused,
        ngettext("%(count)d lead allocated.", "%(count)d leads allocated.", len(done)),
    )
    return _back(request, pool)


@login_required
@require_POST
def pool_transfer(request, uuid):
    pool = _pool_for(request.user, uuid)
    to_pool = Pool.objects.filter(uuid=request.POST.get("to_pool") or None).first()
    if to_pool is None:
        messages.error(request, _("Choose the pool the leads go to."))
        return _back(request, pool)
    try:
        if request.POST.get("all") == "1":
            moved = services.pool_transfer_all(
                from_pool=pool,
                to_pool=to_pool,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        else:
            leads = _selected_leads(request, request.user)
            moved = services.pool_transfer(
                leads=leads,
                to_pool=to_pool,
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
    except PoolError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d lead moved to %(pool)s.", "%(count)d leads moved to %(pool)s.", moved
            )
            % {"count": moved, "pool": to_pool},
        )
    return _back(request, pool)


@login_required
@require_POST
def lead_return(request, uuid):
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    try:
        services.pool_return(
            lead=lead,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except PoolError as error:
        messages.error(request, error.message)
        return redirect("leads-detail", uuid=lead.uuid)
    messages.success(request, _("The lead went back to its pool."))
    return redirect("pools-index")


@login_required
@require_POST
def lead_withdraw(request, uuid):
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    into = Pool.objects.filter(uuid=request.POST.get("pool") or None).first()
    try:
        services.pool_withdraw(
            lead=lead, actor=request.user, reason=request.POST.get("reason", ""), pool=into
        )
    except PoolError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn into the pool."))
    return redirect(request.POST.get("next") or reverse("leads-detail", kwargs={"uuid": lead.uuid}))


@login_required
@require_POST
def lead_pool_add(request, uuid):
    """Put an unowned lead that sits in no pool into one (pool admins of that pool)."""
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    pool = Pool.objects.filter(uuid=request.POST.get("pool") or None).first()
    if pool is None:
        messages.error(request, _("Choose a pool."))
        return redirect("leads-detail", uuid=lead.uuid)
    if not services.pool_is_admin(pool, request.user):
        raise PermissionDenied
    try:
        services.pool_lead_add(pool=pool, lead=lead, actor=request.user)
    except PoolError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Added to %(pool)s.") % {"pool": pool})
    return redirect("leads-detail", uuid=lead.uuid)


@login_required
@require_POST
def lead_reveal(request, uuid, field):
    lead = lead_get_for_user(user=request.user, uuid=uuid)
    try:
        value = services.contact_reveal(lead=lead, user=request.user, field=field)
    except PoolError as error:
        return HttpResponse(error.message, status=400)
    return HttpResponse(format_html('<span class="revealed">{}</span>', value or "—"))


@login_required
@require_POST
def leads_reroute(request):
    """ "Re-run assignment" on the leads list's selection (unowned leads only)."""
    leads = _selected_leads(request, request.user)
    if not request.user.has_role(Role.TENANT_ADMIN, Role.POOL_ADMIN):
        raise PermissionDenied
    result = leads_route(
        [lead.pk for lead in leads], trigger=AssignmentRule.Trigger.MANUAL, actor=request.user
    )
    messages.success(
        request,
        _(
            "Assignment re-run: %(assigned)d assigned, %(pooled)d into pools, %(skipped)d "
            "skipped (owned or closed)."
        )
        % {"assigned": result.assigned, "pooled": result.pooled, "skipped": result.skipped},
    )
    return redirect(reverse("leads-index") + "?" + request.POST.get("next", ""))


# Pools settings (tenant admins) ---------------------------------------------------------


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def pool_edit(request, uuid=None):
    pool = get_object_or_404(Pool, uuid=uuid) if uuid else None
    form = PoolForm(request.POST or None, pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            pool = rule_services.pool_save(actor=request.user, pool=pool, **form.service_kwargs())
        except PoolError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Pool saved."))
            return redirect("pools-detail", uuid=pool.uuid)
    return render(
        request, "pools/pool_form.html", {"form": form, "pool": pool, "section": "pools/"}
    )


# Assignment rules (tenant admins) -------------------------------------------------------


@role_required(Role.TENANT_ADMIN)
def rule_list(request):
    specs = cond.field_specs()
    rules = list(AssignmentRule.objects.select_related("target_user", "target_team", "target_pool"))
    for rule in rules:
        rule.described = cond.conditions_describe(rule.conditions, specs)
    return render(
        request,
        "pools/rule_list.html",
        {
            "rules": rules,
            "section": "pools/",
            "fallback": Pool.objects.filter(is_fallback=True).first(),
        },
    )


def _condition_rows(conditions) -> list[dict]:
    rows = []
    for index, group in enumerate(conditions or [[]]):
        for row in group or [{}]:
            value = row.get("value", "")
            rows.append(
                {
                    **row,
                    "group": index,
                    "value": ", ".join(value) if isinstance(value, list) else value,
                }
            )
    return rows


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def rule_edit(request, uuid=None):
    rule = get_object_or_404(AssignmentRule, uuid=uuid) if uuid else None
    form = RuleForm(request.POST or None, rule=rule)
    conditions = (
        conditions_from_post(request.POST)
        if request.method == "POST"
        else (rule.conditions if rule else [])
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = rule_services.rule_save(
                actor=request.user,
                rule=rule,
                conditions=conditions,
                name=data["name"],
                triggers=data["triggers"],
                target_type=data["target_type"],
                target_user=data["target_user"],
                target_team=data["target_team"],
                target_pool=data["target_pool"],
                strategy=data["strategy"] or AssignmentRule.Strategy.ROUND_ROBIN,
                weights=data["weights"],
                daily_cap=data["daily_cap"],
                is_active=data["is_active"],
            )
        except (PoolError, cond.LeadError) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("pools-rules")
    specs = cond.field_specs()
    return render(
        request,
        "pools/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "rows": _condition_rows(conditions),
            "specs": specs.values(),
            "operators": cond.OPERATORS,
            "operators_by_kind": cond.OPERATORS_BY_KIND,
            "section": "pools/",
        },
    )


@role_required(Role.TENANT_ADMIN)
@require_GET
def rule_condition_row(request):
    """One more condition row for the editor (HTMX); ``group`` says which OR group."""
    group = request.GET.get("group", "0")
    return render(
        request,
        "pools/partials/_condition_row.html",
        {
            "row": {"group": group if group.isdigit() else "0", "field": "", "op": "", "value": ""},
            "specs": cond.field_specs().values(),
            "operators": cond.OPERATORS,
        },
    )


@role_required(Role.TENANT_ADMIN)
@require_POST
def rule_move(request, uuid):
    rule = get_object_or_404(AssignmentRule, uuid=uuid)
    rule_services.rule_move(actor=request.user, rule=rule, up=request.POST.get("dir") == "up")
    return redirect("pools-rules")


@role_required(Role.TENANT_ADMIN)
@require_POST
def rule_delete(request, uuid):
    rule = get_object_or_404(AssignmentRule, uuid=uuid)
    rule_services.rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule deleted."))
    return redirect("pools-rules")


@role_required(Role.TENANT_ADMIN)
@require_GET
def rule_test(request):
    """ "Test against this lead": which rule would match and who would get it (no writes)."""
    q = (request.GET.get("q") or "").strip()
    trigger = request.GET.get("trigger", AssignmentRule.Trigger.NEW)
    if trigger not in rule_services.ROUTING_TRIGGERS:
        trigger = AssignmentRule.Trigger.NEW
    lead, placement, matches = None, None, []
    chosen = request.GET.get("lead", "")
    if _is_uuid(chosen):
        lead = Lead.objects.filter(uuid=chosen).first()
    elif q:
        found = (
            Lead.objects.filter(uuid=q) if _is_uuid(q) else Lead.objects.filter(name__icontains=q)
        )
        matches = list(found.order_by("-created_at")[:8])
        if len(matches) == 1:
            lead = matches[0]
    if lead is not None:
        placement = route_preview(lead, trigger)
    entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first() if lead else None
    return render(
        request,
        "pools/partials/_rule_test.html",
        {
            "q": q,
            "lead": lead,
            "placement": placement,
            "matches": matches,
            "entry": entry,
            "trigger": trigger,
        },
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid_module.UUID(value)
    except ValueError:
        return False
    return True
