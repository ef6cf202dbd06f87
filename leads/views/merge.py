"""Duplicate review (the scan's groups) and merging, with undo."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leadcrm.parsing import PAGE_MAX, uuids_parse
from leadcrm.redirects import next_or
from leads import selectors
from leads.dedup.matching import pair_evidence
from leads.errors import LeadError
from leads.masking import mask_value
from leads.models import Lead, LeadMerge, LeadStatus
from leads.services.dedup_scan import (
    dedup_scan_active,
    dedup_scan_latest,
    dedup_scan_request,
    dedup_scan_to_show,
    scan_result_forget,
)
from leads.services.merge import (
    MERGE_FIELDS,
    duplicates_dismiss,
    lead_merge,
    lead_merge_undo,
    merge_preview,
)

REVIEWERS = (Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN)


@role_required(*REVIEWERS)
@require_http_methods(["GET", "POST"])
def duplicate_groups(request):
    """The last scan's groups the user may see entirely; POST starts a new scan (or leaves
    the one already queued or running)."""
    if request.method == "POST":
        dedup_scan_request(actor=request.user)
        return redirect("leads-duplicate-groups")
    latest, active = dedup_scan_latest(), dedup_scan_active()
    everything = latest.result.get("groups", []) if latest else []
    level = request.GET.get("level", "")
    groups = [g for g in everything if g["level"] == level] if level in LEVELS else everything
    page = _positive_int(request.GET.get("page"), 1)
    shown, more = _visible_groups(request.user, groups, skip=(page - 1) * PAGE, take=PAGE)
    context = {
        "groups": shown,
        "scanned_at": latest.finished_at if latest else None,
        "total": len(everything),
        "counts": {name: sum(g["level"] == name for g in everything) for name in LEVELS},
        "level": level if level in LEVELS else "",
        "page": page,
        "more": more,
        "running": active is not None,
        "scan": dedup_scan_to_show(),
    }
    if request.htmx:
        return render(request, "leads/duplicate_groups.html#dup-groups", context)
    return render(request, "leads/duplicate_groups.html", context)


@role_required(*REVIEWERS)
@require_POST
def duplicates_not_same(request):
    """ "Not duplicates": the group's leads are different people; the scan stops pairing them."""
    leads = _posted_leads(request, request.user)
    try:
        duplicates_dismiss(leads=leads, actor=request.user)
    except LeadError as error:
        messages.error(request, error.message)
    else:
        scan_result_forget([lead.pk for lead in leads])
        messages.success(request, _("Marked as different people; the scan will not pair them."))
    return redirect("leads-duplicate-groups")


PAGE = 50
LEVELS = ("exact", "similar")


def _positive_int(text, default: int) -> int:
    try:
        return min(max(1, int(text)), PAGE_MAX)
    except (TypeError, ValueError, OverflowError):
        return default


def _visible_groups(user, groups: list[dict], *, skip: int, take: int):
    """The groups ``user`` may see whole, from the ``skip``-th on, ``take`` of them, with their
    leads (masking applied); and whether more follow. Visibility is checked a chunk of groups
    at a time, so a page costs a few queries however long the scan's result is."""
    shown, seen = [], 0
    for start in range(0, len(groups), 500):
        chunk = groups[start : start + 500]
        ids = {pk for g in chunk for pk in g["ids"]}
        leads = selectors.leads_with_masking(
            selectors.leads_visible_to(user).filter(pk__in=ids), user=user
        ).select_related("owner")
        visible = {lead.pk: lead for lead in leads}
        for group in chunk:
            if not all(pk in visible for pk in group["ids"]):
                continue
            seen += 1
            if seen <= skip:
                continue
            if len(shown) == take:
                return shown, True
            shown.append({**group, "leads": [visible[pk] for pk in group["ids"]]})
    return shown, False


def _posted_leads(request, user, *, all_visible: bool = False) -> list[Lead]:
    """The leads named by the request's ``lead`` values that ``user`` may see. With
    ``all_visible``, a value that is no lead the user may see refuses the request (404), as a
    lead's own page does: nothing is shown nor done for the others."""
    raw = request.POST.getlist("lead") or request.GET.getlist("lead")
    ids, invalid = uuids_parse(raw)
    leads = selectors.leads_visible_to(user).filter(uuid__in=ids)
    found = list(selectors.leads_with_masking(leads, user=user).select_related("owner", "source"))
    if all_visible and (invalid or len(found) < len(ids)):
        raise Http404
    return found


@role_required(*REVIEWERS, Role.SALES_REP)
@require_http_methods(["GET", "POST"])
def merge(request):
    """Compare the chosen leads field by field, suggest the lead to keep (and say why), let
    the user pick the survivor and the values, merge."""
    leads = _posted_leads(request, request.user, all_visible=True)
    if len(leads) < 2:
        messages.error(request, _("Choose at least two leads to merge."))
        return redirect(next_or(request, reverse("leads-index")))
    by_uuid = {str(lead.uuid): lead for lead in leads}
    if request.method == "POST" and request.POST.get("survivor"):
        survivor = by_uuid.get(request.POST["survivor"])
        values = {}
        for field in MERGE_FIELDS:
            chosen = by_uuid.get(request.POST.get(f"value_{field}", ""))
            if chosen is not None:
                values[field] = chosen.pk
        if survivor is None:
            messages.error(request, _("Choose the lead that stays."))
        else:
            try:
                done = lead_merge(
                    survivor=survivor,
                    others=[lead for lead in leads if lead.pk != survivor.pk],
                    values=values,
                    actor=request.user,
                )
            except LeadError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Merged %(count)d lead into this one. You can undo it for 30 days.",
                        "Merged %(count)d leads into this one. You can undo it for 30 days.",
                        len(leads) - 1,
                    )
                    % {"count": len(leads) - 1},
                )
                scan_result_forget([lead.pk for lead in leads])
                return redirect(reverse("leads-detail", kwargs={"uuid": done.survivor.uuid}))
    preview = merge_preview(leads=leads)
    # A refused merge comes back with the user's pick; a first visit has the suggestion.
    picked = by_uuid.get(request.POST.get("survivor", "")) or preview.suggested
    # How sure each other lead is the same as the one to keep, and why (leads.dedup.evidence).
    sure = {lead.pk: pair_evidence(picked, lead) for lead in leads if lead.pk != picked.pk}
    context = {
        "leads": preview.ranked,
        "columns": [(lead, preview.work[lead.pk], sure.get(lead.pk)) for lead in preview.ranked],
        "rows": _rows(preview.ranked, picked=picked, fixed_owner=preview.working),
        "preview": preview,
        "picked": picked,
        "kept_status": LeadStatus(preview.status).label,
    }
    return render(request, "leads/merge.html", context)


def _rows(leads: list[Lead], *, picked: Lead, fixed_owner: Lead | None) -> list[dict]:
    """One row per field the user may pick, each lead's value in its column; where they
    differ, the picked lead's value is preselected (else the first lead's that has one). The
    owner is no choice when someone works one of the leads: it stays theirs."""
    rows = []
    for field in MERGE_FIELDS:
        meta = Lead._meta.get_field(field)
        cells = [(lead, _shown(lead, meta)) for lead in leads]
        filled = [lead for lead, v in cells if v not in ("", None)]
        distinct = {str(v) for _lead, v in cells if v not in ("", None)}
        fixed = field == "owner" and fixed_owner is not None
        rows.append(
            {
                "field": field,
                "label": str(meta.verbose_name).capitalize(),
                "cells": cells,
                "differs": len(distinct) > 1 and not fixed,
                "fixed": fixed,
                "default": picked if picked in filled else (filled or leads)[0],
            }
        )
    return rows


def _shown(lead: Lead, meta):
    """A field's value as people read it (a choice's label, not its code)."""
    value = getattr(lead, meta.name)
    if meta.name in ("email", "phone", "mobile") and value and lead.contacts_masked:
        return mask_value(meta.name, value)
    if meta.choices and value not in ("", None):
        return lead._get_FIELD_display(meta)
    return value


@role_required(*REVIEWERS, Role.SALES_REP)
@require_POST
def merge_undo(request, uuid):
    record = get_object_or_404(LeadMerge, uuid=uuid)
    if not selectors.leads_visible_to(request.user).filter(pk=record.survivor_id).exists():
        raise Http404
    try:
        survivor = lead_merge_undo(merge=record, actor=request.user)
    except LeadError as error:
        messages.error(request, error.message)
        return redirect("leads-detail", uuid=record.survivor.uuid)
    messages.success(request, _("The merge was undone; the merged leads are back."))
    return redirect("leads-detail", uuid=survivor.uuid)
