"""Settings → Assignment rules: the list, the editor and the rule tester."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leadcrm.parsing import uuid_or_none
from leads.models import Lead
from pools import conditions as cond
from pools.errors import PoolError
from pools.forms import LowScoreSettingsForm, RuleForm, conditions_from_post
from pools.models import AssignmentRule, Pool, PoolEntry, RoutingSettings
from pools.services import handoff
from pools.services import rules as rules_services
from pools.services.routing import route_preview


def _rule_list(request, handoff_form: LowScoreSettingsForm | None = None, status: int = 200):
    specs = cond.field_specs()
    rules = list(AssignmentRule.objects.select_related("target_user", "target_team", "target_pool"))
    for rule in rules:
        rule.described = cond.conditions_describe(rule.conditions, specs)
    settings = RoutingSettings.load()
    if handoff_form is None:
        handoff_form = LowScoreSettingsForm(
            initial={
                "low_score_enabled": settings.low_score_enabled,
                "low_score_below": settings.low_score_below,
                "low_score_days": settings.low_score_days,
            }
        )
    handoff_rules = handoff.handoff_rules()
    return render(
        request,
        "pools/rule_list.html",
        {
            "rules": rules,
            "section": "pools/",
            "fallback": Pool.objects.filter(is_fallback=True).first(),
            "handoff_form": handoff_form,
            "handoff_settings": settings,
            "handoff_has_rules": bool(handoff_rules),
            "handoff_due": handoff.low_score_due(settings=settings, rules=handoff_rules).count(),
        },
        status=status,
    )


@role_required(Role.TENANT_ADMIN)
def rule_list(request):
    return _rule_list(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def low_score_settings(request):
    """Save the low-score handoff settings; bad values come back on the page with a message."""
    form = LowScoreSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            handoff.low_score_settings_save(
                actor=request.user,
                enabled=data["low_score_enabled"],
                score_below=data["low_score_below"],
                days=data["low_score_days"],
            )
        except PoolError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Low-score handoff settings saved."))
            return redirect("pools-rules")
    messages.error(request, _("The low-score handoff settings were not saved; see below."))
    return _rule_list(request, handoff_form=form, status=422)


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
            rule = rules_services.rule_save(
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
                set_nurture=data["set_nurture"],
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
    rules_services.rule_move(actor=request.user, rule=rule, up=request.POST.get("dir") == "up")
    return redirect("pools-rules")


@role_required(Role.TENANT_ADMIN)
@require_POST
def rule_delete(request, uuid):
    rule = get_object_or_404(AssignmentRule, uuid=uuid)
    rules_services.rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule deleted."))
    return redirect("pools-rules")


@role_required(Role.TENANT_ADMIN)
@require_GET
def rule_test(request):
    """ "Test against this lead": which rule would match and who would get it (no writes)."""
    q = (request.GET.get("q") or "").strip()
    trigger = request.GET.get("trigger", AssignmentRule.Trigger.NEW)
    if trigger not in rules_services.ROUTING_TRIGGERS:
        trigger = AssignmentRule.Trigger.NEW
    lead, placement, matches = None, None, []
    chosen = request.GET.get("lead", "")
    if uuid_or_none(chosen):
        lead = Lead.objects.filter(uuid=chosen).first()
    elif q:
        found = (
            Lead.objects.filter(uuid=q)
            if uuid_or_none(q)
            else Lead.objects.filter(name__icontains=q)
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
