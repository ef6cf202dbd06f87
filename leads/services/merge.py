"""Merging duplicate leads, and undoing a merge within 30 days.

``merge_preview`` ranks the leads (furthest along in the lifecycle, most work logged, most
complete, oldest) and suggests the survivor with its reasons. ``lead_merge`` keeps one lead
(the survivor), takes for each field the value the user chose from any of the leads, keeps the
lifecycle whichever lead survives (the furthest status with its times, the owner of the record
someone works), and moves the others' activities, tasks, comments and lead-team members to the
survivor, and through the merge hooks their pool entry (pools); the others become tombstones
(``merged_into``), hidden everywhere but kept, and their change history shows on the
survivor's (``leads.selectors.lead_history``).
Everything happens in one transaction with the leads locked, and is recorded in LeadMerge
with what moved, so ``lead_merge_undo`` can put it all back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.fields import MERGE_FIELDS
from leads.hooks import VIA_MERGE, merge_hooks
from leads.models import (
    Activity,
    Comment,
    DuplicateDismissal,
    Lead,
    LeadEmail,
    LeadMember,
    LeadMerge,
    LeadStatus,
    Stage,
    Task,
)
from leads.selectors import lead_can_write
from leads.services.ownership import leads_owner_changed

#: What moves from the merged leads to the survivor (lead-team members: those not there yet).
MOVED = {"activities": Activity, "tasks": Task, "comments": Comment, "emails": LeadEmail}
UNDO_DAYS = 30
MAX_LEADS = 10

#: How far along the lifecycle each status is (higher is further). The closed statuses rank
#: below every open one: a new enquiry from someone lost long ago reopens the lead instead of
#: being buried under the closed record.
STATUS_RANK = {
    LeadStatus.CONVERTED: 8,
    LeadStatus.QUALIFIED: 7,
    LeadStatus.FOLLOWING_UP: 6,
    LeadStatus.NURTURE: 5,
    LeadStatus.PENDING: 4,
    LeadStatus.UNASSIGNED: 3,
    LeadStatus.LOST: 2,
    LeadStatus.INVALID: 1,
    LeadStatus.VOID: 0,
}
#: Open statuses a lead reaches only by being worked: its owner is the rep working it.
WORKED_STATUSES = (LeadStatus.FOLLOWING_UP, LeadStatus.QUALIFIED, LeadStatus.NURTURE)
#: Statuses only an owned lead has (lead_assign makes them Unassigned without an owner).
OWNED_STATUSES = (LeadStatus.PENDING, LeadStatus.FOLLOWING_UP)
#: The fields that say how complete a record is (owner and priority say nothing of the person).
COMPLETENESS_FIELDS = tuple(f for f in MERGE_FIELDS if f not in ("owner", "priority"))


def _check(leads: list[Lead], actor: User) -> None:
    if len(leads) < 2:
        raise LeadError(_("Choose at least two leads to merge."))
    if len(leads) > MAX_LEADS:
        raise LeadError(_("Merge at most %(n)d leads at once.") % {"n": MAX_LEADS})
    for lead in leads:
        if lead.merged_into_id is not None:
            raise LeadError(_("%(lead)s was already merged into another lead.") % {"lead": lead})
        if lead.status == LeadStatus.CONVERTED:
            raise LeadError(_("%(lead)s is converted and cannot be merged.") % {"lead": lead})
        if not lead_can_write(actor, lead):
            raise LeadError(_("You may not change %(lead)s.") % {"lead": lead})


@dataclass(frozen=True)
class SurvivorReason:
    """Why a lead is the suggested survivor. A key with its figures; it reads as text in the
    language active when it is shown (``str()``), so a page renders it in the reader's."""

    #: "furthest" (status), "most_work", "most_complete", "oldest"; "work" adds the work
    #: logged when something else decided.
    code: str
    count: int = 0
    status: str = ""
    created_at: datetime | None = None

    def __str__(self) -> str:
        if self.code == "furthest":
            return _("furthest along (%(status)s)") % {"status": LeadStatus(self.status).label}
        if self.code == "most_work":
            return ngettext(
                "the most work logged (%(count)d activity or follow-up)",
                "the most work logged (%(count)d activities and follow-ups)",
                self.count,
            ) % {"count": self.count}
        if self.code == "work":
            return ngettext(
                "%(count)s activity or follow-up logged",
                "%(count)s activities and follow-ups logged",
                self.count,
            ) % {"count": self.count}
        if self.code == "most_complete":
            return ngettext(
                "the most complete (%(count)d field filled)",
                "the most complete (%(count)d fields filled)",
                self.count,
            ) % {"count": self.count}
        created = date_format(timezone.localtime(self.created_at), "Y-m-d")
        return _("the oldest record (created %(date)s)") % {"date": created}


class SurvivorSuggestion(NamedTuple):
    lead: Lead
    reasons: list[SurvivorReason]


@dataclass(frozen=True)
class MergePreview:
    """What the merge page shows before anything changes (see ``merge_preview``)."""

    #: The leads best first: the suggested survivor, then the rest by the same ranking.
    ranked: list[Lead]
    reasons: list[SurvivorReason]
    #: Activities and follow-ups logged, per lead id.
    work: dict[int, int]
    #: The lead whose owner keeps the merged lead whichever survivor is chosen (someone works
    #: it), or None: the owner is then the survivor's or the one chosen.
    working: Lead | None
    #: The furthest status of the group: the merged lead's whenever ``working`` is set (else
    #: an unowned merged lead is Unassigned instead of Pending or Following up).
    status: str

    @property
    def suggested(self) -> Lead:
        return self.ranked[0]


def merge_preview(*, leads: list[Lead]) -> MergePreview:
    """Rank ``leads`` for a merge (reads only): furthest along in the lifecycle (STATUS_RANK),
    then the most work logged (activities, and follow-ups people made or did), then the most
    complete, then the oldest. The first is the suggested survivor, with the reasons that
    decided it; also says which owner and status the merged lead keeps whatever is chosen."""
    if len(leads) < 2:
        raise LeadError(_("Choose at least two leads to merge."))
    work = _work_counts([lead.pk for lead in leads])
    ranked = _ranked(leads, work)
    return MergePreview(
        ranked=ranked,
        reasons=_reasons(ranked, work),
        work=work,
        working=_working(ranked, work, _active_owner_ids(leads)),
        status=ranked[0].status,
    )


def merge_survivor_suggest(*, leads: list[Lead]) -> SurvivorSuggestion:
    """The lead to keep when merging ``leads``, and why (see ``merge_preview``)."""
    preview = merge_preview(leads=leads)
    return SurvivorSuggestion(preview.suggested, preview.reasons)


def _work_counts(ids: list[int]) -> dict[int, int]:
    """Activities logged and follow-ups people made or did, per lead. A follow-up a funnel
    stage made by itself (SOP) is no work until it is done."""
    counts = dict.fromkeys(ids, 0)
    activities = Activity.objects.filter(lead_id__in=ids)
    tasks = Task.objects.filter(lead_id__in=ids).filter(
        Q(sop_template__isnull=True) | Q(status=Task.Status.DONE)
    )
    for rows in (activities, tasks):
        for lead_id, n in (
            rows.order_by().values("lead_id").annotate(n=Count("*")).values_list("lead_id", "n")
        ):
            counts[lead_id] += n
    return counts


def _active_owner_ids(leads: list[Lead]) -> set[int]:
    owner_ids = {lead.owner_id for lead in leads if lead.owner_id}
    return set(User.objects.filter(pk__in=owner_ids, is_active=True).values_list("pk", flat=True))


def _filled(lead: Lead) -> int:
    return sum(
        getattr(lead, Lead._meta.get_field(f).attname) not in ("", None)
        for f in COMPLETENESS_FIELDS
    )


def _standing(lead: Lead, work: dict[int, int]) -> tuple:
    """The ranking key (higher is better): status, work, completeness, then age (the older,
    and for leads created together the first saved, wins)."""
    return (
        STATUS_RANK[lead.status],
        work[lead.pk],
        _filled(lead),
        -lead.created_at.timestamp(),
        -lead.pk,
    )


def _ranked(leads: list[Lead], work: dict[int, int]) -> list[Lead]:
    return sorted(leads, key=lambda lead: _standing(lead, work), reverse=True)


def _working(ranked: list[Lead], work: dict[int, int], active: set[int]) -> Lead | None:
    """The lead furthest along that someone is working: open, owned by an active user, and
    in a status only work reaches or with work logged. Its owner keeps the merged lead."""
    return next(
        (
            lead
            for lead in ranked
            if lead.owner_id in active
            and lead.is_open
            and (lead.status in WORKED_STATUSES or work[lead.pk] > 0)
        ),
        None,
    )


def _reasons(ranked: list[Lead], work: dict[int, int]) -> list[SurvivorReason]:
    """What puts the first lead ahead of the second: the first part of the ranking that
    differs; and the work logged on it when something else decided."""
    top, second = ranked[0], ranked[1]
    mine, theirs = _standing(top, work), _standing(second, work)
    if mine[0] > theirs[0]:
        decided = SurvivorReason("furthest", status=top.status)
    elif mine[1] > theirs[1]:
        decided = SurvivorReason("most_work", count=work[top.pk])
    elif mine[2] > theirs[2]:
        decided = SurvivorReason("most_complete", count=mine[2])
    else:
        decided = SurvivorReason("oldest", created_at=top.created_at)
    if decided.code != "most_work" and work[top.pk]:
        return [decided, SurvivorReason("work", count=work[top.pk])]
    return [decided]


def lead_merge(
    *, survivor: Lead, others: list[Lead], values: dict[str, int] | None, actor: User
) -> LeadMerge:
    """Merge ``others`` into ``survivor``. All-or-nothing: raises LeadError and changes nothing.

    1. Lock the leads (in id order) and check them: not merged, not converted, writable.
    2. Take the chosen values: ``values`` maps a field to the id of the lead whose value to
       keep; fields not given keep the survivor's value, an empty one is filled from the first
       other lead that has one.
    3. Keep the lifecycle, whichever lead survives (``_lifecycle_keep``): the group's furthest
       status with its times, the owner of the record furthest along that someone works (the
       chosen owner applies only when nobody works any of them), the furthest funnel stage,
       the earliest first follow-up, the latest activity and the soonest next follow-up due.
    4. Move the others' activities, follow-ups, comments, lead-team members and, through the
       merge hooks, their pool entry.
    5. Save the survivor (its history shows each change, owner and status included, with the
       reason "merged: ...") and the others as tombstones, and record the LeadMerge with every
       value the survivor had before, so ``lead_merge_undo`` puts back exactly that.
    """
    ids = sorted({survivor.pk, *(o.pk for o in others)})
    values = values or {}
    with transaction.atomic():
        locked = {
            lead.pk: lead
            for lead in Lead.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        if len(locked) != len(ids):
            raise LeadError(_("One of the leads no longer exists."))
        keep = locked[survivor.pk]
        owner_before = keep.owner_id
        gone = [locked[pk] for pk in ids if pk != survivor.pk]
        _check([keep, *gone], actor)
        work = _work_counts(ids)
        ranked = _ranked([keep, *gone], work)  # as they were, before any value moves
        if any(pk not in locked for pk in values.values()):
            raise LeadError(_("Choose values from the merged leads only."))
        before: dict = {}
        for field in MERGE_FIELDS:
            if field == "owner":
                continue  # a part of the lifecycle: step 3
            attname = Lead._meta.get_field(field).attname
            source_pk = values.get(field)
            if source_pk is None and getattr(keep, attname) in ("", None):
                filler = next((g for g in gone if getattr(g, attname) not in ("", None)), None)
                source_pk = filler.pk if filler else None
            if source_pk is None or source_pk == keep.pk:
                continue
            _take(keep, before, **{attname: getattr(locked[source_pk], attname)})
        _lifecycle_keep(keep, ranked, work, before, chosen_owner=locked.get(values.get("owner")))
        tags = sorted({t for lead in (keep, *gone) for t in lead.tags})
        if tags != sorted(keep.tags):
            before["tags"] = keep.tags
            keep.tags = tags
        now = timezone.now()
        moved = {
            key: [
                list(row)
                for row in model.objects.filter(lead__in=gone).values_list("pk", "lead_id")
            ]
            for key, model in MOVED.items()
        }
        for key, model in MOVED.items():
            model.objects.filter(pk__in=[pk for pk, _lead in moved[key]]).update(lead=keep)
        present = set(LeadMember.objects.filter(lead=keep).values_list("user_id", flat=True))
        members = LeadMember.objects.filter(lead__in=gone).exclude(user_id__in=present)
        moved["members"] = [[m.pk, m.lead_id] for m in members]
        members.update(lead=keep)
        for name, (on_merge, _on_undo) in merge_hooks().items():
            moved[f"hook:{name}"] = on_merge(keep, gone)
        keep._history_user = actor
        keep._change_reason = "merged: " + ", ".join(str(g.uuid) for g in gone)
        keep.save()
        if keep.owner_id != owner_before:  # SOP tasks and open tasks, as on any owner change
            leads_owner_changed(lead_ids=[keep.pk], owner=keep.owner, actor=actor, via=VIA_MERGE)
        for lead in gone:
            lead.merged_into = keep
            lead._history_user = actor
            lead._change_reason = f"merged into {keep.uuid}"
            lead.save()
        merge = LeadMerge.objects.create(
            survivor=keep, actor=actor, at=now, survivor_before=before, moved=moved
        )
        merge.merged.set(gone)
    return merge


def _lifecycle_keep(
    keep: Lead,
    ranked: list[Lead],
    work: dict[int, int],
    before: dict,
    *,
    chosen_owner: Lead | None,
) -> None:
    """Step 3 of lead_merge, on the locked leads (``ranked``: all of them, best first): the
    merge never moves the lifecycle backwards nor takes the lead from the rep working it.
    What changes on ``keep`` is noted in ``before`` (its earlier values)."""
    group, gone = ranked, [lead for lead in ranked if lead is not keep]
    active = _active_owner_ids(group)
    # The owner: the one working the record furthest along; else the chosen one, else the
    # first other lead's when the survivor has none. Never "no owner" nor a deactivated one.
    source = _working(ranked, work, active)
    if source is None:
        source = chosen_owner or (
            next((g for g in gone if g.owner_id), None) if keep.owner_id is None else None
        )
    if source is not None and source.owner_id in active and source.owner_id != keep.owner_id:
        _take(keep, before, owner_id=source.owner_id,
              assigned_at=source.assigned_at or timezone.now())  # fmt: skip
    # The status: the furthest of the group, with its times and note, as far as the owner
    # allows (Pending and Following up need one; an owned lead is not Unassigned).
    ahead = ranked[0] if STATUS_RANK[ranked[0].status] > STATUS_RANK[keep.status] else keep
    status = ahead.status
    if keep.owner_id is None and status in OWNED_STATUSES:
        status = LeadStatus.UNASSIGNED
    elif keep.owner_id is not None and status == LeadStatus.UNASSIGNED:
        status = LeadStatus.PENDING
    if status == ahead.status and ahead is not keep:
        _take(keep, before, status=status, status_changed_at=ahead.status_changed_at,
              status_note=ahead.status_note, loss_reason_id=ahead.loss_reason_id)  # fmt: skip
    elif status != keep.status:
        _take(keep, before, status=status, status_changed_at=timezone.now(), status_note="",
              loss_reason_id=None)  # fmt: skip
    # The funnel stage: the furthest any of them reached.
    positions = dict(
        Stage.objects.filter(pk__in={g.stage_id for g in group if g.stage_id}).values_list(
            "pk", "position"
        )
    )
    furthest = max(group, key=lambda g: positions.get(g.stage_id, -1))
    if positions.get(furthest.stage_id, -1) > positions.get(keep.stage_id, -1):
        _take(keep, before, stage_id=furthest.stage_id,
              stage_changed_at=furthest.stage_changed_at)  # fmt: skip
    # The times of the work, now that all of it is on the survivor.
    firsts = [g.first_follow_up_at for g in group if g.first_follow_up_at]
    lasts = [g.last_activity_at for g in group if g.last_activity_at]
    dues = [g.next_follow_up_at for g in group if g.next_follow_up_at and g.is_open]
    _take(
        keep,
        before,
        first_follow_up_at=min(firsts, default=None),
        last_activity_at=max(lasts, default=None),
        next_follow_up_at=min(dues, default=keep.next_follow_up_at),
    )


def _take(lead: Lead, before: dict, **changes) -> None:
    """Set ``changes`` (attnames) on ``lead``, noting each replaced value in ``before`` once,
    as JSON (the value it had before the merge)."""
    for attname, value in changes.items():
        current = getattr(lead, attname)
        if value == current:
            continue
        if attname not in before:
            before[attname] = current.isoformat() if isinstance(current, datetime) else current
        setattr(lead, attname, value)


def lead_merge_undo(*, merge: LeadMerge, actor: User) -> Lead:
    """Put a merge back within 30 days: the merged leads return, what moved goes back, and the
    survivor's fields (owner, status and their times included) get their earlier values
    again. All-or-nothing; raises LeadError."""
    if merge.undone_at is not None:
        raise LeadError(_("This merge was already undone."))
    if timezone.now() - merge.at > timedelta(days=UNDO_DAYS):
        raise LeadError(_("A merge can be undone for %(days)d days.") % {"days": UNDO_DAYS})
    with transaction.atomic():
        merge = LeadMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise LeadError(_("This merge was already undone."))
        gone = list(merge.merged.select_for_update().order_by("pk"))
        keep = Lead.objects.select_for_update().get(pk=merge.survivor_id)
        if not lead_can_write(actor, keep):
            raise LeadError(_("You may not change %(lead)s.") % {"lead": keep})
        for key, model in (*MOVED.items(), ("members", LeadMember)):
            for pk, lead_pk in merge.moved.get(key, []):
                model.objects.filter(pk=pk, lead=keep).update(lead_id=lead_pk)
        for name, (_on_merge, on_undo) in merge_hooks().items():
            on_undo(keep, merge.moved.get(f"hook:{name}", {}))
        for attname, value in merge.survivor_before.items():
            setattr(keep, attname, Lead._meta.get_field(attname).to_python(value))
        keep._history_user = actor
        keep._change_reason = "merge undone"
        keep.save()
        for lead in gone:
            lead.merged_into = None
            lead._history_user = actor
            lead._change_reason = "merge undone"
            lead.save()
        merge.undone_at, merge.undone_by = timezone.now(), actor
        merge.save(update_fields=["undone_at", "undone_by"])
    return keep


def duplicates_dismiss(*, leads: list[Lead], actor: User) -> int:
    """Record that ``leads`` are different people: the scan stops pairing any two of them.
    Needs write access to each. Returns how many pairs were newly recorded."""
    if len(leads) < 2:
        raise LeadError(_("Choose at least two leads."))
    for lead in leads:
        if not lead_can_write(actor, lead):
            raise LeadError(_("You may not change %(lead)s.") % {"lead": lead})
    ids = sorted({lead.pk for lead in leads})
    rows = [
        DuplicateDismissal(lead_a_id=a, lead_b_id=b, dismissed_by=actor)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    ]
    created = DuplicateDismissal.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
