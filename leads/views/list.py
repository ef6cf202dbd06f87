"""The Leads list: scenes, filters, saved views and the bulk bar."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.parsing import uuid_or_none
from leads import exports, hooks, selectors
from leads.errors import LeadError
from leads.listing import lead_table_context
from leads.models import LeadStatus, LossReason
from leads.services import bulk as bulk_services
from leads.services import saved_views as saved_view_services
from leads.services.campaign_attach import campaigns_attachable


@login_required
def lead_list(request):
    filters = selectors.LeadFilters.from_query(request.GET, user=request.user)
    targets = selectors.lead_filter_targets(filters)  # once for the rows and the chips
    leads = selectors.lead_list(user=request.user, filters=filters, targets=targets)
    context = lead_table_context(request, leads, filters=filters, targets=targets)
    context |= list_context(request, filters, targets)
    # The total of the same queryset; a page that shows the end of the list already knows it.
    seen_all = not context["has_next"] and (context["leads"] or context["page"] == 1)
    context["total"] = selectors.lead_list_count(
        leads, seen_total=context["last_row"] if seen_all else None
    )
    if request.htmx and request.htmx.target == "lead-results":
        context["swap_sort_note"] = True  # the subtitle above the results follows the sort
        return render(request, "leads/lead_list.html#lead-results", context)
    return render(request, "leads/lead_list.html", context)


SCENE_TABS = [
    ("mine", gettext_lazy("My leads")),
    ("follow_up", gettext_lazy("Awaiting my follow-up")),
    ("my_overdue", gettext_lazy("My overdue")),
    ("my_timed_out", gettext_lazy("My timed-out leads")),
    ("subordinates", gettext_lazy("My subordinates'")),
    ("subordinates_participating", gettext_lazy("My subordinates participate in")),
    ("department", gettext_lazy("My department's")),
    ("shared", gettext_lazy("Shared with me")),
    ("participating", gettext_lazy("I participate in")),
    ("all", gettext_lazy("All I can see")),
]

#: Scenes only managers (and tenant admins) are offered: their people's leads.
MANAGER_SCENES = ("subordinates", "subordinates_participating")


def _scene_hints() -> dict[str, str]:
    """What a scene tab holds when its name alone may not say it all (the tab's tooltip),
    in the statuses' own words (LeadStatus labels)."""
    pending, following_up = (LeadStatus(s).label for s in selectors.AWAITING_FOLLOW_UP)
    return {
        "follow_up": _("My leads that are %(first)s or %(second)s")
        % {"first": pending, "second": following_up},
        "subordinates_participating": _(
            "Leads on which someone who reports to me is a team member (among the leads I may see)"
        ),
        "my_timed_out": _(
            "My leads about to go back to a pool for want of follow-up: work them to keep them"
        ),
    }


#: The page's subtitle for each sort of the list (selectors.SORTS).
SORT_NOTES = {
    "score": gettext_lazy("Sorted by score: work the hottest first."),
    "created": gettext_lazy("Sorted by date created: newest first."),
    "activity": gettext_lazy("Sorted by last activity: most recent first."),
    "due": gettext_lazy("Sorted by next follow-up: earliest first."),
}


def list_context(request, filters, targets) -> dict:
    """What the list page needs besides the lead table: scenes, saved views and the bulk bar."""
    user = request.user
    hints = _scene_hints()
    tabs = [
        (key, label, hints.get(key, ""))
        for key, label in SCENE_TABS
        if key == filters.scene
        or (key in MANAGER_SCENES and user.has_role(Role.MANAGER, Role.TENANT_ADMIN))
        or (key == "department" and user.team_id)
        or key not in (*MANAGER_SCENES, "department")
    ]
    labels = dict(LeadStatus.choices)
    return {
        "scene_tabs": tabs,
        "sort_note": SORT_NOTES[filters.sort],
        "saved_views": list(saved_view_services.saved_view_list(user=user)),
        "current_query": saved_view_services.saved_view_query_clean(request.GET.urlencode()),
        "list_query": request.GET.urlencode(),
        "assignable": selectors.owners_assignable_by(user),
        "bulk_statuses": [(s, labels[s]) for s in bulk_services.BULK_STATUSES],
        "lost_label": LeadStatus.LOST.label,
        "loss_reasons": LossReason.objects.filter(is_active=True),
        "bulk_campaigns": campaigns_attachable(),
        "bulk_extra_actions": hooks.bulk_actions(user),
        "export_limit": exports.EXPORT_DIRECT_LIMIT,
        "imported_job": targets.imported,
    }


def _back_to_list(query: str):
    """The list with the filters it was showing (a query string only: never another site)."""
    clean = QueryDict(query).urlencode()
    return redirect(reverse("leads-index") + (f"?{clean}" if clean else ""))


@login_required
@require_POST
def lead_bulk(request):
    data = request.POST
    action = data.get("action", "")
    owner = None
    if action == "assign" and data.get("owner"):
        owner = User.objects.filter(uuid=uuid_or_none(data["owner"]), is_active=True).first()
    campaign = None
    if action == "campaign" and data.get("campaign"):
        campaign = campaigns_attachable().filter(uuid=uuid_or_none(data["campaign"])).first()
    loss_reason = None
    if data.get("loss_reason"):
        loss_reason = LossReason.objects.filter(uuid=uuid_or_none(data["loss_reason"])).first()
    try:
        result = bulk_services.lead_bulk_action(
            actor=request.user,
            uuids=data.getlist("lead"),
            action=action,
            owner=owner,
            to_status=data.get("status", ""),
            loss_reason=loss_reason,
            tag=data.get("tag", ""),
            campaign=campaign,
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        if not result.refused:
            messages.success(request, result.summary())
        elif result.done:
            messages.warning(request, result.summary())
        else:
            messages.error(request, result.summary())
    return _back_to_list(data.get("next", ""))


@login_required
@require_POST
def saved_view_create(request):
    query = request.POST.get("query", "")
    try:
        view = saved_view_services.saved_view_save(
            user=request.user, name=request.POST.get("name", ""), query=query
        )
    except LeadError as exc:
        messages.error(request, exc.message)
        return _back_to_list(query)
    messages.success(request, _('View "%(name)s" saved.') % {"name": view.name})
    return _back_to_list(view.query)


@login_required
@require_POST
def saved_view_delete(request, uuid):
    view = saved_view_services.saved_view_get_for_user(user=request.user, uuid=uuid)
    saved_view_services.saved_view_delete(user=request.user, uuid=view.uuid)
    messages.success(request, _('View "%(name)s" deleted.') % {"name": view.name})
    return _back_to_list(request.POST.get("next", ""))
