"""What other apps do when a lead is created or changed, without leads importing them.

pools registers "route it", scoring registers "score it" and "rescore it" (in their
AppConfig.ready). Hooks run after the creating (or changing) transaction commits and receive
the lead's id; they queue Celery tasks.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy

# Each hook is kept with whether it routes the lead (pools' does): an import that leaves its
# leads unassigned skips the routing hooks only, so scoring and the like still run.
_after_create: list[tuple[Callable[[int], None], bool]] = []


def register_after_create(hook: Callable[[int], None], *, routes: bool = False) -> None:
    if hook not in [h for h, _routes in _after_create]:
        _after_create.append((hook, routes))


def routing_registered() -> bool:
    """Whether an app routes new leads (pools does): a new lead without an owner or a
    destination is then marked as waiting for it (``Lead.routing_due_at``)."""
    return any(routes for _h, routes in _after_create)


def after_create_hooks(*, routing: bool = True) -> list[Callable[[int], None]]:
    return [h for h, routes in _after_create if routing or not routes]


# The same for leads created in bulk (imports): one call per batch with the ids.
_after_create_bulk: list[tuple[Callable[[list[int]], None], bool]] = []


def register_after_create_bulk(hook: Callable[[list[int]], None], *, routes: bool = False) -> None:
    if hook not in [h for h, _routes in _after_create_bulk]:
        _after_create_bulk.append((hook, routes))


def after_create_bulk_hooks(*, routing: bool = True) -> list[Callable[[list[int]], None]]:
    return [h for h, routes in _after_create_bulk if routing or not routes]


# Before leads made in bulk (imports) are inserted: each hook gets the unsaved Lead objects and
# may fill columns it owns (scoring: score, grade, probability, automatic tags), so the rows are
# written once with them instead of updated right after. It must not query per lead nor save.
_before_create_bulk: list[Callable[[list], None]] = []


def register_before_create_bulk(hook: Callable[[list], None]) -> None:
    if hook not in _before_create_bulk:
        _before_create_bulk.append(hook)


def before_create_bulk_hooks() -> list[Callable[[list], None]]:
    return list(_before_create_bulk)


# After a change that may matter to other apps (scoring: "rescore it"): ``lead_update``,
# ``activity_log``, ``lead_change_status``, ``lead_change_stage`` and ``lead_bant_update`` call
# each hook with the lead's id once their transaction commits (nothing for a rollback, nor for
# a call that changed nothing). A hook queues its own task; it must not write the lead.
_after_change: list[Callable[[int], None]] = []


def register_after_change(hook: Callable[[int], None]) -> None:
    if hook not in _after_change:
        _after_change.append(hook)


def after_change_hooks() -> list[Callable[[int], None]]:
    return list(_after_change)


# Owner changes. Whatever path gives a lead an owner or takes it away (a person on the lead
# page, a bulk action, an import, the assignment rules, a claim or an allocation, a return or a
# reclaim, a deactivated user's handover), leads.services.ownership.leads_owner_changed runs
# once for the leads that changed hands, and it calls each hook here with the same four
# things: ``hook(lead_ids, owner, actor, via)``, where ``owner`` is the new owner (None: the
# owner was cleared), ``actor`` who did it (None: the system) and ``via`` the path, a short
# word: leads' own are below, other apps pass theirs (pools: "routing", "claim", "return"...).
# Hooks run inside the changing transaction, after the owners are written, once per batch
# (set-based: a 5,000-lead routing run calls them once per new owner, not per lead); one that
# queues work uses leadcrm.tasking.enqueue_on_commit, so a rollback queues nothing. pools
# registers "route leads whose owner was cleared, unless the clearing put them in a pool".
VIA_MANUAL = "manual"  # a person on the lead page
VIA_BULK = "bulk"  # the list's bulk bar
VIA_CREATE = "create"  # a lead created with an owner (form, API)
VIA_IMPORT = "import"  # an import that gives its leads an owner
VIA_DEACTIVATION = "deactivation"  # a deactivated user's leads handed over
VIA_MERGE = "merge"  # a merge kept the owner of another record of the group

_after_owner_change: list[Callable[[list[int], object | None, object | None, str], None]] = []


def register_after_owner_change(hook: Callable[[list[int], object, object, str], None]) -> None:
    if hook not in _after_owner_change:
        _after_owner_change.append(hook)


def after_owner_change_hooks() -> list[Callable[[list[int], object, object, str], None]]:
    return list(_after_owner_change)


# Visibility extensions. pools adds "members see the unowned leads of their pools" and "those
# leads' phone numbers and emails are masked until claimed". Each callable takes the user and
# returns a Q over Lead (or None for nothing), so lists stay one SQL query.
_visible: list[Callable] = []
_masked: list[Callable] = []
# Leads a user administers through another app (pools: every lead of the pools they
# administer): they may take decisions on them that need more than reading, such as converting.
_administered: list[Callable] = []


def register_visibility(
    *,
    visible: Callable | None = None,
    masked: Callable | None = None,
    administered: Callable | None = None,
):
    if visible is not None and visible not in _visible:
        _visible.append(visible)
    if masked is not None and masked not in _masked:
        _masked.append(masked)
    if administered is not None and administered not in _administered:
        _administered.append(administered)


def administered_hooks() -> list[Callable]:
    return list(_administered)


def visibility_hooks() -> list[Callable]:
    return list(_visible)


def masking_hooks() -> list[Callable]:
    return list(_masked)


# Destinations: where new leads can be sent instead of through the assignment rules, chosen on
# an import or a web form (e.g. "pool:<uuid>"). pools registers the "pool" kind. ``choices``
# takes the user and lists (key, label) pairs they may pick; ``place`` takes the key, the new
# leads' ids, the actor and a reason and puts them there inside the caller's transaction (the
# routing hook then leaves them alone). An unknown or retired key raises DestinationGone.
class DestinationGone(Exception):
    pass


_destinations: dict[str, tuple[Callable, Callable]] = {}
# ``find`` takes a name typed on the command line ("Trade shows") and returns the key, or None.
_finders: dict[str, Callable[[str], str | None]] = {}


def register_destination(
    prefix: str, *, choices: Callable, place: Callable, find: Callable | None = None
) -> None:
    _destinations[prefix] = (choices, place)
    if find is not None:
        _finders[prefix] = find


def destination_choices(user) -> list[tuple[str, str]]:
    out = []
    for choices, _place in _destinations.values():
        out += choices(user)
    return out


def destination_find(prefix: str, name: str) -> str | None:
    """The key of the active destination of kind ``prefix`` called ``name`` (e.g. a pool by
    its name, for ``import_leads --pool``), or None when there is none."""
    find = _finders.get(prefix)
    return find(name) if find is not None else None


def destination_place(key: str, lead_ids: list[int], *, actor, reason: str) -> None:
    prefix = key.split(":", 1)[0]
    if prefix not in _destinations:
        raise DestinationGone(key)
    _destinations[prefix][1](key, lead_ids, actor=actor, reason=reason)


def destination_send(key: str, lead_ids: list[int], *, actor, reason: str = "") -> bool:
    """``destination_place``, but a destination that is gone (a pool deactivated since the form
    or import was set up) leaves the leads to the assignment rules: logged, nothing lost."""
    try:
        destination_place(key, lead_ids, actor=actor, reason=reason or "")
    except DestinationGone:
        logging.getLogger("leadcrm.leads").warning(
            "destination %s is gone; %d lead(s) left to the rules", key, len(lead_ids)
        )
        return False
    return True


# Merges: what other apps keep per lead follows the survivor. ``on_merge(keep, gone)`` runs in
# the merge's transaction (``keep`` already carries its new values, owner included) and
# returns what its undo needs (JSON), kept with the merge; ``on_undo(keep, that)`` puts it
# back. pools moves the pool entry.
_merge: dict[str, tuple[Callable, Callable]] = {}


def register_merge(name: str, *, on_merge: Callable, on_undo: Callable) -> None:
    _merge[name] = (on_merge, on_undo)


def merge_hooks() -> dict[str, tuple[Callable, Callable]]:
    return dict(_merge)


# The lead page and the list's bulk bar, extended by other apps without leads knowing them
# (conversion adds Convert and "converted into" links). ``actions(lead, user)`` returns the
# LeadAction buttons for the lead page (key "convert" also takes over the stage bar's last stage
# and the "Converted" status); ``panel(lead, user)`` returns (template name, context) or None.
@dataclass(frozen=True)
class LeadAction:
    key: str
    label: str
    url: str
    primary: bool = False


_lead_actions: list[Callable] = []
_lead_panels: list[Callable] = []


def register_lead_page(*, actions: Callable | None = None, panel: Callable | None = None) -> None:
    if actions is not None and actions not in _lead_actions:
        _lead_actions.append(actions)
    if panel is not None and panel not in _lead_panels:
        _lead_panels.append(panel)


def lead_page_actions(lead, user) -> list[LeadAction]:
    return [action for hook in _lead_actions for action in hook(lead, user)]


def lead_page_panels(lead, user) -> list[tuple[str, dict]]:
    return [found for hook in _lead_panels if (found := hook(lead, user)) is not None]


# The lead's Change history tab, extended by other apps (scoring adds score changes and manual
# adjustments). ``source(lead, limit=n)`` returns at most ``n`` HistoryEntry rows, the newest;
# leads merges them with its own records by time. The tab includes ``template`` with ``item``
# when it renders, so the text comes out in the reader's language (store keys and values, never
# sentences).
@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: object | None  # the User who did it; None for the system
    template: str
    item: object = None


_history_sources: list[Callable] = []


def register_history(source: Callable) -> None:
    if source not in _history_sources:
        _history_sources.append(source)


def history_entries(lead, *, limit: int) -> list[HistoryEntry]:
    """Every registered source's entries for ``lead``, at most ``limit`` from each (a lead
    rescored every night for years must not slow the tab)."""
    return [entry for source in _history_sources for entry in source(lead, limit=limit)[:limit]]


# Bulk bar buttons: (label, url) posted with the ticked leads (``lead`` values) and ``next``.
_bulk_actions: list[Callable] = []


def register_bulk_action(action: Callable) -> None:
    """``action(user)`` returns a LeadAction for the bulk bar, or None when not offered."""
    if action not in _bulk_actions:
        _bulk_actions.append(action)


def bulk_actions(user) -> list[LeadAction]:
    return [found for hook in _bulk_actions if (found := hook(user)) is not None]


# Records with custom fields. Leads have them; another app registers its records (conversion:
# customer, contact, opportunity) so tenant admins define their fields on the same settings
# page, stored as CustomFieldDefinition rows with that ``record``. ``label`` may be lazy.
_custom_field_records: dict[str, object] = {"lead": gettext_lazy("Lead")}


def register_custom_field_record(name: str, label) -> None:
    _custom_field_records[name] = label


def custom_field_records() -> list[tuple[str, object]]:
    """(name, label) of every record that has custom fields, leads first."""
    return list(_custom_field_records.items())


# Tags offered by the list's tag filter besides what a person types. scoring registers the
# names of its active tag rules (the automatic tags). Collecting the distinct manual tags of a
# tenant would read every lead, so they are typed instead. ``choices()`` returns tag texts.
_tag_choices: list[Callable[[], list[str]]] = []


def register_tag_choices(choices: Callable[[], list[str]]) -> None:
    if choices not in _tag_choices:
        _tag_choices.append(choices)


def tag_choices() -> list[str]:
    """The tags the filter offers, each once, in the order the hooks give them."""
    seen: dict[str, None] = {}
    for hook in _tag_choices:
        for tag in hook():
            seen.setdefault(tag, None)
    return list(seen)


# Open and click tracking of the e-mails sent from the lead page (leads.services.emails).
# scoring registers its tracked links and open pixel (``/t/<token>``: the behavioural events
# that feed the score are the same records). ``link(lead, actor, url)`` returns (token, path)
# of a new tracked link to ``url``, or None for an address it does not track;
# ``pixel(lead, actor)`` returns (token, path) of a new open pixel; ``seen(tokens)`` returns
# {token: [when, ...]}, oldest first, of what was recorded for them. Paths are on the tenant's
# host. Without a registration e-mails go out untracked.
@dataclass(frozen=True)
class EmailTracking:
    link: Callable
    pixel: Callable
    seen: Callable


_email_tracking: list[EmailTracking] = []


def register_email_tracking(*, link: Callable, pixel: Callable, seen: Callable) -> None:
    _email_tracking[:] = [EmailTracking(link=link, pixel=pixel, seen=seen)]


def email_tracking() -> EmailTracking | None:
    return _email_tracking[0] if _email_tracking else None
