"""The lead table that pages share (the Leads list, a pool's leads): filters, chips, sorts, pager.

A page picks which chips and sorts it offers; the partials in templates/leads/partials/_table_*
render what this returns. Pages of other apps import this module; it imports none of them.
"""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from leads.fields import custom_fields_active
from leads.hooks import tag_choices
from leads.models import LeadSettings
from leads.selectors import LeadFilters

PAGE_SIZE = 50


STATUS_CHIPS = [
    ("new", gettext_lazy("New")),
    ("following_up", gettext_lazy("Following up")),
    ("qualified", gettext_lazy("Qualified")),
    ("unqualified", gettext_lazy("Unqualified")),
    ("nurture", gettext_lazy("Nurture")),
    ("converted", gettext_lazy("Converted")),
]


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
    page_size: int = PAGE_SIZE,
) -> dict:
    """The context of a lead table: its page of ``leads`` and pager, and the filter bar.

    ``leads`` is already narrowed by ``filters``. The other options name the keys on offer
    (None: all of STATUS_CHIPS, TOGGLES, PERIODS or SORTS; an empty collection: none).
    ``lead_settings`` gives the rows' score meters the tenant's Hot and Warm bands (one query
    per page, not per row).
    """
    return {
        **lead_table_page(request, leads, page_size=page_size),
        "lead_settings": LeadSettings.load(),
        "filters": filters,
        "query": request.GET,
        "status_chips": _offered(STATUS_CHIPS, status_chips),
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
