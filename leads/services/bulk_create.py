"""Creating many leads at once (imports): the steps of ``lead_create`` done in bulk.

``leads_create_closed_bulk`` does the same for leads imported with a closed status (another
CRM's history): no owner, no routing, their own status and dates.

Fields are cleaned by the caller with ``leads.services._clean`` (one row's bad value must not
stop the others). Here: a row with a campaign and no source takes the campaign's source (as
``lead_create``), keys for duplicate checks, status and first stage, the rows, their
history rows and stage-change rows written with COPY (psycopg), what follows an owner change
when the leads have one (SOP tasks: leads.services.ownership), and the after-create hooks
(routing) once per batch after commit.

COPY, not bulk_create: a 500-row INSERT of a 50-column table is 25,000 parameters that psycopg
splits and Postgres parses, which cost most of an import's time (profiled: 60 %). Ids are taken
from the table's sequence first, so the history and stage rows can point at them.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from leadcrm.accounts.models import User
from leads.hooks import (
    VIA_IMPORT,
    after_create_bulk_hooks,
    after_create_hooks,
    before_create_bulk_hooks,
    destination_send,
    routing_registered,
)
from leads.identity.keys import lead_keys_fill
from leads.models import (
    OPEN_STATUSES,
    Lead,
    LeadStageChange,
    LeadStatus,
    Stage,
    default_region,
)
from leads.services.lead import campaign_source_default
from leads.services.ownership import leads_owner_changed


def leads_create_bulk(
    rows: list[dict],
    *,
    actor: User | None,
    owner: User | None = None,
    reason: str = "imported",
    route: bool = True,
    keys: list[dict] | None = None,
    destination: str = "",
    import_job_id: int | None = None,
) -> list[Lead]:
    """Create a lead per cleaned row; returns them with their ids. Call inside a transaction
    (the import's batch transaction). ``route=False`` skips the routing hooks only (the
    import's "leave them unassigned"; scoring and other hooks still run); ``keys`` are the
    rows' duplicate keys when already computed; ``destination`` ("pool:<uuid>") takes the
    unowned leads instead of the rules."""
    if not rows:
        return []
    now = timezone.now()
    stage = Stage.objects.filter(is_active=True).order_by("position").first()
    leads = []
    for index, data in enumerate(rows):
        campaign_source_default(data)
        lead = Lead(**data, created_by=actor, owner=owner, import_job_id=import_job_id)
        lead.status = LeadStatus.PENDING if owner else LeadStatus.UNASSIGNED
        lead.assigned_at = now if owner else None
        lead.status_changed_at = now
        lead.stage = stage
        lead.stage_changed_at = now if stage else None
        lead.created_at = data.get("created_at") or now
        lead.updated_at = now
        if route and owner is None and not destination and routing_registered():
            lead.routing_due_at = now  # the rules' turn; a lost message is caught by the sweep
        _keys_set(lead, keys[index] if keys is not None else None)
        leads.append(lead)
    _insert(leads, actor=actor, reason=reason, now=now)
    if stage:
        _copy(
            LeadStageChange,
            [
                LeadStageChange(lead=lead, to_stage=stage, changed_by=actor, changed_at=now)
                for lead in leads
            ],
            with_pk=False,
        )
    ids = [lead.pk for lead in leads]
    if owner is not None:  # SOP tasks and the rest, once for the batch, as any owner change
        leads_owner_changed(lead_ids=ids, owner=owner, actor=actor, via=VIA_IMPORT)
    if destination and owner is None:
        destination_send(destination, ids, actor=actor, reason=reason)
    _hooks_after_commit(ids, route=route)
    return leads


def leads_create_closed_bulk(
    rows: list[dict],
    *,
    actor: User | None,
    reason: str = "imported",
    keys: list[dict] | None = None,
    import_job_id: int | None = None,
) -> list[Lead]:
    """Create leads whose life ended before they came here (another CRM's history, imported
    so that scoring can learn from it); returns them with their ids. Call inside a transaction.
    Each cleaned row carries a closed "status" (Converted, Lost, Invalid or Void) and may carry
    "closed_at" and "created_at" (aware datetimes) and a "loss_reason".

    1. the status as given, changed at ``closed_at`` (else now); Converted also sets
       ``converted_at`` to it, Lost keeps its loss reason (the others drop it)
    2. created at ``created_at``, else ``closed_at``, else now
    3. the first funnel stage from the creation; a converted lead also reaches the last one at
       its closing, as ``lead_mark_converted`` records it
    4. no owner, no pool, no routing, no SOP follow-ups, and nothing of the conversion (no
       customer, contact or opportunity): such a lead is a record of the past
    5. the history row says who imported it and with which status; the after-create hooks
       other than routing (scoring) run after commit
    """
    if not rows:
        return []
    now = timezone.now()
    stages = list(Stage.objects.filter(is_active=True).order_by("position", "name"))
    first, last = (stages[0], stages[-1]) if stages else (None, None)
    leads, stage_changes = [], []
    for index, data in enumerate(rows):
        data = dict(data)
        status = data.pop("status")
        if status in OPEN_STATUSES:
            raise ValueError(f"{status} is not a closed status")
        closed_at = data.pop("closed_at", None)
        loss_reason = data.pop("loss_reason", None)
        campaign_source_default(data)
        lead = Lead(**data, created_by=actor, owner=None, import_job_id=import_job_id)
        lead.created_at = data.get("created_at") or closed_at or now
        lead.updated_at = now
        lead.status = status
        lead.status_changed_at = closed_at or now
        lead.converted_at = lead.status_changed_at if status == LeadStatus.CONVERTED else None
        lead.loss_reason = loss_reason if status == LeadStatus.LOST else None
        lead.stage, lead.stage_changed_at = first, lead.created_at if first else None
        if first is not None:
            stage_changes.append((lead, None, first, lead.created_at))
            if status == LeadStatus.CONVERTED and last != first:
                stage_changes.append((lead, first, last, lead.status_changed_at))
                lead.stage, lead.stage_changed_at = last, lead.status_changed_at
        _keys_set(lead, keys[index] if keys is not None else None)
        leads.append(lead)
    _insert(leads, actor=actor, reason=reason, now=now)
    _copy(
        LeadStageChange,
        [
            LeadStageChange(
                lead=lead, from_stage=before, to_stage=after, changed_by=actor, changed_at=at
            )
            for lead, before, after, at in stage_changes
        ],
        with_pk=False,
    )
    _hooks_after_commit([lead.pk for lead in leads], route=False)
    return leads


def _keys_set(lead: Lead, keys: dict | None) -> None:
    if keys is None:
        lead_keys_fill(lead, default_region())
        return
    for key, value in keys.items():
        setattr(lead, key, value)


def _insert(leads: list[Lead], *, actor: User | None, reason: str, now) -> None:
    """Give ``leads`` ids from the table's sequence, let the before-create hooks fill what
    their apps own (the score), COPY them in and write their history rows (type "+", at
    ``now``, by ``actor``, with ``reason``)."""
    for hook in before_create_bulk_hooks():
        hook(leads)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Lead._meta.db_table, len(leads)],
        )
        for lead, (pk,) in zip(leads, cursor.fetchall(), strict=True):
            lead.pk = pk
    _copy(Lead, leads, with_pk=True)
    history = Lead.history.model
    _copy(
        history,
        [
            history(
                history_date=now,
                history_user=actor,
                history_change_reason=reason,
                history_type="+",
                **{f.attname: getattr(lead, f.attname) for f in history.tracked_fields},
            )
            for lead in leads
        ],
        with_pk=False,
    )


def _hooks_after_commit(ids: list[int], *, route: bool) -> None:
    bulk_hooks = after_create_bulk_hooks(routing=route)
    if bulk_hooks:
        for hook in bulk_hooks:
            transaction.on_commit(lambda hook=hook, ids=ids: hook(ids))
    else:
        for hook in after_create_hooks(routing=route):
            for pk in ids:
                transaction.on_commit(lambda hook=hook, pk=pk: hook(pk))


def _value(field, obj):
    value = getattr(obj, field.attname)
    if value is None:
        return None
    if field.get_internal_type() == "JSONField":
        return Jsonb(value)
    return value


def _copy(model, objects, *, with_pk: bool) -> None:
    """COPY ``objects`` into ``model``'s table (each field's value as the model holds it)."""
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([_value(f, obj) for f in fields])
