"""The lead table that pages share (the Leads list, a pool's leads): filters, chips, sorts, pager.

A page picks which chips and sorts it offers; the partials in templates/leads/partials/_table_*
render what this returns. Pages of other apps import this module; it imports none of them.
"""

from collections.abc import Collection
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.fields import custom_fields_active
from leads.hooks import tag_choices
from leads.models import LeadSettings, LeadStatus, Priority, SourceChannel, Stage
from leads.selectors import (
    STATUS_FILTERS,
    FilterTargets,
    LeadFilters,
    lead_filter_targets,
    owners_filterable_by,
)

PAGE_SIZE = 50


#: The status chips: the product's statuses with their own labels (LeadStatus), so the chips say
#: what the status badges and the bulk "Change status" list say. Void has no chip (a tenant admin
#: reaches it by ?status=void, shown as a removable chip).
STATUS_CHIPS = [(status.value, status.label) for status in LeadStatus if status != LeadStatus.VOID]


def status_filter_label(key: str) -> str:
    """What ``?status=<key>`` narrows to, in the statuses' own words: a status's label, or the
    labels of a group's statuses (selectors.STATUS_FILTERS: "new" reads "Unassigned or
    Pending"), so links that name a group keep working and say what they show."""
    labels = [str(LeadStatus(status).label) for status in STATUS_FILTERS.get(key, [key])]
    return reduce(
        lambda first, second: _("%(first)s or %(second)s") % {"first": first, "second": second},
        labels,
    )


PERIODS = [
    ("today", gettext_lazy("Today")),
    ("week", gettext_lazy("This week")),
    ("month", gettext_lazy("This month")),
]


SORTS = [
    ("score", gettext_lazy("Score")),
    ("created", gettext_lazy("Newest")),
    ("activity", gettext_lazy("Last activity")),
    ("due", gettext_lazy("Next follow-up")),
]


#: The on/off chips of the filter bar, named after their LeadFilters flag (hot comes before the
#: periods, the others after them).
TOGGLES = ("hot", "unassigned", "overdue")


#: The controls of the "More filters" panel besides the tag and custom fields, named after
#: their URL parameter (created: the created_from and created_to pair).
MORE_FILTERS = ("owner", "source", "stage", "priority", "created")


@dataclass(frozen=True)
class FilterChip:
    """An active filter on the filter bar: what it narrows to, and the link without it."""

    label: str
    href: str


def _without(request, *params: str) -> str:
    """The page's query string without ``params`` (and its page number), as a link."""
    query = request.GET.copy()
    for param in (*params, "page"):
        query.pop(param, None)
    return f"?{query.urlencode()}"


def _filter_chips(request, filters: LeadFilters, targets: FilterTargets, status_keys) -> list:
    """A removable chip for each filter a link may set that the bar shows no other way, so
    someone who arrives from a report sees why the list is narrowed. Each chip's link drops
    its own parameter and keeps the others."""
    chips = []

    def add(label: str, *params: str) -> None:
        chips.append(FilterChip(label, _without(request, *params)))

    if filters.status and filters.status not in status_keys:
        add(_("Status: %(value)s") % {"value": status_filter_label(filters.status)}, "status")
    if targets.owners:
        owners = ", ".join(str(owner) for owner in targets.owners)
        add(_("Owner: %(value)s") % {"value": owners}, "owner")
    if targets.team:
        add(_("Team: %(value)s") % {"value": targets.team}, "team")
    if targets.sources:
        sources = ", ".join(str(source) for source in targets.sources)
        add(_("Source: %(value)s") % {"value": sources}, "source")
    if targets.stage:
        add(_("Stage: %(value)s") % {"value": targets.stage}, "stage")
    if filters.priority:
        add(_("Priority: %(value)s") % {"value": Priority(filters.priority).label}, "priority")
    if filters.region:
        add(_("Region: %(value)s") % {"value": filters.region}, "region")
    if filters.industry:
        add(_("Industry: %(value)s") % {"value": filters.industry}, "industry")
    if targets.lost_reason:
        add(_("Loss reason: %(value)s") % {"value": targets.lost_reason}, "lost_reason")
    if targets.campaign:
        add(_("Campaign: %(value)s") % {"value": targets.campaign}, "campaign")
    for param, label in (
        ("created_from", _("Created from %(date)s")),
        ("created_to", _("Created until %(date)s")),
        ("converted_from", _("Converted from %(date)s")),
        ("converted_to", _("Converted until %(date)s")),
    ):
        day = getattr(filters, param)
        if day:
            add(label % {"date": day.isoformat()}, param)
    return chips


def _more_filters(request, user, filters: LeadFilters, offered: Collection[str]) -> dict:
    """The "More filters" panel: its select choices as (value, label, selected), one small
    query per list it offers, and the page's other parameters it carries along."""
    choices = {}
    if "owner" in offered:
        choices["owner"] = [
            (str(person.uuid), str(person), str(person.uuid) in filters.owners)
            for person in owners_filterable_by(user)
        ]
    if "source" in offered:
        sources = SourceChannel.objects.filter(Q(is_active=True) | Q(code__in=filters.sources))
        choices["source"] = [(s.code, s.name, s.code in filters.sources) for s in sources]
    if "stage" in offered:
        chosen = Q(uuid=filters.stage) if filters.stage else Q(pk__in=[])
        stages = Stage.objects.filter(Q(is_active=True) | chosen)
        choices["stage"] = [(str(s.uuid), s.name, str(s.uuid) == filters.stage) for s in stages]
    if "priority" in offered:
        choices["priority"] = [
            (value, label, value == filters.priority) for value, label in Priority.choices
        ]
    handled = {"page", "tag"} | {p for p in offered if p != "created"}
    if "created" in offered:
        handled |= {"created_from", "created_to"}
    kept = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in handled and not key.startswith("cf_")
        for value in values
    ]
    active = len(filters.custom) + bool(filters.tag)
    active += sum(any(selected for _v, _l, selected in options) for options in choices.values())
    if "created" in offered:
        active += bool(filters.created_from) + bool(filters.created_to)
    return {
        "more_filters": offered,
        "filter_choices": choices,
        "more_filters_kept": kept,
        "more_filters_clear": f"?{urlencode(kept)}",
        "more_filters_active": active,
    }


def _offered(choices, keys):
    return [(key, label) for key, label in choices if keys is None or key in keys]


def lead_table_page(request, leads, *, page_size: int = PAGE_SIZE) -> dict:
    """One page of ``leads`` (``?page=``, from 1) and what the pager shows; no COUNT query."""
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    start = (page - 1) * page_size
    rows = list(leads[start : start + page_size + 1])
    return {
        "leads": rows[:page_size],
        "has_next": len(rows) > page_size,
        "page": page,
        "first_row": start + 1,
        "last_row": start + min(len(rows), page_size),
    }


def lead_table_context(
    request,
    leads,
    *,
    filters: LeadFilters,
    status_chips: Collection[str] | None = None,
    toggles: Collection[str] | None = None,
    periods: Collection[str] | None = None,
    sorts: Collection[str] | None = None,
    more_filters: Collection[str] | None = None,
    targets: FilterTargets | None = None,
    page_size: int = PAGE_SIZE,
) -> dict:
    """The context of a lead table: its page of ``leads`` and pager, and the filter bar.

    ``leads`` is already narrowed by ``filters`` (``targets``: the rows they name, looked up
    here when not given). The other options name the keys on offer (None: all of STATUS_CHIPS,
    TOGGLES, PERIODS, SORTS or MORE_FILTERS; an empty collection: none).
    ``lead_settings`` gives the rows' score meters the tenant's Hot and Warm bands (one query
    per page, not per row).
    """
    if targets is None:
        targets = lead_filter_targets(filters)
    offered_chips = _offered(STATUS_CHIPS, status_chips)
    offered_more = [key for key in MORE_FILTERS if more_filters is None or key in more_filters]
    return {
        **lead_table_page(request, leads, page_size=page_size),
        **_more_filters(request, request.user, filters, offered_more),
        "lead_settings": LeadSettings.load(),
        "filters": filters,
        "query": request.GET,
        "filter_chips": _filter_chips(
            request, filters, targets, {key for key, _label in offered_chips}
        ),
        "status_chips": offered_chips,
        "toggles": [key for key in TOGGLES if toggles is None or key in toggles],
        "periods": _offered(PERIODS, periods),
        "sorts": _offered(SORTS, sorts),
        "custom_filters": [
            (definition, request.GET.get(f"cf_{definition.key}", ""))
            for definition in custom_fields_active()
            if definition.filterable
        ],
        # The automatic tags (names of the active tag rules, by the hook scoring registers)
        # for the tag filter's suggestions; any other tag is typed.
        "tag_choices": tag_choices(),
    }
