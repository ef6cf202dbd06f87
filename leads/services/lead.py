"""Everything that writes leads. Views, the API, imports, seeding and tasks all come here."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from leadcrm.accounts.models import User
from leadcrm.parsing import DATE_YEARS, DUE_YEARS, text_clean, year_within
from leads.dedup.matching import duplicates_find
from leads.errors import DuplicateLeadError, IllegalTransitionError, LeadChangedError, LeadError
from leads.fields import EDITABLE_FIELDS, IDENTIFYING_FIELDS, postcode_clean
from leads.hooks import (
    VIA_CREATE,
    VIA_MANUAL,
    after_change_hooks,
    after_create_hooks,
    destination_choices,
    destination_send,
    routing_registered,
)
from leads.models import (
    Activity,
    Campaign,
    CampaignStatus,
    CompanySize,
    Lead,
    LeadSettings,
    LeadStageChange,
    LeadStatus,
    LossReason,
    Priority,
    RevenueRange,
    SourceChannel,
    Stage,
)
from leads.selectors import owners_assignable_by
from leads.services.custom_fields import custom_data_clean
from leads.services.followups import sop_followups_create
from leads.services.ownership import leads_owner_changed

if TYPE_CHECKING:
    from leadcrm.notifications.models import Notification

S = LeadStatus

#: Which status may follow which. Converted is reached only through the conversion service;
#: Void is left only through lead_restore (tenant admins).
TRANSITIONS: dict[str, set[str]] = {
    S.UNASSIGNED: {S.PENDING, S.NURTURE, S.INVALID, S.LOST, S.VOID},
    S.PENDING: {S.FOLLOWING_UP, S.QUALIFIED, S.NURTURE, S.INVALID, S.LOST, S.VOID, S.UNASSIGNED},
    S.FOLLOWING_UP: {S.QUALIFIED, S.NURTURE, S.INVALID, S.LOST, S.VOID, S.UNASSIGNED},
    S.QUALIFIED: {S.FOLLOWING_UP, S.CONVERTED, S.NURTURE, S.LOST, S.VOID},
    S.NURTURE: {S.FOLLOWING_UP, S.QUALIFIED, S.INVALID, S.LOST, S.VOID, S.UNASSIGNED},
    S.INVALID: {S.FOLLOWING_UP, S.PENDING, S.UNASSIGNED, S.VOID},
    S.LOST: {S.FOLLOWING_UP, S.PENDING, S.UNASSIGNED, S.VOID},
    S.CONVERTED: set(),
    S.VOID: set(),
}

_CHOICES = {
    "priority": Priority.values,
    "company_size": CompanySize.values,
    "annual_revenue": RevenueRange.values,
}


def _check_length(field: str, value: str) -> None:
    """A value longer than its column is refused in words (not a database error that fails
    a whole import batch or answers 500)."""
    limit = getattr(Lead._meta.get_field(field), "max_length", None)
    if limit and len(value) > limit:
        raise LeadError(
            _("%(field)s has at most %(max)d characters (this one has %(count)d).")
            % {
                "field": Lead._meta.get_field(field).verbose_name,
                "max": limit,
                "count": len(value),
            },
            field=field,
        )


#: A lead can be reached through any of these; the tenant may require one of them.
CONTACT_FIELDS = ("email", "mobile", "phone")


def _clean(data: dict, *, partial: bool = False) -> dict:
    """Trim text, lower-case the email, check phones, the postcode and choices. Raises
    LeadError naming the field.

    ``data`` is a whole new lead unless ``partial`` (the fields an update changes): a whole
    lead must also meet the tenant's "an email or a phone number" rule (``_check_contact``),
    which is how every channel that creates leads (form, API, web forms, each import row)
    gets the same refusal."""
    cleaned = {}
    for field in EDITABLE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, str):
            value = text_clean(value)  # NUL and other control characters never reach a column
            value = " ".join(value.split()) if field not in ("notes", "address") else value.strip()
            _check_length(field, value)
        cleaned[field] = value
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].lower()
        try:
            validate_email(cleaned["email"])
        except ValidationError as exc:
            raise LeadError(_("Enter a valid email address."), field="email") from exc
    for field in ("phone", "mobile"):  # "abc-not-a-phone" is no number (the import's rule)
        value = cleaned.get(field)
        if value and sum(c.isdigit() for c in unicodedata.normalize("NFKC", value)) < 5:
            raise LeadError(_("Enter a phone number with at least 5 digits."), field=field)
    if cleaned.get("postcode"):
        try:
            cleaned["postcode"] = postcode_clean(cleaned["postcode"])
        except ValueError as exc:
            raise LeadError(str(exc), field="postcode") from exc
    for field, allowed in _CHOICES.items():
        if cleaned.get(field) and cleaned[field] not in allowed:
            raise LeadError(_("Choose a valid value."), field=field)
    if "tags" in cleaned:
        tags = cleaned["tags"] or []
        if isinstance(tags, str):
            tags = re.split(r"[,，、;；]", tags)  # ASCII and Chinese separators
        cleaned["tags"] = sorted({t.strip()[:50] for t in tags if t and t.strip()})
    if (
        "source" in cleaned
        and cleaned["source"] is not None
        and not isinstance(cleaned["source"], SourceChannel)
    ):
        raise LeadError(_("Choose a valid source."), field="source")
    if (
        "campaign" in cleaned
        and cleaned["campaign"] is not None
        and not isinstance(cleaned["campaign"], Campaign)
    ):
        raise LeadError(_("Choose a valid campaign."), field="campaign")
    if "country" in cleaned:
        cleaned["country"] = (cleaned["country"] or "").upper()[:2]
    if not partial:
        _check_contact(cleaned)
    return cleaned


def _check_contact(values: dict) -> None:
    """Refuse a lead without an email, a mobile or a phone number while the tenant requires
    one (Settings → Lead settings). The settings row is read only for such a lead, so an
    import of rows that have one costs no query per row."""
    if any(values.get(field) for field in CONTACT_FIELDS):
        return
    if LeadSettings.load().require_email_or_phone:
        raise LeadError(
            _("Enter an email or a phone number: every lead needs one of them here."),
            field="email",
        )


def campaign_source_default(data: dict, *, current_source=None) -> dict:
    """``data`` (cleaned lead fields) with the campaign's source when it gives the lead a
    campaign and leaves it without a source (``current_source``: the lead's, on an update).
    The one place of that rule: lead_create, lead_update, the bulk create of imports and the
    channels that pick a default source (API, web forms, imports) all ask it."""
    campaign = data.get("campaign")
    source = data.get("source", current_source)
    if campaign is not None and source is None and campaign.source_id is not None:
        data["source"] = campaign.source
    return data


def _refuse_cancelled_campaign(campaign: Campaign | None, current_id: int | None = None) -> None:
    """A lead may keep a campaign that was cancelled since, not be attached to one."""
    if (
        campaign is not None
        and campaign.pk != current_id
        and campaign.status == CampaignStatus.CANCELLED
    ):
        raise LeadError(
            _("The campaign %(campaign)s is cancelled.") % {"campaign": campaign},
            field="campaign",
        )


def lead_create(
    *,
    actor: User | None,
    owner: User | None = None,
    check_duplicates: bool = True,
    destination: str = "",
    **data,
) -> Lead:
    """Create a lead from any channel.

    1. clean and check the fields (a name is required)
    2. the tenant's duplicate rules: a "block" rule that matches refuses the lead
       (DuplicateLeadError with the matches); "warn" rules are for the caller to show
       (``leads.dedup.matching.duplicates_find``). Imports check in bulk and pass False.
    3. save it: Pending if it has an owner, else Unassigned; first funnel stage; given a
       campaign (not a cancelled one) and no source, it takes the campaign's source
    4. without an owner, a ``destination`` ("pool:<uuid>", see leads.hooks) takes it in the
       same transaction; one that is gone leaves the lead to the rules
    5. after commit, run the registered hooks (routing, scoring: a lead with neither owner
       nor destination is routed by the assignment rules)
    The change history records who created it.

    Who gets it is checked against ``actor`` (when there is one; a web form's visitor is
    not): an ``owner`` other than the actor must be someone they may assign to
    (``owners_assignable_by``), a ``destination`` one they may choose. Raises LeadError
    naming the field: "email" for the tenant's "an email or a phone number" rule, "owner"
    for who gets it.
    """
    cleaned = _clean(data)
    if not cleaned.get("name"):
        raise LeadError(_("Enter the lead's name."), field="name")
    _check_recipient(actor=actor, owner=owner, destination=destination)
    _refuse_cancelled_campaign(cleaned.get("campaign"))
    campaign_source_default(cleaned)
    if check_duplicates:
        _refuse_blocked_duplicates(cleaned)
    cleaned["custom_data"] = custom_data_clean(data=cleaned.get("custom_data") or {}, partial=False)
    now = timezone.now()
    lead = Lead(**cleaned, created_by=actor, owner=owner)
    lead.status = S.PENDING if owner else S.UNASSIGNED
    lead.assigned_at = now if owner else None
    lead.status_changed_at = now
    lead.stage = Stage.objects.filter(is_active=True).order_by("position").first()
    lead.stage_changed_at = now if lead.stage else None
    if owner is None and not destination and routing_registered():
        lead.routing_due_at = now  # the rules' turn; a lost message is caught by the sweep
    lead._history_user = actor
    with transaction.atomic():
        lead.save()
        if lead.stage:
            LeadStageChange.objects.create(
                lead=lead, to_stage=lead.stage, changed_by=actor, changed_at=now
            )
        if owner is not None:  # its first stage's SOP tasks, as for any lead getting an owner
            leads_owner_changed(lead_ids=[lead.pk], owner=owner, actor=actor, via=VIA_CREATE)
        if destination and owner is None:
            destination_send(
                destination, [lead.pk], actor=actor, reason=cleaned.get("source_detail", "")
            )
        for hook in after_create_hooks():
            transaction.on_commit(lambda hook=hook, pk=lead.pk: hook(pk))
    return lead


def _check_recipient(*, actor: User | None, owner: User | None, destination: str) -> None:
    """Refuse a new lead's owner or destination that ``actor`` may not give it to."""
    if actor is None:
        return
    if (
        owner is not None
        and owner.pk != actor.pk
        and not owners_assignable_by(actor).filter(pk=owner.pk).exists()
    ):
        raise LeadError(_("You can assign leads only to yourself or your team."), field="owner")
    if destination and owner is None and destination not in dict(destination_choices(actor)):
        raise LeadError(_("You cannot send leads to that pool."), field="owner")


def _after_change(lead_id: int) -> None:
    """Run the after-change hooks (scoring) for ``lead_id`` once the transaction commits."""
    for hook in after_change_hooks():
        transaction.on_commit(lambda hook=hook: hook(lead_id))


def _refuse_blocked_duplicates(cleaned: dict, exclude_ids=()) -> None:
    blocking = [m for m in duplicates_find(cleaned, exclude_ids=exclude_ids) if m.blocks]
    if blocking:
        first = blocking[0]
        raise DuplicateLeadError(
            _("This lead already exists: %(lead)s (rule: %(rule)s).")
            % {"lead": first.lead, "rule": first.rule.label},
            matches=blocking,
        )


#: Fields the duplicate rules look at: changing one re-checks the "block" rules.


def lead_update(*, lead: Lead, actor: User, check_duplicates: bool = True, **data) -> Lead:
    """Change a lead's details (not its owner, status or stage: those have their own services).
    Each changed field is kept in the history with who changed it. A change that would make
    the lead a duplicate under a "block" rule is refused (DuplicateLeadError), as on create.
    A lead attached to a campaign (not a cancelled one) while it has no source takes the
    campaign's source. While the tenant requires an email or a phone number, a change cannot
    clear the last one (a lead from before the rule that has none can still be changed)."""
    cleaned = _clean(data, partial=True)
    if "name" in cleaned and not cleaned["name"]:
        raise LeadError(_("Enter the lead's name."), field="name")
    custom_changes = None
    if "custom_data" in cleaned:
        # Keys given with an empty value are cleared; keys not given keep their value.
        given = cleaned.pop("custom_data") or {}
        custom_changes = (custom_data_clean(data=given, partial=True), set(given))
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if custom_changes is not None:
            values, given_keys = custom_changes
            merged = {k: v for k, v in locked.custom_data.items() if k not in given_keys}
            cleaned["custom_data"] = {**merged, **values}
        if "campaign" in cleaned:
            _refuse_cancelled_campaign(cleaned["campaign"], locked.campaign_id)
            campaign_source_default(cleaned, current_source=locked.source)
        changed = [f for f, v in cleaned.items() if getattr(locked, f) != v]
        if not changed:
            return locked
        if set(changed) & set(CONTACT_FIELDS):  # clearing the last one; older leads may lack any
            _check_contact({f: cleaned.get(f, getattr(locked, f)) for f in CONTACT_FIELDS})
        if check_duplicates and set(changed) & set(IDENTIFYING_FIELDS):
            after = {f: cleaned.get(f, getattr(locked, f)) for f in IDENTIFYING_FIELDS}
            _refuse_blocked_duplicates(after, exclude_ids=[locked.pk])
        for field in changed:
            setattr(locked, field, cleaned[field])
        locked._history_user = actor
        locked.save()
        _after_change(locked.pk)
    return locked


def lead_assign(
    *,
    lead: Lead,
    owner: User | None,
    actor: User | None,
    reason: str = "",
    notify: bool = True,
    via: str = VIA_MANUAL,
    batched: bool = False,
) -> Lead:
    """Give the lead to ``owner`` (or take it from its owner with ``owner=None``).

    An Unassigned lead becomes Pending; a lead losing its owner becomes Unassigned when it was
    being worked. Refuses inactive owners and closed leads. The new owner is notified (in the
    app and by email) unless they assigned it to themselves or ``notify`` is False (bulk
    loads such as demo seeding). When the owner changed, what follows an owner change runs
    in the same transaction (``leads.services.ownership.leads_owner_changed`` with ``via``,
    the path: SOP tasks, open tasks, and the hooks, e.g. routing a lead whose owner a person
    cleared); ``batched=True`` leaves that to a caller that changes many leads and then calls
    it once for all of them (bulk actions).
    """
    if owner is not None and not owner.is_active:
        raise LeadError(_("%(name)s is deactivated.") % {"name": owner}, field="owner")
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.status in (S.CONVERTED, S.VOID):
            raise LeadError(_("A converted or void lead cannot be reassigned."))
        if locked.owner_id == (owner.pk if owner else None):
            return locked
        now = timezone.now()
        locked.owner = owner
        locked.assigned_at = now if owner else None
        locked.timed_out_at = None  # a new holder (or none): the clock starts again
        if owner and locked.status == S.UNASSIGNED:
            locked.status, locked.status_changed_at = S.PENDING, now
        elif owner is None and locked.status in (S.PENDING, S.FOLLOWING_UP, S.NURTURE):
            locked.status, locked.status_changed_at = S.UNASSIGNED, now
        locked._history_user = actor
        locked._change_reason = reason or "assigned"
        locked.save()
        if not batched:
            leads_owner_changed(lead_ids=[locked.pk], owner=owner, actor=actor, via=via)
        if notify and owner is not None and owner.pk != getattr(actor, "pk", None):
            lead_assigned_notify(owner=owner, lead=locked, actor=actor)
    return locked


def lead_assigned_notify(
    *,
    owner: User,
    lead: Lead,
    count: int = 1,
    actor: User | None = None,
    routed: bool = False,
    imported_from: str = "",
) -> Notification | None:
    """Tell ``owner`` that leads are now theirs ("New lead for you"), in the app and by email.

    The one composition of that notice, whichever way leads changed hands (a person assigned
    them, the assignment rules routed them, a bulk action or an import gave them). ``lead`` is
    the lead they got, or the first of ``count``. Guarantees:

    1. title and body are stored as texts that read in the reader's language (and are
       emailed in the owner's), never in the language of whoever happened to trigger it;
    2. one lead: "New lead for you: <lead>", linking to the lead; several: "<n> new leads for
       you", linking to the owner's leads, newest first;
    3. the body says who gave them: ``imported_from`` (an import's source), else ``routed``
       (the assignment rules), else ``actor`` (a person);
    4. sent once per handover: the key is the first lead and its assignment time, so a
       retried job never notifies twice.
    Deciding *whether* to notify (not for leads one took oneself) stays with the caller.
    """
    from leadcrm.notifications.models import Notification
    from leadcrm.notifications.services import notification_send
    from leadcrm.notifications.texts import text

    if count == 1:
        title = text("leads.assigned_one", lead=str(lead))
    else:
        title = text("leads.assigned_many", count=count)
    if imported_from:
        body = text("leads.assigned_imported", source=imported_from)
    elif routed:
        body = text("leads.assigned_routed")
    elif actor is not None:
        body = text("leads.assigned_by", actor=str(actor))
    else:
        body = ""
    if count == 1:
        url = reverse("leads-detail", kwargs={"uuid": lead.uuid})
    else:
        url = reverse("leads-index") + "?scene=mine&sort=created"
    handed_at = f"{lead.assigned_at:%Y%m%d%H%M%S%f}" if lead.assigned_at else ""
    return notification_send(
        recipient=owner,
        kind=Notification.Kind.LEAD_ASSIGNED,
        title=title,
        body=body,
        url=url,
        email=True,
        dedup_key=f"assigned:{lead.uuid}:{owner.uuid}:{handed_at}",
    )


def lead_change_status(
    *,
    lead: Lead,
    to_status: str,
    actor: User,
    loss_reason: LossReason | None = None,
    note: str = "",
) -> Lead:
    """Move a lead to another status, if the lifecycle allows it.

    Lost needs a loss reason. Converted is only reachable through the conversion service and
    Void is left only by lead_restore. Raises IllegalTransitionError with a clear message.
    """
    if to_status not in S.values:
        raise LeadError(_("Unknown status."), field="status")
    if to_status == S.CONVERTED:
        raise IllegalTransitionError(_("Use Convert to turn a qualified lead into a customer."))
    if to_status == S.LOST and loss_reason is None:
        raise LeadError(_("Choose why the lead was lost."), field="loss_reason")
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        _check_transition(locked.status, to_status)
        if to_status == S.PENDING and locked.owner_id is None:
            to_status = S.UNASSIGNED
        if to_status == S.QUALIFIED:
            _check_bant(locked)
        if to_status in (S.FOLLOWING_UP, S.QUALIFIED) and locked.owner_id is None:
            raise LeadError(_("Assign the lead to someone first."), field="status")
        locked.status = to_status
        locked.status_changed_at = timezone.now()
        if to_status not in (S.PENDING, S.FOLLOWING_UP, S.NURTURE):
            locked.timed_out_at = None  # qualified or closed: no longer reclaimed
        locked.loss_reason = loss_reason if to_status == S.LOST else None
        locked.status_note = note.strip()[:500]
        locked._history_user = actor
        locked.save()
        _after_change(locked.pk)
    return locked


#: Statuses from which a lead may be converted (by lead_mark_converted only).
CONVERTIBLE = (S.PENDING, S.FOLLOWING_UP, S.QUALIFIED, S.INVALID)


def lead_mark_converted(*, lead: Lead, actor: User, at) -> Lead:
    """Mark ``lead`` converted at ``at``: the one way into Converted, called by the conversion
    service inside its transaction, on a lead it has locked (select_for_update).

    The lead also reaches the funnel's last stage (a stage change is recorded, for dwell
    times). Raises IllegalTransitionError when the lead is merged into another or not in a
    convertible status. The change is kept in the lead's history under ``actor``."""
    if lead.merged_into_id is not None:
        raise IllegalTransitionError(
            _("A merged lead cannot be converted; convert the lead it was merged into.")
        )
    if lead.status == S.CONVERTED:
        raise IllegalTransitionError(_("This lead is already converted."))
    if lead.status not in CONVERTIBLE:
        raise IllegalTransitionError(
            _("A lead that is %(status)s cannot be converted.")
            % {"status": lead.get_status_display()}
        )
    lead.status = S.CONVERTED
    lead.status_changed_at = at
    lead.converted_at = at
    lead.loss_reason = None
    lead.timed_out_at = None
    last = Stage.objects.filter(is_active=True).order_by("position", "name").last()
    if last is not None and lead.stage_id != last.pk:
        # Converting completes the funnel: the stage history gets its last step too.
        LeadStageChange.objects.create(
            lead=lead, from_stage_id=lead.stage_id, to_stage=last, changed_by=actor, changed_at=at
        )
        lead.stage, lead.stage_changed_at = last, at
    lead._history_user = actor
    lead.save(
        update_fields=[
            "status", "status_changed_at", "converted_at", "loss_reason", "stage",
            "stage_changed_at", "timed_out_at", "updated_at",
        ]
    )  # fmt: skip
    return lead


BANT_LABELS = {
    "bant_budget": _lazy("budget"),
    "bant_authority": _lazy("decision-maker"),
    "bant_need": _lazy("need"),
    "bant_timeline": _lazy("timeline"),
}


def _check_bant(lead: Lead) -> None:
    """Refuse Qualified while the tenant requires a complete BANT checklist and it is not."""
    if not LeadSettings.load().require_bant_for_qualified:
        return
    missing = [str(label) for field, label in BANT_LABELS.items() if not getattr(lead, field)]
    if missing:
        raise LeadError(
            _("Complete the BANT checklist before Qualified; missing: %(items)s.")
            % {"items": ", ".join(missing)},
            field="status",
        )


def lead_bant_update(
    *, lead: Lead, actor: User, budget: bool, authority: bool, need: bool, timeline: bool
) -> Lead:
    """Tick or untick the BANT qualification items; each change is kept in the history."""
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        values = {
            "bant_budget": budget,
            "bant_authority": authority,
            "bant_need": need,
            "bant_timeline": timeline,
        }
        changed = [f for f, v in values.items() if getattr(locked, f) != v]
        if not changed:
            return locked
        for field in changed:
            setattr(locked, field, values[field])
        locked._history_user = actor
        locked.save(update_fields=[*changed, "updated_at"])
        _after_change(locked.pk)
    return locked


def lead_restore(*, lead: Lead, actor: User) -> Lead:
    """Bring a void lead back (tenant admins only): to Pending with an owner, else Unassigned."""
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins can restore void leads."))
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.status != S.VOID:
            raise IllegalTransitionError(_("Only void leads can be restored."))
        locked.status = S.PENDING if locked.owner_id else S.UNASSIGNED
        locked.status_changed_at = timezone.now()
        locked._history_user = actor
        locked._change_reason = "restored"
        locked.save()
    return locked


def _check_transition(current: str, to_status: str) -> None:
    if to_status == current:
        raise IllegalTransitionError(_("The lead already has this status."))
    if to_status not in TRANSITIONS.get(current, set()):
        labels = dict(S.choices)
        raise IllegalTransitionError(
            _("A lead cannot go from %(from)s to %(to)s.")
            % {"from": labels[current], "to": labels[to_status]}
        )


def lead_change_stage(*, lead: Lead, stage: Stage, actor: User) -> Lead:
    """Move the lead to a funnel stage and record when (for dwell time per stage)."""
    if not stage.is_active:
        raise LeadError(_("This stage is no longer used."), field="stage")
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.status in (S.CONVERTED, S.VOID):
            raise LeadError(_("A converted or void lead keeps its stage."))
        if locked.stage_id == stage.pk:
            return locked
        now = timezone.now()
        LeadStageChange.objects.create(
            lead=locked, from_stage=locked.stage, to_stage=stage, changed_by=actor, changed_at=now
        )
        locked.stage, locked.stage_changed_at = stage, now
        locked._history_user = actor
        locked.save()
        sop_followups_create(lead=locked, stage=stage, actor=actor)
        _after_change(locked.pk)
    return locked


def activity_log(
    *,
    lead: Lead,
    actor: User,
    kind: str,
    body: str = "",
    subject: str = "",
    outcome: str = "",
    duration_minutes: int | None = None,
    occurred_at: datetime | None = None,
    next_follow_up_at: datetime | None = None,
    recording=None,
) -> Activity:
    """Log a call, email, meeting or note on a lead.

    Updates the lead's last activity (and first follow-up); a Pending lead moves to Following
    up; ``next_follow_up_at`` sets when the next touch is due; a call may carry its
    ``recording`` (an audio file, at most RECORDING_MAX_BYTES). One transaction.
    """
    if kind not in Activity.Kind.values:
        raise LeadError(_("Unknown activity type."), field="kind")
    if outcome and outcome not in Activity.CallOutcome.values:
        raise LeadError(_("Unknown call outcome."), field="outcome")
    if kind == Activity.Kind.NOTE and not body.strip():
        raise LeadError(_("Write the note."), field="body")
    if recording is not None:
        _check_recording(recording, kind)
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timezone.timedelta(minutes=5):
        raise LeadError(_("An activity cannot be logged in the future."), field="occurred_at")
    if not year_within(occurred_at, DATE_YEARS):
        raise LeadError(_("Check the date: the year is not plausible."), field="occurred_at")
    if next_follow_up_at is not None and not year_within(next_follow_up_at, DUE_YEARS):
        raise LeadError(
            _("Choose a follow-up date between %(first)d and %(last)d.")
            % {"first": DUE_YEARS[0], "last": DUE_YEARS[1]},
            field="next_follow_up_at",
        )
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.status == S.VOID:
            raise LeadChangedError(_("This lead is void."))
        activity = Activity.objects.create(
            lead=locked,
            kind=kind,
            body=body.strip(),
            subject=subject.strip(),
            outcome=outcome if kind == Activity.Kind.CALL else "",
            duration_minutes=duration_minutes,
            occurred_at=occurred_at,
            created_by=actor,
            recording=recording or "",
        )
        locked.last_activity_at = max(filter(None, [locked.last_activity_at, occurred_at]))
        locked.timed_out_at = None  # touched: no longer timed out (pools' reclaim job)
        # A note is internal; calls, emails and meetings are follow-ups with the lead.
        if kind != Activity.Kind.NOTE and locked.first_follow_up_at is None:
            locked.first_follow_up_at = occurred_at
        if kind != Activity.Kind.NOTE and locked.status == S.PENDING:
            locked.status, locked.status_changed_at = S.FOLLOWING_UP, now
        if next_follow_up_at is not None:
            locked.next_follow_up_at = next_follow_up_at
        locked._history_user = actor
        locked._change_reason = f"{kind} logged"
        locked.save()
        _after_change(locked.pk)
    return activity


RECORDING_MAX_BYTES = 25 * 1024 * 1024
RECORDING_EXTENSIONS = {".mp3", ".m4a", ".wav", ".amr", ".ogg", ".oga", ".webm", ".aac"}


def _check_recording(recording, kind: str) -> None:
    import os

    if kind != Activity.Kind.CALL:
        raise LeadError(_("Only calls have recordings."), field="recording")
    extension = os.path.splitext(recording.name or "")[1].lower()
    if extension not in RECORDING_EXTENSIONS:
        raise LeadError(
            _("Upload an audio file (%(types)s).")
            % {"types": ", ".join(sorted(RECORDING_EXTENSIONS))},
            field="recording",
        )
    if recording.size > RECORDING_MAX_BYTES:
        raise LeadError(_("A recording may be at most 25 MB."), field="recording")
