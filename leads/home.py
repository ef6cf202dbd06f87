"""The figures the leads app puts on the home page, by the reader's role, each a link to the
list that shows those leads.

- a rep (anyone who is neither a tenant admin nor a manager): their own workload
  (``lead_workload``: what is due counted as My tasks counts it, and linked there);
- a manager: what their default list shows them, the "all" scene (their team's leads, those
  shared with them and those waiting in their pools);
- a tenant admin: the same over the whole workspace (their "all" scene);
- a manager or admin who also holds the sales rep role gets their own workload as well.

A manager's or admin's figure is the number of leads its link lists (the list's own
``lead_list`` with the link's filters; tests/test_home_onboarding.py holds them equal), except
"Open leads", which links to the scene itself: the list has no "open" filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leads.models import OPEN_STATUSES, LeadStatus
from leads.selectors import (
    LeadFilters,
    lead_list,
    lead_workload,
    scene_default_for,
)


@dataclass(frozen=True)
class HomeTile:
    key: str
    label: str | Promise
    value: int
    #: The list's query string that shows these leads.
    query: dict
    #: Shown as a warning while not zero (overdue follow-ups).
    alert: bool = False
    #: The page that shows them: the lead list, or My tasks for what is due.
    url_name: str = "leads-index"
    fragment: str = ""

    @property
    def href(self) -> str:
        query = f"?{urlencode(self.query)}" if self.query else ""
        fragment = f"#{self.fragment}" if self.fragment else ""
        return f"{reverse(self.url_name)}{query}{fragment}"


@dataclass(frozen=True)
class HomeFigures:
    #: "mine", "team" or "workspace": whose leads the tiles count.
    scope: str
    tiles: tuple[HomeTile, ...]
    #: A manager or admin who also sells: their own workload besides the team's.
    mine: tuple[HomeTile, ...] = ()


def _week_start():
    """Monday 00:00 this week in the tenant's time zone (the list's ``period=week``)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start - timedelta(days=start.weekday())


def _my_tiles(user: User) -> tuple[HomeTile, ...]:
    """A rep's own workload (lead_workload): their leads link to their scene; what is overdue
    or due today (tasks and follow-up dates, counted as My tasks counts them) to its group on
    My tasks."""
    workload = lead_workload(user=user)
    tasks = "leads-task-list"
    return (
        HomeTile("open", _("My open leads"), workload["open"], {"scene": "mine"}),
        HomeTile(
            "overdue",
            _("Overdue follow-ups"),
            workload["overdue"],
            {},
            alert=True,
            url_name=tasks,
            fragment="tasks-overdue",
        ),
        HomeTile(
            "due_today",
            _("Due today"),
            workload["due_today"],
            {},
            url_name=tasks,
            fragment="tasks-today",
        ),
        HomeTile(
            "pending",
            _("Not yet contacted"),
            workload["pending"],
            {"scene": "mine", "status": LeadStatus.PENDING.value},
        ),
    )


def home_figures(user: User) -> HomeFigures:
    """The tiles of ``user``'s home page (one query for a rep; for a manager or admin the
    queries that find what they may see, then one aggregate)."""
    scene = scene_default_for(user)
    if scene == "mine":
        return HomeFigures("mine", _my_tiles(user))
    leads = lead_list(user=user, filters=LeadFilters(scene=scene)).order_by()
    figures = leads.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES, owner__isnull=False)),
        overdue=Count(
            "pk", filter=Q(next_follow_up_at__lt=timezone.now(), status__in=OPEN_STATUSES)
        ),
        unassigned=Count("pk", filter=Q(status=LeadStatus.UNASSIGNED)),
        new_this_week=Count("pk", filter=Q(created_at__gte=_week_start())),
    )
    admin = user.is_tenant_admin
    return HomeFigures(
        "workspace" if admin else "team",
        (
            HomeTile("open", _("Open leads"), figures["open"], {"scene": scene}),
            HomeTile(
                "overdue",
                _("Overdue follow-ups"),
                figures["overdue"],
                {"scene": scene, "overdue": 1},
                alert=True,
            ),
            HomeTile(
                "unassigned",
                _("Unassigned") if admin else _("Waiting in your pools"),
                figures["unassigned"],
                {"scene": scene, "status": LeadStatus.UNASSIGNED.value},
            ),
            HomeTile(
                "new_this_week",
                _("New this week"),
                figures["new_this_week"],
                {"scene": scene, "period": "week"},
            ),
        ),
        mine=_my_tiles(user) if user.has_role(Role.SALES_REP) else (),
    )
