"""Settings → Scoring (tenant admins): thresholds, dimensions, rules, "test a lead", the tag
rules (automatic tags), and the progress of the rescore job a change starts.

Thin views over scoring.configuration. Changes made on the main page answer HTMX with the
refreshed ``config`` region and plain forms with a redirect, so the page works without
JavaScript. The rule editor is a page of its own (one form per rule kind).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leadcrm.parsing import uuid_or_none
from leads.models import Activity, LeadSettings, SourceChannel
from leads.selectors import lead_get_for_user, leads_visible_to
from scoring import configuration as services
from scoring import tagging
from scoring.configuration import ScoringConfigError
from scoring.forms import (
    editor_values,
    editor_values_from_post,
    editor_values_of_rule,
    rule_values_from_post,
    tag_condition_new,
    tag_editor_values_from_post,
    tag_editor_values_of_rule,
    tag_values_from_post,
)
from scoring.models import BehaviourEvent, Dimension, ScoringRule, ScoringSettings, TagRule
from scoring.predictive.model import MIN_CLOSED
from scoring.predictive.services import model_active

PAGE = "scoring/settings.html"
RULE_PAGE = "scoring/settings_rule.html"
TAG_PAGE = "scoring/settings_tag.html"
#: A finished rescore job stays on the page this long, so its outcome can be read.
RECENT_JOB = 3600
LEAD_MATCHES = 8


def _recent_job():
    job = services.rescore_job_latest()
    if job is None or job.is_active:
        return job
    finished = job.finished_at or job.created_at
    return job if (timezone.now() - finished).total_seconds() < RECENT_JOB else None


def _config_context(**extra) -> dict:
    lead_settings = LeadSettings.load()
    return {
        "thresholds": {
            "hot_score": lead_settings.hot_score,
            "warm_score": lead_settings.warm_score,
            "half_life_days": ScoringSettings.load().half_life_days,
        },
        "dimensions": services.scoring_overview(),
        "tag_rules": tagging.tag_rules_overview(),
        "job": _recent_job(),
        "tab": "scoring",
        "model_active": model_active(),
        "model_min_closed": MIN_CLOSED,
        **extra,
    }


def _test_context(request) -> dict:
    """The "test a lead" box: the leads matching ``q`` (among those the admin may see) and,
    for a chosen ``lead``, its score with the draft thresholds next to the stored one."""
    query = " ".join(request.GET.get("q", "").split())
    context = {"q": query, "matches": [], "test": None}
    lead_id = uuid_or_none(request.GET.get("lead"))
    if lead_id:
        lead = lead_get_for_user(user=request.user, uuid=lead_id)
    elif query:
        matches = list(
            leads_visible_to(request.user)
            .filter(name__icontains=query)
            .order_by("name")[: LEAD_MATCHES + 1]
        )
        if len(matches) != 1:
            context["matches"] = matches[:LEAD_MATCHES]
            context["more"] = len(matches) > LEAD_MATCHES
            context["searched"] = True
            return context
        lead = matches[0]
    else:
        return context
    thresholds = services.thresholds_draft(
        hot_score=request.GET.get("hot_score"),
        warm_score=request.GET.get("warm_score"),
        half_life_days=request.GET.get("half_life_days"),
    )
    context["test"] = services.lead_test(lead=lead, thresholds=thresholds)
    context["q"] = lead.name
    return context


@role_required(Role.TENANT_ADMIN)
@require_GET
def scoring_settings(request):
    context = _config_context(**_test_context(request))
    return render(request, PAGE, context)


@role_required(Role.TENANT_ADMIN)
@require_GET
def scoring_test(request):
    """Test a lead with the draft thresholds (HTMX: only the result)."""
    context = _test_context(request)
    if request.htmx:
        return render(request, "scoring/partials/_settings_test.html", context)
    return render(request, PAGE, _config_context(**context))


def _done(request):
    if request.htmx:
        return render(request, f"{PAGE}#config", _config_context())
    return redirect("scoring-settings")


def _refused(request, exc: ScoringConfigError):
    messages.error(request, exc.message)
    return _done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def thresholds_save(request):
    try:
        services.scoring_settings_save(
            actor=request.user,
            hot_score=request.POST.get("hot_score", ""),
            warm_score=request.POST.get("warm_score", ""),
            half_life_days=request.POST.get("half_life_days", ""),
        )
    except ScoringConfigError as exc:
        return _refused(request, exc)
    messages.success(request, _("Saved."))
    return _done(request)


def _dimension(uuid) -> Dimension:
    dimension = Dimension.objects.filter(uuid=uuid).first()
    if dimension is None:
        raise Http404
    return dimension


@role_required(Role.TENANT_ADMIN)
@require_POST
def dimension_add(request):
    try:
        dimension = services.dimension_add(
            actor=request.user,
            name=request.POST.get("name", ""),
            cap=request.POST.get("cap", ""),
            decays=request.POST.get("decays") == "on",
        )
    except ScoringConfigError as exc:
        return _refused(request, exc)
    messages.success(request, _("%(name)s added.") % {"name": dimension.name})
    return _done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def dimension_update(request, uuid):
    dimension = _dimension(uuid)
    try:
        services.dimension_update(
            actor=request.user,
            dimension=dimension,
            name=request.POST.get("name", ""),
            cap=request.POST.get("cap", ""),
            decays=request.POST.get("decays") == "on",
        )
    except ScoringConfigError as exc:
        return _refused(request, exc)
    messages.success(request, _("Saved."))
    return _done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def dimension_delete(request, uuid):
    dimension = _dimension(uuid)
    try:
        services.dimension_delete(actor=request.user, dimension=dimension)
    except ScoringConfigError as exc:
        return _refused(request, exc)
    messages.success(request, _("%(name)s deleted.") % {"name": dimension.name})
    return _done(request)


# Rules


def _rule(uuid) -> ScoringRule:
    rule = ScoringRule.objects.select_related("dimension").filter(uuid=uuid).first()
    if rule is None:
        raise Http404
    return rule


def _editor_context(request, *, rule, values, error=None, test=None) -> dict:
    return {
        "rule": rule,
        "values": values,
        "error": error,
        "test": test,
        "q": request.POST.get("q", ""),
        "kinds": ScoringRule.Kind.choices,
        "dimensions": Dimension.objects.all(),
        "specs": list(services.field_specs().values()),
        "operators": services.OPERATORS,
        "word_fields": [(f, services._label(f)) for f in services.WORD_FIELDS],
        "sources": SourceChannel.objects.order_by("position", "name"),
        "activity_kinds": Activity.Kind.choices,
        "event_kinds": BehaviourEvent.Kind.choices,
        "call_outcomes": Activity.CallOutcome.choices,
        "tab": "scoring",
    }


def _rule_test(request, *, rule, draft):
    """Score the lead picked in the editor with the draft rule (nothing saved)."""
    query = " ".join(request.POST.get("q", "").split())
    lead_id = uuid_or_none(request.POST.get("lead"))
    if lead_id:
        lead = lead_get_for_user(user=request.user, uuid=lead_id)
    else:
        matches = list(
            leads_visible_to(request.user).filter(name__icontains=query).order_by("name")[
                : LEAD_MATCHES + 1
            ]
        ) if query else []  # fmt: skip
        if len(matches) != 1:
            return {"matches": matches[:LEAD_MATCHES], "more": len(matches) > LEAD_MATCHES,
                    "searched": True, "q": query}  # fmt: skip
        lead = matches[0]
    result = services.lead_test(lead=lead, rule=rule, draft=draft)
    return {"test": result, "q": lead.name}


def _rule_editor(request, rule):
    """GET: the editor (``?kind=`` switches a new or edited rule to another kind); POST: save,
    or with ``action=test`` score a lead with the draft instead."""
    if request.method == "GET":
        kind = request.GET.get("kind", "")
        if rule is not None and kind in ("", rule.kind):
            values = editor_values_of_rule(rule)
        else:
            kind = kind if kind in ScoringRule.Kind.values else ScoringRule.Kind.FIELD
            dimension = uuid_or_none(request.GET.get("dimension"))
            values = editor_values(
                kind=kind, config={}, name=rule.name if rule else "",
                points=rule.points if rule else "",
                dimension=dimension or (rule.dimension if rule else None),
            )  # fmt: skip
        return render(request, RULE_PAGE, _editor_context(request, rule=rule, values=values))
    values = editor_values_from_post(request.POST)
    error = test = None
    try:
        draft = services.rule_draft_clean(**rule_values_from_post(request.POST))
        if request.POST.get("action") == "test" or request.POST.get("lead"):
            test = _rule_test(request, rule=rule, draft=draft)
        elif rule is None:
            rule = services.rule_add(actor=request.user, draft=draft)
        else:
            services.rule_update(actor=request.user, rule=rule, draft=draft)
    except ScoringConfigError as exc:
        error = exc
    if error is None and test is None:
        messages.success(request, _("%(name)s saved.") % {"name": draft.name})
        return redirect("scoring-settings")
    context = _editor_context(request, rule=rule, values=values, error=error)
    context.update(test or {})
    status = 422 if error else 200
    return render(request, RULE_PAGE, context, status=status)


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def rule_add(request):
    return _rule_editor(request, None)


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def rule_edit(request, uuid):
    return _rule_editor(request, _rule(uuid))


@role_required(Role.TENANT_ADMIN)
@require_POST
def rule_delete(request, uuid):
    rule = _rule(uuid)
    services.rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("%(name)s deleted.") % {"name": rule.name})
    return _done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def rule_move(request, uuid):
    rule = _rule(uuid)
    try:
        services.rule_move(
            actor=request.user, rule=rule, direction=request.POST.get("direction", "")
        )
    except ScoringConfigError as exc:
        return _refused(request, exc)
    return _done(request)


# Tag rules


def _tag_rule(uuid) -> TagRule:
    rule = TagRule.objects.filter(uuid=uuid).first()
    if rule is None:
        raise Http404
    return rule


def _tag_editor_context(request, *, rule, values, error=None) -> dict:
    """The tag editor: the rule's inputs and, per condition, the rule editor's vocabulary (the
    error goes to the condition it blames)."""
    blamed = getattr(error, "condition", None)
    labels = dict(TagRule.Kind.choices)
    for position, condition in enumerate(values["conditions"]):
        condition["error"] = error if error is not None and blamed == position else None
        condition["label"] = labels.get(condition["kind"], condition["kind"])
    return {
        **_editor_context(request, rule=rule, values=values, error=error),
        "kinds": TagRule.Kind.choices,
        "match_choices": TagRule.Match.choices,
        "conditions_max": tagging.CONDITIONS_MAX,
    }


def _tag_editor(request, rule):
    """GET: the editor. POST: ``action=add`` adds an empty condition of ``new_kind``,
    ``remove=<n>`` takes condition n away (both only redraw the form, nothing is saved);
    anything else saves the rule."""
    if request.method == "GET":
        values = tag_editor_values_of_rule(rule)
        return render(request, TAG_PAGE, _tag_editor_context(request, rule=rule, values=values))
    values = tag_editor_values_from_post(request.POST)
    conditions = values["conditions"]
    if request.POST.get("action") == "add" and len(conditions) < tagging.CONDITIONS_MAX:
        index = max((c["index"] for c in conditions), default=-1) + 1
        conditions.append(tag_condition_new(index, request.POST.get("new_kind", "")))
        return render(request, TAG_PAGE, _tag_editor_context(request, rule=rule, values=values))
    if request.POST.get("remove"):
        values["conditions"] = [c for c in conditions if str(c["index"]) != request.POST["remove"]]
        return render(request, TAG_PAGE, _tag_editor_context(request, rule=rule, values=values))
    try:
        draft = tagging.tag_rule_draft_clean(**tag_values_from_post(request.POST))
        if rule is None:
            tagging.tag_rule_add(actor=request.user, draft=draft)
        else:
            tagging.tag_rule_update(actor=request.user, rule=rule, draft=draft)
    except ScoringConfigError as exc:
        context = _tag_editor_context(request, rule=rule, values=values, error=exc)
        return render(request, TAG_PAGE, context, status=422)
    messages.success(request, _("%(name)s saved.") % {"name": draft.name})
    return redirect("scoring-settings")


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def tag_rule_add(request):
    return _tag_editor(request, None)


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def tag_rule_edit(request, uuid):
    return _tag_editor(request, _tag_rule(uuid))


@role_required(Role.TENANT_ADMIN)
@require_POST
def tag_rule_delete(request, uuid):
    rule = _tag_rule(uuid)
    tagging.tag_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("%(name)s deleted.") % {"name": rule.name})
    return _done(request)
