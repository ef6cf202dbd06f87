"""The lead table that pages share (the Leads list, a pool's leads): filters, chips, sorts, pager.

A page picks which chips, sorts and "More filters" controls it offers; the partials in
templates/leads/partials/_table_* render what this returns. Pages of other apps import this
module; it imports none of them.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leadcrm.parsing import page_number, query_values
from leads.fields import custom_fields_active
from leads.hooks import tag_choices
from leads.models import LeadSettings, LeadStatus, Priority, SourceChannel, Stage
from leads.selectors import (
    DATE_FILTER_YEARS,
    DATE_RANGES,
    GRADES,
    OWNER_NONE,
    SCORE_MAX,
    SCORE_MIN,
    STATUS_FILTERS,
    FilterProblem,
    FilterTargets,
    LeadFilters,
    campaigns_filterable,
    imports_filterable_by,
    lead_filter_targets,
    owner_filter_value,
    owners_filterable_by,
    teams_filterable_by,
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


#: The controls of the "More filters" panel besides the tag and custom fields, in the panel's
#: order, each with the URL parameters it sets (a date range: its from and to days).
MORE_FILTER_PARAMS = {
    "owner": ("owner",),
    "team": ("team",),
    "source": ("source",),
    "campaign": ("campaign",),
    "stage": ("stage",),
    "priority": ("priority",),
    "region": ("region",),
    "city": ("city",),
    "postcode": ("postcode",),
    "industry": ("industry",),
    "score": ("score_min", "score_max"),
    "grade": ("grade",),
    **{prefix: (f"{prefix}_from", f"{prefix}_to") for prefix in DATE_RANGES},
    "imported": ("imported",),
    "duplicates": ("duplicates",),
}
MORE_FILTERS = tuple(MORE_FILTER_PARAMS)

#: What each filter is called on chips and in the notes about values left out.
FILTER_NAMES = {
    "status": gettext_lazy("Status"),
    "owner": gettext_lazy("Owner"),
    "team": gettext_lazy("Team"),
    "source": gettext_lazy("Source"),
    "campaign": gettext_lazy("Campaign"),
    "stage": gettext_lazy("Stage"),
    "lost_reason": gettext_lazy("Loss reason"),
    "priority": gettext_lazy("Priority"),
    "region": gettext_lazy("Region / province"),
    "city": gettext_lazy("City"),
    "postcode": gettext_lazy("Postcode"),
    "industry": gettext_lazy("Industry"),
    "score": gettext_lazy("Score"),
    "score_min": gettext_lazy("Score from"),
    "score_max": gettext_lazy("Score up to"),
    "grade": gettext_lazy("Grade"),
    "created": gettext_lazy("Created"),
    "created_from": gettext_lazy("Created from"),
    "created_to": gettext_lazy("Created until"),
    "assigned": gettext_lazy("Assigned"),
    "assigned_from": gettext_lazy("Assigned from"),
    "assigned_to": gettext_lazy("Assigned until"),
    "activity": gettext_lazy("Last activity"),
    "activity_from": gettext_lazy("Last activity from"),
    "activity_to": gettext_lazy("Last activity until"),
    "due": gettext_lazy("Next follow-up"),
    "due_from": gettext_lazy("Next follow-up from"),
    "due_to": gettext_lazy("Next follow-up until"),
    "converted": gettext_lazy("Converted"),
    "converted_from": gettext_lazy("Converted from"),
    "converted_to": gettext_lazy("Converted until"),
    "imported": gettext_lazy("Import"),
    "duplicates": gettext_lazy("Has duplicates"),
}

#: Why a value was left out, in words (selectors.FilterProblem.reason).
PROBLEM_TEXTS = {
    "invalid": gettext_lazy(
        "%(filter)s: “%(value)s” is not a value this filter knows, so it is ignored."
    ),
    "not_date": gettext_lazy(
        "%(filter)s: “%(value)s” is not a date (YYYY-MM-DD), so it is ignored."
    ),
    "years": gettext_lazy(
        "%(filter)s: %(value)s is not between the years %(first)s and %(last)s, so it is ignored."
    ),
    "not_score": gettext_lazy(
        "%(filter)s: “%(value)s” is not a score from %(first)s to %(last)s, so it is ignored."
    ),
    "order": gettext_lazy(
        "%(filter)s: the range starts after it ends (%(value)s), so the range is ignored."
    ),
    "too_long": gettext_lazy("%(filter)s: the value is too long, so it is ignored."),
    "unknown": gettext_lazy(
        "%(filter)s: “%(value)s” was not found (it may have been deleted), so it is ignored."
    ),
    "no_scan": gettext_lazy(
        "Has duplicates: no duplicate scan has run yet, so no lead is known to have one."
    ),
}


def filter_problem_text(problem: FilterProblem) -> str:
    """A value the list left out, and why, in the reader's words."""
    first, last = (SCORE_MIN, SCORE_MAX) if problem.reason == "not_score" else DATE_FILTER_YEARS
    return PROBLEM_TEXTS[problem.reason] % {
        "filter": FILTER_NAMES.get(problem.param, problem.param),
        "value": problem.value,
        "first": first,
        "last": last,
    }


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


def _without_value(request, param: str, value: str, key: Callable[[str], str] = str) -> str:
    """The page's query string with one value of a many-valued ``param`` taken out (``key``
    gives a raw value's normal form, as the filter reads it), the others kept."""
    query = request.GET.copy()
    query.pop("page", None)
    kept = [raw for raw in query_values(request.GET, param) if key(raw) != value]
    if kept:
        query.setlist(param, kept)
    else:
        query.pop(param, None)
    return f"?{query.urlencode()}"


def _owner_key(raw: str) -> str:
    return owner_filter_value(raw) or raw


#: The chips of the date ranges: (parameter, label with the day).
DATE_CHIPS = (
    ("created_from", gettext_lazy("Created from %(date)s")),
    ("created_to", gettext_lazy("Created until %(date)s")),
    ("assigned_from", gettext_lazy("Assigned from %(date)s")),
    ("assigned_to", gettext_lazy("Assigned until %(date)s")),
    ("activity_from", gettext_lazy("Last activity from %(date)s")),
    ("activity_to", gettext_lazy("Last activity until %(date)s")),
    ("due_from", gettext_lazy("Next follow-up from %(date)s")),
    ("due_to", gettext_lazy("Next follow-up until %(date)s")),
    ("converted_from", gettext_lazy("Converted from %(date)s")),
    ("converted_to", gettext_lazy("Converted until %(date)s")),
)


def _filter_chips(request, filters: LeadFilters, targets: FilterTargets, status_keys) -> list:
    """A removable chip for each filter a link may set that the bar shows no other way, so
    someone who arrives from a report sees why the list is narrowed. Each chip's link drops
    its own value (one owner of several, one source...) and keeps the others."""
    chips = []

    def add(label: str, *params: str) -> None:
        chips.append(FilterChip(label, _without(request, *params)))

    def add_value(label: str, param: str, value: str, key=str) -> None:
        chips.append(FilterChip(label, _without_value(request, param, value, key)))

    def named(param: str, value) -> str:
        return _("%(filter)s: %(value)s") % {"filter": FILTER_NAMES[param], "value": value}

    if filters.status and filters.status not in status_keys:
        add(named("status", status_filter_label(filters.status)), "status")
    for owner in targets.owners:
        add_value(named("owner", owner), "owner", str(owner.uuid), _owner_key)
    if filters.owner_none:
        add_value(named("owner", _("Nobody")), "owner", OWNER_NONE, _owner_key)
    if targets.team:
        add(named("team", targets.team), "team")
    for source in targets.sources:
        add_value(named("source", source), "source", source.code)
    if targets.campaign:
        add(named("campaign", targets.campaign), "campaign")
    if targets.stage:
        add(named("stage", targets.stage), "stage")
    if filters.priority:
        add(named("priority", Priority(filters.priority).label), "priority")
    if filters.region:
        add(_("Region: %(value)s") % {"value": filters.region}, "region")
    if filters.city:
        add(named("city", filters.city), "city")
    if filters.postcode:
        add(_("Postcode starts with %(value)s") % {"value": filters.postcode}, "postcode")
    if filters.industry:
        add(named("industry", filters.industry), "industry")
    if targets.lost_reason:
        add(named("lost_reason", targets.lost_reason), "lost_reason")
    if filters.score_min is not None:
        add(_("Score at least %(score)s") % {"score": filters.score_min}, "score_min")
    if filters.score_max is not None:
        add(_("Score at most %(score)s") % {"score": filters.score_max}, "score_max")
    for grade in filters.grades:
        add_value(named("grade", grade), "grade", grade, str.upper)
    for param, label in DATE_CHIPS:
        day = getattr(filters, param)
        if day:
            add(label % {"date": day.isoformat()}, param)
    if targets.imported:
        add(named("imported", targets.imported.filename), "imported")
    if filters.duplicates:
        scan = targets.duplicate_scan
        when = scan and (scan.finished_at or scan.created_at)
        label = (
            _("Has duplicates (scan of %(date)s)")
            % {"date": f"{timezone.localtime(when):%Y-%m-%d}"}
            if when
            else FILTER_NAMES["duplicates"]
        )
        add(str(label), "duplicates")
    return chips


def _active_count(filters: LeadFilters, control: str) -> int:
    """How many values a "More filters" control sets (for the count on its button)."""
    if control == "owner":
        return len(filters.owners) + filters.owner_none
    if control in ("source", "grade"):
        return len(filters.sources if control == "source" else filters.grades)
    if control == "score":
        return (filters.score_min is not None) + (filters.score_max is not None)
    if control in DATE_RANGES:
        return bool(getattr(filters, f"{control}_from")) + bool(getattr(filters, f"{control}_to"))
    return int(bool(getattr(filters, control)))


def filters_in_use(filters: LeadFilters) -> int:
    """How many values narrow the list besides its scene, search and sort (the phone's
    Filters button shows it while the filters are folded away; a pool says "no lead matches"
    rather than "empty" when it is not 0)."""
    default = LeadFilters()
    used = 0
    for name in LeadFilters.__dataclass_fields__:
        value = getattr(filters, name)
        if name in ("scene", "q", "sort", "problems") or value == getattr(default, name):
            continue
        used += len(value) if isinstance(value, tuple) else 1
    return used


def _more_filters(request, user, filters: LeadFilters, offered: Collection[str]) -> dict:
    """The "More filters" panel: its choices as (value, label, selected), one small query
    per list it offers, and the page's other parameters it carries along."""
    choices = {}
    if "owner" in offered:
        choices["owner"] = [(OWNER_NONE, _("Nobody"), filters.owner_none)] + [
            (str(person.uuid), str(person), str(person.uuid) in filters.owners)
            for person in owners_filterable_by(user)
        ]
    if "team" in offered:
        choices["team"] = [
            (str(team.uuid), team.name, str(team.uuid) == filters.team)
            for team in teams_filterable_by(user)
        ]
    if "source" in offered:
        sources = SourceChannel.objects.filter(Q(is_active=True) | Q(code__in=filters.sources))
        choices["source"] = [(s.code, s.name, s.code in filters.sources) for s in sources]
    if "campaign" in offered:
        choices["campaign"] = [
            (str(c.uuid), c.name, str(c.uuid) == filters.campaign)
            for c in campaigns_filterable(current=filters.campaign)
        ]
    if "stage" in offered:
        chosen = Q(uuid=filters.stage) if filters.stage else Q(pk__in=[])
        stages = Stage.objects.filter(Q(is_active=True) | chosen)
        choices["stage"] = [(str(s.uuid), s.name, str(s.uuid) == filters.stage) for s in stages]
    if "priority" in offered:
        choices["priority"] = [
            (value, label, value == filters.priority) for value, label in Priority.choices
        ]
    if "grade" in offered:
        choices["grade"] = [(grade, grade, grade in filters.grades) for grade in GRADES]
    if "imported" in offered:
        choices["imported"] = [
            (
                str(job.uuid),
                f"{job.filename} ({timezone.localtime(job.created_at):%Y-%m-%d})",
                str(job.uuid) == filters.imported,
            )
            for job in imports_filterable_by(user, current=filters.imported)
        ]
    handled = {"page", "tag"} | {p for key in offered for p in MORE_FILTER_PARAMS[key]}
    kept = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in handled and not key.startswith("cf_")
        for value in values
    ]
    active = len(filters.custom) + bool(filters.tag)
    active += sum(_active_count(filters, control) for control in offered)
    return {
        "more_filters": offered,
        "filter_choices": choices,
        "more_filters_kept": kept,
        "more_filters_clear": f"?{urlencode(kept)}",
        "more_filters_active": active,
        "date_ranges": [
            (
                prefix,
                FILTER_NAMES[prefix],
                getattr(filters, f"{prefix}_from"),
                getattr(filters, f"{prefix}_to"),
            )
            for prefix in DATE_RANGES
            if prefix in offered
        ],
        "date_years": DATE_FILTER_YEARS,
        "score_bounds": (SCORE_MIN, SCORE_MAX),
    }


def _offered(choices, keys):
    return [(key, label) for key, label in choices if keys is None or key in keys]


def lead_table_page(request, leads, *, page_size: int = PAGE_SIZE) -> dict:
    """One page of ``leads`` (``?page=``, from 1) and what the pager shows; no COUNT query."""
    page = page_number(request.GET.get("page"))
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
    per page, not per row). ``filter_problems`` says which values of the link were left out.
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
        "filters_in_use": filters_in_use(filters),
        "filter_problems": [
            filter_problem_text(problem) for problem in (*filters.problems, *targets.problems)
        ],
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
