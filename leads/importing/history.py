"""Rows that bring a lead's past from another CRM: its status, why it was lost, when it was
closed and when it was created.

The mapping targets "status", "loss_reason", "closed_at" and "created_at" are cleaned per cell
like every other (``leads.importing.mapping.value_clean``: an unknown status or a date in the
future is a problem of the row, which is then not imported). Here a cleaned row is split into
the lead's fields and its history, checked as a whole, and readied for the create:

- a closed status (Converted, Lost, Invalid, Void) makes the row history, created by
  ``leads.services.bulk_create.leads_create_closed_bulk``: never routed, put in a pool nor
  given an owner, and never converted (no customer, contact or opportunity);
- an open status (Following up, Qualified ...) is recognised but the row is a new lead as
  without it: routing or the import's owner decide its owner and status;
- a loss reason the tenant lacks is added to its list (``loss_reason_ensure``), and counted.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from leads.importing.mapping import HISTORY_TARGETS, _norm
from leads.models import OPEN_STATUSES, LeadStatus, LossReason
from leads.services.config import loss_reason_ensure


def history_take(data: dict) -> dict:
    """Remove the history targets from a row's cleaned values and return them."""
    return {target: data.pop(target) for target in HISTORY_TARGETS if target in data}


def history_problems(history: dict, columns: dict[str, str]) -> list[tuple[str, str, str]]:
    """(column, value, reason) for what is wrong with the row's history as a whole;
    ``columns`` names the column of each target."""
    created, closed = history.get("created_at"), history.get("closed_at")
    if created and closed and created > closed:
        return [(columns.get("created_at", ""), created.isoformat(),
                 _("the created date is after the closed date"))]  # fmt: skip
    return []


def is_closed(history: dict) -> bool:
    """Does the row bring a lead whose life has ended (imported as history)?"""
    return bool(history.get("status")) and history["status"] not in OPEN_STATUSES


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def history_apply(data: dict, history: dict, ctx: dict) -> bool:
    """Put the row's history into its lead fields for the create (a closed row: the status,
    the closed date and loss reason; any row: the created date, as an aware datetime).
    Returns True when a loss reason was added to the tenant's list for it."""
    if history.get("created_at"):
        data["created_at"] = _moment(history["created_at"])
    if not is_closed(history):
        return False
    data["status"] = history["status"]
    if history.get("closed_at"):
        data["closed_at"] = _moment(history["closed_at"])
    reason, added = history.get("loss_reason"), False
    if history["status"] == LeadStatus.LOST and reason:
        if not isinstance(reason, LossReason):
            reason, added = loss_reason_ensure(name=reason)
            ctx["loss_reasons"][_norm(reason.name)] = reason
        data["loss_reason"] = reason
    return added
