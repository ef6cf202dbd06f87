"""Reads of leads. ``leads_visible_to`` is the only way anything finds leads for a user."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404
from django.utils import timezone

from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role
from leadcrm.accounts.selectors import team_descendant_ids, user_subordinate_ids
from leadcrm.jobs.models import Job
from leadcrm.parsing import (
    DATE_YEARS,
    iso_date_or_none,
    query_values,
    text_clean,
    uuid_or_none,
    year_within,
)
from leads.dedup.matching import duplicates_find
from leads.fields import custom_value_parse
from leads.history import lead_record_changes, lead_records_paired
from leads.hooks import administered_hooks, history_entries, masking_hooks, visibility_hooks
from leads.models import (
    OPEN_STATUSES,
    Access,
    Campaign,
    DuplicateDismissal,
    ImportJob,
    Lead,
    LeadMember,
    LeadSettings,
    LeadStatus,
    LossReason,
    Priority,
    SharingRule,
    SourceChannel,
    Stage,
    Task,
)
from leads.models import CustomFieldDefinition as Definition


def _owner_ids_in_line(user: User) -> set[int]:
    """The user, everyone who reports to them, and the members of the teams they manage
    (with their sub-teams)."""
    owners = {user.pk} | user_subordinate_ids(user)
    managed = Team.objects.filter(manager=user)
    if managed.exists():
        team_ids: set[int] = set()
        for team in managed:
            team_ids |= team_descendant_ids(team)
        owners |= set(User.objects.filter(team_id__in=team_ids).values_list("pk", flat=True))
    return owners


def owner_ids_in_line(user: User) -> set[int]:
    """The owners whose leads are in ``user``'s line (themselves, their reports, the members of
    the teams they manage): what a manager's reports cover (sharing rules aside)."""
    return _owner_ids_in_line(user)


def _team_and_ancestor_ids(team_id: int | None) -> set[int]:
    ids: set[int] = set()
    while team_id and team_id not in ids:
        ids.add(team_id)
        team_id = Team.objects.filter(pk=team_id).values_list("parent_id", flat=True).first()
    return ids


def _shared_owner_ids(user: User) -> tuple[set[int], set[int]]:
    """Owners whose leads sharing rules open to ``user``: (readable, writable)."""
    my_teams = _team_and_ancestor_ids(user.team_id)
    rules = SharingRule.objects.filter(is_active=True).filter(
        Q(to_user=user) | Q(to_team_id__in=my_teams)
    )
    readable: set[int] = set()
    writable: set[int] = set()
    for rule in rules.select_related("from_team"):
        if rule.from_user_id:
            owners = {rule.from_user_id}
        else:
            team_ids = team_descendant_ids(rule.from_team)
            owners = set(User.objects.filter(team_id__in=team_ids).values_list("pk", flat=True))
        readable |= owners
        if rule.access == Access.WRITE:
            writable |= owners
    return readable, writable


def leads_visible_to(user: User) -> QuerySet[Lead]:
    """Leads ``user`` may see. The one place visibility is decided:

    - tenant admins: every lead (void ones included);
    - everyone else: their own leads, their subordinates' and their managed teams' leads,
      leads where they are a related team member, and leads shared with them by a sharing
      rule (with them, or with a team or department they belong to). Never void leads.
    """
    leads = Lead.objects.filter(merged_into__isnull=True)  # merged tombstones stay hidden
    if user.has_role(Role.TENANT_ADMIN):
        return leads
    readable_shared, _writable = _shared_owner_ids(user)
    owners = _owner_ids_in_line(user) | readable_shared
    member = LeadMember.objects.filter(lead=OuterRef("pk"), user=user)
    visible = Q(owner_id__in=owners) | Q(Exists(member))
    for hook in visibility_hooks():  # e.g. pools: the unclaimed leads of my pools
        extra = hook(user)
        if extra is not None:
            visible |= extra
    return leads.filter(visible).exclude(status=LeadStatus.VOID)


def contacts_masked_q(user: User) -> Q | None:
    """Leads whose phone numbers and email ``user`` sees masked (None: none), e.g. unclaimed
    leads of a pool they only claim from. Lists, exports and the API apply it."""
    combined = None
    for hook in masking_hooks():
        q = hook(user)
        if q is not None:
            combined = q if combined is None else combined | q
    return combined


def leads_with_masking(leads: QuerySet[Lead], *, user: User) -> QuerySet[Lead]:
    """Annotate ``contacts_masked`` on each lead for ``user``."""
    q = contacts_masked_q(user)
    if q is None:
        return leads.annotate(contacts_masked=Value(False, output_field=BooleanField()))
    return leads.annotate(contacts_masked=ExpressionWrapper(q, output_field=BooleanField()))


def lead_contacts_masked(*, user: User, lead: Lead) -> bool:
    q = contacts_masked_q(user)
    return q is not None and Lead.objects.filter(q, pk=lead.pk).exists()


def leads_shared_with(user: User) -> QuerySet[Lead]:
    """Leads that sharing rules open to ``user`` (the "Shared with me" scene)."""
    readable, _writable = _shared_owner_ids(user)
    return Lead.objects.filter(owner_id__in=readable - {user.pk}).exclude(status=LeadStatus.VOID)


def leads_participating(user: User) -> QuerySet[Lead]:
    """Leads where ``user`` is a related team member (the "I participate in" scene)."""
    return Lead.objects.filter(members__user=user).exclude(status=LeadStatus.VOID)


def owners_assignable_by(actor: User) -> QuerySet[User]:
    """Whom ``actor`` may hand leads to by hand: anyone active for tenant admins, else
    themselves and the people who report to them (single Assign menu and bulk assign)."""
    owners = User.objects.filter(is_active=True)
    if not actor.is_tenant_admin:
        owners = owners.filter(pk__in={actor.pk} | user_subordinate_ids(actor))
    return owners.order_by("full_name")


def owners_filterable_by(user: User) -> QuerySet[User]:
    """The people whose leads ``user`` may narrow the list to (the list's Owner filter):
    everyone for tenant admins, else their own line and the owners sharing rules open to them.
    Leads seen through a pool or as a team member need no owner filter to be found."""
    people = User.objects.all()
    if not user.is_tenant_admin:
        readable, _writable = owner_ids_visible_to(user)
        people = people.filter(pk__in=readable)
    return people.order_by("-is_active", "full_name")


def teams_filterable_by(user: User) -> QuerySet[Team]:
    """The teams the list's Team filter offers ``user``: every team to tenant admins, else
    their own team and the teams they manage, with the teams below them. (The filter narrows
    by owner, so any team only ever shows leads ``user`` may see.)"""
    teams = Team.objects.all()
    if not user.is_tenant_admin:
        ids: set[int] = set()
        for team in Team.objects.filter(Q(manager=user) | Q(pk=user.team_id)):
            ids |= team_descendant_ids(team)
        teams = teams.filter(pk__in=ids)
    return teams.order_by("name")


#: The most campaigns or imports a filter offers in its list (a link may name any other).
FILTER_CHOICES_MAX = 200


def campaigns_filterable(*, current: str = "") -> list[Campaign]:
    """The campaigns the list's Campaign filter offers, by name (ended and cancelled ones
    too: their leads remain), with ``current`` (a uuid) even beyond the first
    FILTER_CHOICES_MAX."""
    campaigns = list(Campaign.objects.order_by("name")[:FILTER_CHOICES_MAX])
    if current and all(str(c.uuid) != current for c in campaigns):
        campaigns += list(Campaign.objects.filter(uuid=current))
    return campaigns


#: Who may filter the list by import (those who import: leads.views.importing.IMPORTERS).
IMPORT_FILTER_ROLES = (Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN)


def imports_filterable_by(user: User, *, current: str = "") -> list[ImportJob]:
    """The imports that created leads, newest first, that the list's Import filter offers
    ``user``: all of them to tenant admins, their own to the other importers (as the imports
    page lists them), none to anyone else; with ``current`` (a uuid) among them if allowed."""
    if not user.has_role(*IMPORT_FILTER_ROLES):
        return []
    jobs = ImportJob.objects.filter(created__gt=0)
    if not user.is_tenant_admin:
        jobs = jobs.filter(created_by=user)
    chosen = list(jobs.order_by("-created_at")[:20])
    if current and all(str(job.uuid) != current for job in chosen):
        chosen += list(jobs.filter(uuid=current))
    return chosen


def lead_can_write(user: User, lead: Lead) -> bool:
    """Who may change a lead: tenant admins; its owner; the owner's managers (reporting line
    or managed team); read-write members; read-write sharing rules covering its owner; and
    whoever another app makes an administrator of the lead (``lead_is_administered_by``:
    pools, the admins of the lead's pool). A converted lead is read-only for everyone: it lives
    on as its customer (its kept follow-ups stay with their assignees)."""
    if lead.status == LeadStatus.CONVERTED:
        return False
    if user.has_role(Role.TENANT_ADMIN) or lead.owner_id == user.pk:
        return True
    if lead.status == LeadStatus.VOID:
        return False
    if lead.owner_id is not None and lead.owner_id in _owner_ids_in_line(user):
        return True
    if LeadMember.objects.filter(lead=lead, user=user, access=Access.WRITE).exists():
        return True
    _readable, writable = _shared_owner_ids(user)
    if lead.owner_id is not None and lead.owner_id in writable:
        return True
    return lead_is_administered_by(user, lead)


def lead_is_administered_by(user: User, lead: Lead) -> bool:
    """Whether another app makes ``user`` an administrator of ``lead`` (e.g. its pool's admin)."""
    for hook in administered_hooks():
        q = hook(user)
        if q is not None and Lead.objects.filter(q, pk=lead.pk).exists():
            return True
    return False


def owner_ids_visible_to(user: User) -> tuple[set[int], set[int]]:
    """Owners whose records ``user`` may (read, write) by the lead rules: themselves, their
    reporting line and managed teams, and sharing rules. For records other apps keep per owner
    (customers, contacts, opportunities), so they follow the same hierarchy and sharing."""
    in_line = _owner_ids_in_line(user)
    readable, writable = _shared_owner_ids(user)
    return in_line | readable, in_line | writable


def lead_get_for_user(*, user: User, uuid, write: bool = False) -> Lead:
    """The lead if ``user`` may see it (404 otherwise, never a hint that it exists), and 403
    if ``write`` is asked and they may only read it."""
    try:
        lead = (
            leads_visible_to(user)
            .select_related("owner", "stage", "source", "loss_reason")
            .get(uuid=uuid)
        )
    except (Lead.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if write and not lead_can_write(user, lead):
        raise PermissionDenied
    return lead


SCENES = (
    "mine",
    "follow_up",
    "my_overdue",
    "my_timed_out",
    "subordinates",
    "subordinates_participating",
    "department",
    "shared",
    "participating",
    "all",
)

#: "Awaiting my follow-up" (the reference CRM's scene): my leads in these statuses.
AWAITING_FOLLOW_UP = (LeadStatus.PENDING, LeadStatus.FOLLOWING_UP)


def scene_default_for(user: User | None) -> str:
    """The list's scene when a link names none (or one that does not exist): where the reader's
    role works from. Tenant admins and managers start from "all" (everything they may see: the
    workspace, or the manager's team with the leads shared with them and waiting in their
    pools); everyone else from their own leads. A ``?scene=`` in the link always wins, so saved
    views and links that name a scene read the same for everyone."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if signed_in and user.has_role(Role.TENANT_ADMIN, Role.MANAGER):
        return "all"
    return "mine"


def _scene_narrow(leads: QuerySet[Lead], *, user: User, scene: str) -> QuerySet[Lead]:
    """Narrow visible leads to a scene of the list. Visibility is never widened here."""
    if scene in ("mine", "follow_up", "my_overdue", "my_timed_out"):
        leads = leads.filter(owner=user)
    if scene == "follow_up":
        leads = leads.filter(status__in=AWAITING_FOLLOW_UP)
    elif scene == "my_overdue":
        leads = leads.filter(next_follow_up_at__lt=timezone.now(), status__in=OPEN_STATUSES)
    elif scene == "my_timed_out":  # marked by pools' reclaim job (index lead_timed_out)
        leads = leads.filter(timed_out_at__isnull=False)
    elif scene == "subordinates":
        leads = leads.filter(owner_id__in=user_subordinate_ids(user))
    elif scene == "subordinates_participating":
        # A colleague of the lead's team (LeadMember) who reports to me; among the leads I
        # may see, so a lead owned outside my line stays hidden even if they work on it.
        members = LeadMember.objects.filter(
            lead=OuterRef("pk"), user_id__in=user_subordinate_ids(user)
        )
        leads = leads.filter(Exists(members))
    elif scene == "department":
        if user.team_id is None:
            return leads.filter(owner=user)
        team_ids = team_descendant_ids(Team(pk=user.team_id))
        leads = leads.filter(owner_id__in=User.objects.filter(team_id__in=team_ids).values("pk"))
    elif scene == "shared":
        leads = leads & leads_shared_with(user)
    elif scene == "participating":
        leads = leads & leads_participating(user)
    return leads


STATUS_FILTERS = {
    "new": [LeadStatus.UNASSIGNED, LeadStatus.PENDING],
    "following_up": [LeadStatus.FOLLOWING_UP],
    "qualified": [LeadStatus.QUALIFIED],
    "unqualified": [LeadStatus.LOST, LeadStatus.INVALID],
    "nurture": [LeadStatus.NURTURE],
    "converted": [LeadStatus.CONVERTED],
    "void": [LeadStatus.VOID],
}
SORTS = {
    "score": ("-score", "-id"),
    "created": ("-created_at", "-id"),
    "activity": ("-last_activity_at", "-id"),
    "due": ("next_follow_up_at", "id"),
}


#: A tag's length (Lead.tags and Lead.auto_tags hold CharField(50)).
TAG_MAX = 50
#: The longest region, city or industry a filter matches (CharField(100) on the lead).
TEXT_FILTER_MAX = 100
#: The most owners, sources or grades one link may name (a longer list is cut).
MANY_MAX = 50
#: Years a date filter accepts (leadcrm.parsing.DATE_YEARS); a date outside is a typo.
DATE_FILTER_YEARS = DATE_YEARS
#: The scores a lead can have (Lead.score).
SCORE_MIN, SCORE_MAX = 0, 100
#: The grades scoring gives, hottest first (scoring.engine.Thresholds.letter).
GRADES = ("A", "B", "C", "D")
#: ``?owner=none``: the leads nobody owns (with other owners: theirs or nobody's).
OWNER_NONE = "none"
#: The date ranges of the list, by URL prefix (`?assigned_from=…&assigned_to=…`): the field.
DATE_RANGES = {
    "created": "created_at",
    "assigned": "assigned_at",
    "activity": "last_activity_at",
    "due": "next_follow_up_at",
    "converted": "converted_at",
}
#: The duplicate scan's job kind (leads.services.dedup_scan.KIND, which selectors may not
#: import): "has duplicates" reads the groups of the newest finished scan.
DEDUP_SCAN_KIND = "dedup_scan"
_CODE = re.compile(r"[-\w]{1,40}", re.ASCII)  # a SourceChannel code (a slug)
_WHOLE = re.compile(r"\d{1,3}", re.ASCII)


@dataclass(frozen=True)
class FilterProblem:
    """A filter value the list ignored, and why, so the page can say so instead of quietly
    showing more than asked. ``param`` is the URL parameter (or a range's prefix, "created",
    "score"); ``reason`` one of: invalid, not_date, years, not_score, order (a range's start
    after its end), too_long, unknown (names no row), no_scan (no duplicate scan yet)."""

    param: str
    reason: str
    value: str = ""


def owner_filter_value(value: str) -> str | None:
    """An owner of ``?owner=``: a user's uuid, or OWNER_NONE (any case)."""
    if value.lower() == OWNER_NONE:
        return OWNER_NONE
    found = uuid_or_none(value)
    return str(found) if found else None


class _QueryReader:
    """Reads a query string's filters, noting each value it has to leave out."""

    def __init__(self, query):
        self.query = query
        self.problems: list[FilterProblem] = []

    def note(self, param: str, reason: str, value="") -> None:
        self.problems.append(FilterProblem(param, reason, text_clean(str(value))[:60]))

    def raw(self, name: str) -> str:
        return str(self.query.get(name) or "").strip()

    def uuid(self, name: str) -> str:
        raw = self.raw(name)
        if raw and uuid_or_none(raw) is None:
            self.note(name, "invalid", raw)
        return str(uuid_or_none(raw) or "") if raw else ""

    def many(self, name: str, read: Callable[[str], str | None]) -> tuple[str, ...]:
        """Repeated or comma-separated values, each as ``read`` gives it (None: left out)."""
        found = []
        for value in query_values(self.query, name):
            parsed = read(value)
            if parsed is None:
                self.note(name, "invalid", value)
            else:
                found.append(parsed)
        return tuple(dict.fromkeys(found))[:MANY_MAX]

    def choice(self, name: str, allowed) -> str:
        raw = self.raw(name)
        if raw and raw not in allowed:
            self.note(name, "invalid", raw)
            return ""
        return raw

    def text(self, name: str) -> str:
        """The value with its spaces collapsed; "" when longer than any stored value."""
        value = " ".join(text_clean(self.raw(name)).split())
        if len(value) > TEXT_FILTER_MAX:
            self.note(name, "too_long")
            return ""
        return value

    def day(self, name: str) -> date | None:
        raw = self.raw(name)
        if not raw:
            return None
        day = iso_date_or_none(raw, years=(1, 9999))
        if day is None:
            self.note(name, "not_date", raw)
        elif not year_within(day, DATE_FILTER_YEARS):
            self.note(name, "years", raw)
            day = None
        return day

    def score(self, name: str) -> int | None:
        raw = self.raw(name)
        if not raw:
            return None
        if not _WHOLE.fullmatch(raw) or not SCORE_MIN <= int(raw) <= SCORE_MAX:
            self.note(name, "not_score", raw)
            return None
        return int(raw)

    def ordered(self, param: str, start, end) -> tuple:
        """A range's two ends, or neither when the start comes after the end."""
        if start is not None and end is not None and start > end:
            self.note(param, "order", f"{start} > {end}")
            return None, None
        return start, end


@dataclass(frozen=True)
class LeadFilters:
    """What the list shows; parsed from the URL (`?status=new&hot=1`), so links can carry it
    and saved views keep it.

    Reports link to the list with any of these; every one only narrows what the scene shows
    (visibility is decided by leads_visible_to, never here), and they combine (AND; the
    values of one filter: OR). A value that does not parse is left out and noted in
    ``problems``, so a stale or mangled link still shows a list, and the page says why."""

    scene: str = "mine"
    #: A chip's group of statuses (STATUS_FILTERS) or one raw LeadStatus value.
    status: str = ""
    hot: bool = False
    period: str = ""  # today | week | month (created)
    unassigned: bool = False
    overdue: bool = False
    q: str = ""
    sort: str = "score"
    #: Custom-field filters from `cf_<key>=value` parameters: ((key, value), ...)
    custom: tuple[tuple[str, str], ...] = ()
    #: The leads one import created (`?imported=<import uuid>`).
    imported: str = ""
    #: Leads tagged exactly so, by a person (``tags``) or by the tag rules (``auto_tags``).
    tag: str = ""
    #: Owners' uuids (`?owner=<uuid>`, repeated or comma-separated).
    owners: tuple[str, ...] = ()
    #: `?owner=none`: leads nobody owns (or, with ``owners``, theirs and nobody's).
    owner_none: bool = False
    #: A team's uuid: leads owned by its members and the members of its sub-teams.
    team: str = ""
    #: SourceChannel codes (`?source=web&source=expo`).
    sources: tuple[str, ...] = ()
    stage: str = ""  # Stage uuid
    lost_reason: str = ""  # LossReason uuid
    priority: str = ""  # a Priority value
    region: str = ""  # exact, case-insensitive
    city: str = ""  # exact, case-insensitive
    postcode: str = ""  # the start of it, case-insensitive ("941" finds 94107)
    industry: str = ""  # exact, case-insensitive
    #: Inclusive scores (`?score_min=40&score_max=60`); a lead without a score is outside.
    score_min: int | None = None
    score_max: int | None = None
    grades: tuple[str, ...] = ()  # `?grade=A&grade=B`
    #: Inclusive days in the tenant's time zone (`?created_from=2025-01-01`), for each of
    #: DATE_RANGES.
    created_from: date | None = None
    created_to: date | None = None
    assigned_from: date | None = None
    assigned_to: date | None = None
    activity_from: date | None = None
    activity_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    converted_from: date | None = None
    converted_to: date | None = None
    campaign: str = ""  # Campaign uuid
    #: `?duplicates=1`: leads in a group of the last duplicate scan.
    duplicates: bool = False
    #: The values left out, and why (not part of what the filters are).
    problems: tuple[FilterProblem, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, query, *, user: User | None = None) -> LeadFilters:
        """The filters a link carries. Without a (known) scene, the scene is ``user``'s
        default (scene_default_for), or "mine" when no user is given."""

        def flag(name):
            return query.get(name) in ("1", "true", "on")

        read = _QueryReader(query)
        scene = query.get("scene", "")
        period = query.get("period", "")
        sort = query.get("sort", "score")
        owners = read.many("owner", owner_filter_value)
        days = {}
        for prefix in DATE_RANGES:
            start, end = read.day(f"{prefix}_from"), read.day(f"{prefix}_to")
            days[f"{prefix}_from"], days[f"{prefix}_to"] = read.ordered(prefix, start, end)
        score_min, score_max = read.ordered(
            "score", read.score("score_min"), read.score("score_max")
        )
        return cls(
            scene=scene if scene in SCENES else scene_default_for(user),
            status=read.choice("status", {*STATUS_FILTERS, *LeadStatus.values}),
            hot=flag("hot"),
            period=period if period in ("today", "week", "month") else "",
            unassigned=flag("unassigned"),
            overdue=flag("overdue"),
            q=" ".join(query.get("q", "").split())[:100],
            sort=sort if sort in SORTS else "score",
            custom=tuple(
                (name[3:], query.get(name).strip()[:100])
                for name in sorted(query.keys())
                if name.startswith("cf_") and query.get(name, "").strip()
            ),
            imported=read.uuid("imported"),
            tag=" ".join(query.get("tag", "").split())[:TAG_MAX],
            owners=tuple(owner for owner in owners if owner != OWNER_NONE),
            owner_none=OWNER_NONE in owners,
            team=read.uuid("team"),
            sources=read.many("source", lambda code: code if _CODE.fullmatch(code) else None),
            stage=read.uuid("stage"),
            lost_reason=read.uuid("lost_reason"),
            priority=read.choice("priority", Priority.values),
            region=read.text("region"),
            city=read.text("city"),
            postcode=read.text("postcode"),
            industry=read.text("industry"),
            score_min=score_min,
            score_max=score_max,
            grades=read.many("grade", lambda g: g.upper() if g.upper() in GRADES else None),
            **days,
            campaign=read.uuid("campaign"),
            duplicates=flag("duplicates"),
            problems=tuple(read.problems),
        )


@dataclass(frozen=True)
class FilterTargets:
    """The rows a list's filters name: owners, team, sources, stage, loss reason, campaign,
    import, the duplicate scan. Looked up once per request (a few small queries, none per
    row); the list narrows by them and the filter bar names them on its chips. A uuid or code
    naming no row is left out (and noted in ``problems``), so that filter is ignored (a link
    to a deleted stage shows the list, not an empty page)."""

    owners: tuple[User, ...] = ()
    team: Team | None = None
    #: The team and every team nested below it, and the people in them (whose leads the team
    #: filter shows: ids, so the planner knows how many leads they own).
    team_ids: frozenset[int] = frozenset()
    team_member_ids: frozenset[int] = frozenset()
    sources: tuple[SourceChannel, ...] = ()
    stage: Stage | None = None
    lost_reason: LossReason | None = None
    campaign: Campaign | None = None
    imported: ImportJob | None = None
    #: The newest finished duplicate scan, when ``duplicates`` is asked, and the ids of the
    #: leads in its groups.
    duplicate_scan: Job | None = None
    duplicate_ids: frozenset[int] = frozenset()
    problems: tuple[FilterProblem, ...] = ()


def _day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the active (the tenant's) time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _by_uuid(model, uuid: str):
    return model.objects.filter(uuid=uuid).first() if uuid else None


def lead_filter_targets(filters: LeadFilters) -> FilterTargets:
    """The rows ``filters`` name (a query for each kind that is set, none otherwise)."""
    team = _by_uuid(Team, filters.team)
    owners = tuple(User.objects.filter(uuid__in=filters.owners)) if filters.owners else ()
    sources = (
        tuple(SourceChannel.objects.filter(code__in=filters.sources)) if filters.sources else ()
    )
    team_ids = frozenset(team_descendant_ids(team)) if team else frozenset()
    scan, duplicate_ids = None, frozenset()
    if filters.duplicates:
        scan = (
            Job.objects.filter(kind=DEDUP_SCAN_KIND, status=Job.Status.DONE)
            .only("pk", "created_at", "finished_at")
            .order_by("-created_at", "-pk")
            .first()
        )
        duplicate_ids = frozenset(_duplicate_scan_ids(scan)) if scan else frozenset()
    targets = FilterTargets(
        owners=owners,
        team=team,
        team_ids=team_ids,
        team_member_ids=frozenset(
            User.objects.filter(team_id__in=team_ids).values_list("pk", flat=True)
        )
        if team
        else frozenset(),
        sources=sources,
        stage=_by_uuid(Stage, filters.stage),
        lost_reason=_by_uuid(LossReason, filters.lost_reason),
        campaign=_by_uuid(Campaign, filters.campaign),
        imported=_by_uuid(ImportJob, filters.imported),
        duplicate_scan=scan,
        duplicate_ids=duplicate_ids,
    )
    found = {str(owner.uuid) for owner in owners}
    problems = [FilterProblem("owner", "unknown", u) for u in filters.owners if u not in found]
    codes = {source.code for source in sources}
    problems += [FilterProblem("source", "unknown", c) for c in filters.sources if c not in codes]
    for param, value in (
        ("team", filters.team),
        ("stage", filters.stage),
        ("lost_reason", filters.lost_reason),
        ("campaign", filters.campaign),
        ("imported", filters.imported),
    ):
        if value and getattr(targets, "team" if param == "team" else param) is None:
            problems.append(FilterProblem(param, "unknown", value))
    if filters.duplicates and scan is None:
        problems.append(FilterProblem("duplicates", "no_scan"))
    return replace(targets, problems=tuple(problems))


def _duplicate_scan_ids(scan: Job) -> list[int]:
    """The ids of the leads in ``scan``'s groups, unnested by Postgres from the job's result
    (`{"groups": [{"ids": [...]}, ...]}`) into one array, so the result's JSON is never read
    into Python. The list then narrows by these ids as constants: the planner sees how many
    there are and walks the sorted index when they are many, or fetches them by id when they
    are few (a subquery would hide their number and pay for the wrong plan)."""
    ids = "jsonb_array_elements_text(jsonb_array_elements(result -> 'groups') -> 'ids')"
    table = Job._meta.db_table
    sql = f"SELECT array_agg(i) FROM (SELECT ({ids})::bigint AS i FROM {table} WHERE id = %s) s"  # noqa: S608 - no input in it
    with connection.cursor() as cursor:
        cursor.execute(sql, [scan.pk])
        return cursor.fetchone()[0] or []


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with the ids as one array parameter: for thousands of ids, where
    ``__in`` sends (and Postgres parses) a parameter for each, which costs more than the
    query itself."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*params, sorted(self.rhs)]


def _filter_by_fields(
    leads: QuerySet[Lead], filters: LeadFilters, targets: FilterTargets
) -> QuerySet[Lead]:
    """Narrow by who owns the lead, where it came from, where it stands, its score and its
    dates (the filters reports link with and the "More filters" panel sets)."""
    owner_ids = [owner.pk for owner in targets.owners]
    if owner_ids and filters.owner_none:
        leads = leads.filter(Q(owner_id__in=owner_ids) | Q(owner__isnull=True))
    elif owner_ids:
        leads = leads.filter(owner_id__in=owner_ids)
    elif filters.owner_none:
        leads = leads.filter(owner__isnull=True)
    if targets.team:
        leads = leads.filter(owner_id__in=targets.team_member_ids)
    if targets.sources:
        leads = leads.filter(source_id__in=[source.pk for source in targets.sources])
    for field_name in ("stage", "lost_reason", "campaign", "imported"):
        row = getattr(targets, field_name)
        if row is not None:
            column = {"lost_reason": "loss_reason_id", "imported": "import_job_id"}
            leads = leads.filter(**{column.get(field_name, f"{field_name}_id"): row.pk})
    if filters.priority:
        leads = leads.filter(priority=filters.priority)
    for field_name in ("region", "city", "industry"):
        if getattr(filters, field_name):
            leads = leads.filter(**{f"{field_name}__iexact": getattr(filters, field_name)})
    if filters.postcode:
        leads = leads.filter(postcode__istartswith=filters.postcode)
    if filters.score_min is not None:
        leads = leads.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        leads = leads.filter(score__lte=filters.score_max)
    if filters.grades:
        leads = leads.filter(grade__in=filters.grades)
    # Inclusive days: from the first day's midnight to (not including) the midnight after
    # the last, both in the tenant's time zone.
    for prefix, column in DATE_RANGES.items():
        start, end = getattr(filters, f"{prefix}_from"), getattr(filters, f"{prefix}_to")
        if start:
            leads = leads.filter(**{f"{column}__gte": _day_start(start)})
        if end:
            leads = leads.filter(**{f"{column}__lt": _day_start(end + timedelta(days=1))})
    if filters.duplicates:
        if targets.duplicate_scan is None:
            return leads.none()  # no scan yet: no lead is known to have a duplicate
        leads = leads.filter(_AnyOf(F("pk"), targets.duplicate_ids))
    return leads


def lead_list(
    *, user: User, filters: LeadFilters, targets: FilterTargets | None = None
) -> QuerySet[Lead]:
    """The rep's list: visible leads narrowed by the scene and filters, sorted. ``targets``
    are the rows the filters name (lead_filter_targets), when the caller already has them."""
    if targets is None:
        targets = lead_filter_targets(filters)
    leads = _scene_narrow(leads_visible_to(user), user=user, scene=filters.scene)
    if filters.status:
        leads = leads.filter(status__in=STATUS_FILTERS.get(filters.status, [filters.status]))
    elif filters.scene != "all" or not user.is_tenant_admin:
        leads = leads.exclude(status=LeadStatus.VOID)
    leads = _filter_by_fields(leads, filters, targets)
    if filters.hot:
        leads = leads.filter(score__gte=LeadSettings.load().hot_score)
    if filters.period:
        now = timezone.localtime()
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if filters.period == "week":
            start -= timedelta(days=start.weekday())
        elif filters.period == "month":
            start = start.replace(day=1)
        leads = leads.filter(created_at__gte=start)
    if filters.unassigned:
        leads = leads.filter(owner__isnull=True)
    if filters.overdue:
        leads = leads.filter(next_follow_up_at__lt=timezone.now(), status__in=OPEN_STATUSES)
    if filters.custom:
        leads = _filter_custom(leads, filters.custom)
    if filters.tag:
        # Array containment on both columns: each has its GIN index (lead_tags, lead_auto_tags).
        leads = leads.filter(Q(tags__contains=[filters.tag]) | Q(auto_tags__contains=[filters.tag]))
    if filters.q:
        q = filters.q
        contacts = Q(email__icontains=q) | Q(phone__contains=q) | Q(mobile__contains=q)
        masked = contacts_masked_q(user)
        if masked is not None:
            # Contacts shown masked are never searched: substring by substring, a search
            # would spell out the number it hides (no reveal logged).
            contacts &= ~masked
        leads = leads.filter(Q(name__icontains=q) | Q(company__icontains=q) | contacts)
    order = SORTS[filters.sort]
    if filters.sort in ("score", "activity"):
        from django.db.models import F

        field = order[0].lstrip("-")
        leads = leads.order_by(F(field).desc(nulls_last=True), "-id")
    else:
        leads = leads.order_by(*order)
    return leads_with_masking(leads, user=user).select_related("owner", "stage", "source")


#: Up to this many rows the list's total is exact; above it, the planner's estimate is shown
#: ("about 62,000"): counting every row of a long list on each page costs seconds. Measured on
#: a 1M-lead tenant (bench/lead_list_1m.py): exact counts up to 10,000 stay under 100 ms; at
#: 100,000 they took 130-250 ms (median), so the page's own p95 doubled for mid-size lists.
LIST_COUNT_EXACT_MAX = 10_000


@dataclass(frozen=True)
class ListCount:
    """How many rows a list holds: ``value`` exactly (``exact``), an estimate (neither flag),
    or only a floor (``at_least``: more than ``value``)."""

    value: int
    exact: bool = True
    at_least: bool = False


def lead_list_count(leads: QuerySet[Lead], *, seen_total: int | None = None) -> ListCount:
    """How many leads ``leads`` holds: pass the very queryset the page shows (lead_list), so the
    total has its visibility, scene and filters.

    1. ``seen_total``: the caller paged to the end of the list and saw every row; no query.
    2. The planner's row estimate (EXPLAIN, nothing read): above LIST_COUNT_EXACT_MAX, that
       estimate is the answer (for an unfiltered list, pg_class.reltuples scaled to the table).
    3. Otherwise a COUNT that stops after LIST_COUNT_EXACT_MAX + 1 rows: exact, or, when the
       planner guessed low, "more than LIST_COUNT_EXACT_MAX" (never an unbounded count).
    """
    if seen_total is not None:
        return ListCount(seen_total)
    exact_max = LIST_COUNT_EXACT_MAX
    rows = leads.order_by().select_related(None).values("pk")
    estimate = _planner_rows(rows)
    if estimate > exact_max:
        return ListCount(estimate, exact=False)
    counted = rows[: exact_max + 1].count()
    if counted > exact_max:
        return ListCount(exact_max, exact=False, at_least=True)
    return ListCount(counted)


def _planner_rows(leads: QuerySet) -> int:
    """The rows Postgres expects ``leads`` to return (its plan's estimate; no rows are read)."""
    plan = leads.explain(format="json")
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def lead_workload(*, user: User) -> dict[str, int]:
    """The numbers a rep starts the day with, over their own open leads (one query), with
    ``overdue`` and ``due_today`` counted as My tasks counts them (``due_counts``: tasks and
    follow-up dates together), so the home page and My tasks never disagree."""
    from django.db.models import Count

    now = timezone.now()
    week_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start -= timedelta(days=week_start.weekday())
    mine = Lead.objects.filter(owner=user, status__in=OPEN_STATUSES)
    workload = mine.aggregate(
        open=Count("pk"),
        pending=Count("pk", filter=Q(status=LeadStatus.PENDING)),
        new_this_week=Count("pk", filter=Q(assigned_at__gte=week_start)),
    )
    due = due_counts(user=user, now=now)
    return {**workload, "overdue": due.overdue, "due_today": due.today}


# What is due: My tasks, its nav badge and the home tiles ------------------------------------

#: The groups of My tasks, in order: before now, the rest of today, the seven days after
#: today, and anything later (the tenant's days: the active time zone).
DUE_GROUPS = ("overdue", "today", "next_week", "later")
DUE_WEEK_DAYS = 7
#: The rows a group shows at most; its count stays exact.
DUE_GROUP_MAX = 200


@dataclass(frozen=True)
class DueCounts:
    overdue: int = 0
    today: int = 0
    next_week: int = 0
    later: int = 0

    @property
    def due_now(self) -> int:
        """Overdue or due today: the nav badge."""
        return self.overdue + self.today

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.next_week + self.later


@dataclass
class DueItem:
    """One row of My tasks: an open task, or an open lead whose next follow-up date is set."""

    due_at: datetime
    task: Task | None = None
    lead: Lead | None = None

    @property
    def is_task(self) -> bool:
        return self.task is not None


@dataclass
class DueList:
    overdue: list[DueItem]
    today: list[DueItem]
    next_week: list[DueItem]
    later: list[DueItem]
    counts: DueCounts

    def items(self) -> list[DueItem]:
        return [*self.overdue, *self.today, *self.next_week, *self.later]


@dataclass(frozen=True)
class DueScope:
    """What is due for one person, before it is split into groups (see ``due_scope``)."""

    tasks: QuerySet[Task]
    leads: QuerySet[Lead]
    bounds: dict[str, tuple[datetime | None, datetime | None]]

    def in_group(self, group: str, field: str) -> Q:
        start, end = self.bounds[group]
        q = Q()
        if start is not None:
            q &= Q(**{f"{field}__gte": start})
        if end is not None:
            q &= Q(**{f"{field}__lt": end})
        return q


def due_scope(*, user: User, now: datetime | None = None) -> DueScope:
    """Everything due for ``user``: the one definition that My tasks, its nav badge and the
    home tiles read (through ``due_list`` and ``due_counts``).

    Two kinds of thing are due: the open tasks assigned to ``user``, and the next follow-up
    dates of the open leads ``user`` owns (set when a touch is logged; merged tombstones left
    out). Each falls in one group by its due time: overdue (before ``now``), today (until the
    tenant's midnight), next_week (the seven days after today), later.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    midnight = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    week_end = timezone.make_aware(
        datetime.combine(today + timedelta(days=1 + DUE_WEEK_DAYS), time.min)
    )
    return DueScope(
        tasks=Task.objects.filter(assignee=user, status=Task.Status.OPEN),
        leads=Lead.objects.filter(
            owner=user,
            status__in=OPEN_STATUSES,
            merged_into__isnull=True,
            next_follow_up_at__isnull=False,
        ),
        bounds={
            "overdue": (None, now),
            "today": (now, midnight),
            "next_week": (midnight, week_end),
            "later": (week_end, None),
        },
    )


def _due_counts_of(scope: DueScope) -> DueCounts:
    from django.db.models import Count

    tasks = scope.tasks.aggregate(
        **{g: Count("pk", filter=scope.in_group(g, "due_at")) for g in DUE_GROUPS}
    )
    leads = scope.leads.aggregate(
        **{g: Count("pk", filter=scope.in_group(g, "next_follow_up_at")) for g in DUE_GROUPS}
    )
    return DueCounts(**{g: tasks[g] + leads[g] for g in DUE_GROUPS})


def due_counts(*, user: User, now: datetime | None = None) -> DueCounts:
    """How many things are due for ``user`` in each group of My tasks (two queries). The home
    tiles ("Overdue follow-ups", "Due today") and the nav badge (``due_now``) read these."""
    return _due_counts_of(due_scope(user=user, now=now))


def due_list(*, user: User, now: datetime | None = None, limit: int = DUE_GROUP_MAX) -> DueList:
    """The rows of My tasks: for each group, tasks and follow-up dates together, soonest
    first, at most ``limit`` a group, with the exact counts of ``due_counts``."""
    scope = due_scope(user=user, now=now)
    groups = {}
    for group in DUE_GROUPS:
        tasks = (
            scope.tasks.filter(scope.in_group(group, "due_at"))
            .select_related("lead", "assignee")
            .order_by("due_at", "id")[:limit]
        )
        leads = (
            scope.leads.filter(scope.in_group(group, "next_follow_up_at"))
            .select_related("stage")
            .order_by("next_follow_up_at", "id")[:limit]
        )
        items = [DueItem(due_at=t.due_at, task=t) for t in tasks]
        items += [DueItem(due_at=lead.next_follow_up_at, lead=lead) for lead in leads]
        items.sort(key=lambda item: item.due_at)
        groups[group] = items[:limit]
    return DueList(**groups, counts=_due_counts_of(scope))


def _filter_custom(leads: QuerySet[Lead], custom) -> QuerySet[Lead]:
    """Narrow by custom fields: exact for choice, number, date and yes/no; "contains" for
    multiple choice; case-insensitive substring for text. Unknown or non-filterable keys and
    values that do not parse are ignored (a stale link still shows a list)."""
    definitions = {
        d.key: d for d in Definition.objects.filter(record="lead", is_active=True, filterable=True)
    }
    for key, raw in custom:
        definition = definitions.get(key)
        if definition is None:
            continue
        if definition.field_type == Definition.FieldType.TEXT:
            leads = leads.filter(**{f"custom_data__{key}__icontains": raw})
            continue
        try:
            value = custom_value_parse(definition, raw)
        except ValueError:
            continue
        # JSONB containment: {"size": 50} matches the number, {"modules": ["ERP"]} one choice.
        leads = leads.filter(custom_data__contains={key: value})
    return leads


#: Lead history records read per row shown: a record with nothing to show (a lead saved again
#: unchanged) is left out, and the tab still fills its rows.
HISTORY_READ_AHEAD = 3


def lead_history(lead: Lead, limit: int = 50):
    """The lead's change history, with that of the leads merged into it (and into those), and
    what other apps record about the lead (hooks.register_history: score changes), newest
    first, ``limit`` rows at most. Every row has ``at``; records of a merged lead carry
    ``from_merged`` = True; rows of other apps are hooks.HistoryEntry.

    Each lead record carries ``changes`` (leads.history.lead_record_changes): the person's
    changes and, apart, the fields the system kept up to date. A change record with nothing
    left to show (a re-save, a timestamp stamped again) is not a row."""
    ids, frontier = {lead.pk}, [lead.pk]
    for _level in range(5):
        frontier = list(Lead.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
        if not frontier:
            break
        ids.update(frontier)
    records = list(
        Lead.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit * HISTORY_READ_AHEAD]
    )
    shown = []
    for record, previous in lead_records_paired(records):
        if len(shown) == limit:
            break
        record.changes = lead_record_changes(record, previous)
        if record.history_type == "~" and not record.changes:
            continue
        record.from_merged = record.id != lead.pk
        record.at = record.history_date
        shown.append(record)
    rows = shown + history_entries(lead, limit=limit)
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def lead_duplicates_for(user: User, lead: Lead, limit: int = 5):
    """Leads the tenant's duplicate rules match with ``lead`` that ``user`` may see, leaving out
    those someone marked as different people (the banner on the lead's page)."""
    if lead.merged_into_id is not None or lead.status == LeadStatus.VOID:
        return []
    fields = ("name", "company", "email", "phone", "mobile", "country")
    matches = duplicates_find(
        {f: getattr(lead, f) for f in fields}, exclude_ids=[lead.pk], limit=limit * 2
    )
    if not matches:
        return []
    ids = [m.lead.pk for m in matches]
    visible = set(leads_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    dismissed = set()
    for a, b in DuplicateDismissal.objects.filter(
        Q(lead_a=lead, lead_b__in=ids) | Q(lead_b=lead, lead_a__in=ids)
    ).values_list("lead_a_id", "lead_b_id"):
        dismissed.add(b if a == lead.pk else a)
    return [m for m in matches if m.lead.pk in visible and m.lead.pk not in dismissed][:limit]
