"""Merging duplicate leads, and undoing a merge within 30 days.

``lead_merge`` keeps one lead (the survivor), takes for each field the value the user chose
from any of the leads (the owner too), and moves the others' activities, tasks, comments and
lead-team members to the survivor, and through the merge hooks their pool entry (pools); the
others become tombstones (``merged_into``), hidden everywhere but kept, and their change
history shows on the survivor's (``leads.selectors.lead_history``).
Everything happens in one transaction with the leads locked, and is recorded in LeadMerge
with what moved, so ``lead_merge_undo`` can put it all back.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.fields import MERGE_FIELDS
from leads.hooks import merge_hooks
from leads.models import (
    Activity,
    Comment,
    DuplicateDismissal,
    Lead,
    LeadMember,
    LeadMerge,
    LeadStatus,
    Task,
)
from leads.selectors import lead_can_write

#: What moves from the merged leads to the survivor (lead-team members: those not there yet).
MOVED = {"activities": Activity, "tasks": Task, "comments": Comment}
UNDO_DAYS = 30
MAX_LEADS = 10


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


def lead_merge(
    *, survivor: Lead, others: list[Lead], values: dict[str, int] | None, actor: User
) -> LeadMerge:
    """Merge ``others`` into ``survivor``. ``values`` maps a field to the id of the lead whose
    value to keep (fields not given keep the survivor's value; an empty survivor value is
    filled from the first other lead that has one). Raises LeadError; changes nothing then."""
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
        gone = [locked[pk] for pk in ids if pk != survivor.pk]
        _check([keep, *gone], actor)
        before = {}
        for field in MERGE_FIELDS:
            attname = Lead._meta.get_field(field).attname
            source_pk = values.get(field)
            if source_pk is not None and source_pk not in locked:
                raise LeadError(_("Choose values from the merged leads only."))
            if source_pk is None and getattr(keep, attname) in ("", None):
                filler = next((g for g in gone if getattr(g, attname) not in ("", None)), None)
                source_pk = filler.pk if filler else None
            if source_pk is None or source_pk == keep.pk:
                continue
            new = getattr(locked[source_pk], attname)
            if field == "owner" and (new is None or not locked[source_pk].owner.is_active):
                continue  # "no owner" or a deactivated one never replaces the survivor's
            if new != getattr(keep, attname):
                before[attname] = getattr(keep, attname)
                setattr(keep, attname, new)
        if "owner_id" in before:
            before["assigned_at"] = _iso(keep.assigned_at)
            before["status"] = keep.status
            before["status_changed_at"] = _iso(keep.status_changed_at)
            keep.assigned_at = timezone.now()
            if keep.status in (LeadStatus.UNASSIGNED, LeadStatus.NURTURE):
                keep.status, keep.status_changed_at = LeadStatus.PENDING, keep.assigned_at
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
        for lead in gone:
            lead.merged_into = keep
            lead._history_user = actor
            lead._change_reason = f"merged into {keep.uuid}"
            lead.save()
        merge = LeadMerge.objects.create(
            survivor=keep, actor=actor, at=now, survivor_before=_jsonable(before), moved=moved
        )
        merge.merged.set(gone)
    return merge


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _jsonable(values: dict) -> dict:
    return {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in values.items()}


def lead_merge_undo(*, merge: LeadMerge, actor: User) -> Lead:
    """Put a merge back within 30 days: the merged leads return, what moved goes back, and the
    survivor's fields get their earlier values again."""
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
            setattr(keep, attname, value)
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
