"""Changing customers, contacts and opportunities after they exist: creating, editing and
moving an opportunity through the pipeline, the pipeline itself, and the conversion settings.

The opportunity's value rules (amount, close date, stage, currency, the name unique under a
customer) live here once; lead_convert uses them too."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from conversion.custom_fields import custom_clean, custom_merge
from conversion.errors import ConversionError, DuplicateError
from conversion.models import (
    Contact,
    ConversionSettings,
    Customer,
    Opportunity,
    OpportunityStage,
)
from conversion.selectors import (
    contacts_visible_to,
    customers_visible_to,
    opportunity_can_write,
)
from leadcrm.accounts.models import User
from leadcrm.parsing import uuid_or_none
from leads.models import LossReason
from leads.selectors import owners_assignable_by

NAME_MAX = 200
NOTES_MAX = 5000

#: The pipeline a new workspace starts with (migration 0002 holds a frozen copy).
DEFAULT_STAGES = [
    (gettext_noop("Discovery"), 10, OpportunityStage.Outcome.OPEN),
    (gettext_noop("Proposal"), 40, OpportunityStage.Outcome.OPEN),
    (gettext_noop("Negotiation"), 70, OpportunityStage.Outcome.OPEN),
    (gettext_noop("Won"), 100, OpportunityStage.Outcome.WON),
    (gettext_noop("Lost"), 0, OpportunityStage.Outcome.LOST),
]


def stages_localise(language: str) -> int:
    """Rename the starting stages into ``language`` (renamed ones are left alone)."""
    renamed = 0
    with translation.override(language):
        for english, _probability, _outcome in DEFAULT_STAGES:
            local = gettext(english)
            if local != english:
                renamed += OpportunityStage.objects.filter(name=english).update(name=local)
    return renamed


def stages_localise_on_create(sender, tenant, **kwargs) -> None:
    """Receiver of leadcrm.tenancy.signals.tenant_created."""
    if tenant.default_language and not tenant.default_language.startswith("en"):
        stages_localise(tenant.default_language)


def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: OpportunityStage,
    actor: User,
    loss_reason: LossReason | None = None,
) -> Opportunity:
    """Move an opportunity to ``stage`` (its probability follows the stage). A lost stage needs
    a loss reason; reaching won or lost sets ``closed_at``, reopening clears it. Row-locked, so
    two people dragging the same card leave it where the last one put it, consistently."""
    if not stage.is_active:
        raise ConversionError(_("Choose an active stage."), field="stage")
    if stage.outcome == OpportunityStage.Outcome.LOST and loss_reason is None:
        raise ConversionError(_("Choose why the opportunity was lost."), field="loss_reason")
    with transaction.atomic():
        locked = (
            Opportunity.objects.select_for_update()
            .select_related("customer")
            .get(pk=opportunity.pk)
        )
        if not opportunity_can_write(actor, locked):
            raise ConversionError(_("You may not change this opportunity."))
        locked.stage = stage
        locked.probability = stage.probability
        locked.loss_reason = loss_reason if stage.outcome == OpportunityStage.Outcome.LOST else None
        closed = stage.outcome != OpportunityStage.Outcome.OPEN
        locked.closed_at = (locked.closed_at or timezone.now()) if closed else None
        locked._history_user = actor
        locked.save()
    return locked


def amount_parse(raw) -> Decimal:
    """An amount typed by a person ("128,000.50"): 0 when empty; refused when not a number,
    negative or 10^12 and over."""
    if raw in (None, ""):
        return Decimal(0)
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise ConversionError(_("Enter the amount as a number."), field="amount") from None
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** 12:
        raise ConversionError(_("Enter an amount between 0 and 999,999,999,999."), field="amount")
    return value.quantize(Decimal("0.01"))


def close_date_parse(raw) -> date | None:
    """An expected close date (a date or YYYY-MM-DD) between the years 2000 and 2100."""
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ConversionError(
                _("Enter the close date as YYYY-MM-DD."), field="expected_close_date"
            ) from None
    if not 2000 <= value.year <= 2100:
        raise ConversionError(
            _("Enter a close date between the years 2000 and 2100."), field="expected_close_date"
        )
    return value


def stage_parse(raw) -> OpportunityStage:
    """An active stage (a stage or its uuid); empty: the first open stage of the pipeline."""
    stages = OpportunityStage.objects.filter(is_active=True)
    if isinstance(raw, OpportunityStage):
        stage = stages.filter(pk=raw.pk).first()
    elif raw:
        found = uuid_or_none(raw)
        stage = stages.filter(uuid=found).first() if found else None
    else:
        stage = stages.filter(outcome=OpportunityStage.Outcome.OPEN).order_by("position").first()
    if stage is None:
        raise ConversionError(_("Choose a stage of the pipeline."), field="stage")
    return stage


_CURRENCY = re.compile(r"[A-Z]{3}")


def currency_parse(raw, *, default: str = "") -> str:
    """A three-letter currency code (ISO 4217 form, upper-cased); empty: ``default`` or the
    tenant's default currency."""
    value = str(raw or "").strip().upper()
    if not value:
        return default or ConversionSettings.load().default_currency or "CNY"
    if not _CURRENCY.fullmatch(value):
        raise ConversionError(
            _("Enter the currency as a three-letter code such as CNY or USD."), field="currency"
        )
    return value


def probability_parse(raw) -> int | None:
    """A win probability from 0 to 100; None when empty (the stage's then applies)."""
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip().rstrip("%").strip())
    except ValueError:
        raise ConversionError(
            _("Enter the probability as a whole number from 0 to 100."), field="probability"
        ) from None
    if not 0 <= value <= 100:
        raise ConversionError(
            _("Enter the probability as a whole number from 0 to 100."), field="probability"
        )
    return value


def opportunity_name_check(*, customer: Customer, name: str, exclude: Opportunity | None = None):
    """Refuse (DuplicateError) a name the customer already has, ignoring case, when the
    tenant's opportunity_name_unique rule is on."""
    if not ConversionSettings.load().opportunity_name_unique:
        return
    same = customer.opportunities.filter(name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise DuplicateError(
            _("%(customer)s already has an opportunity called %(name)s.")
            % {"customer": customer.name, "name": name},
            field="opportunity_name",
            existing=same.first(),
        )


def _name(raw) -> str:
    name = str(raw or "").strip()[:NAME_MAX]
    if not name:
        raise ConversionError(_("The opportunity needs a name."), field="opportunity_name")
    return name


def _loss_reason(stage: OpportunityStage, loss_reason: LossReason | None) -> LossReason | None:
    if stage.outcome != OpportunityStage.Outcome.LOST:
        return None
    if loss_reason is None:
        raise ConversionError(_("Choose why the opportunity was lost."), field="loss_reason")
    return loss_reason


def _contact_of(customer: Customer, contact: Contact | None, actor: User) -> Contact | None:
    if contact is None:
        return None
    if not contacts_visible_to(actor).filter(pk=contact.pk, customer=customer).exists():
        raise ConversionError(_("Choose a contact of this customer."), field="contact")
    return contact


def opportunity_create(
    *,
    actor: User,
    customer: Customer,
    name: str,
    amount,
    currency: str,
    expected_close_date,
    stage,
    contact: Contact | None = None,
    owner: User | None = None,
    notes: str = "",
    probability=None,
    loss_reason: LossReason | None = None,
    custom: dict | None = None,
) -> Opportunity:
    """Create an opportunity under ``customer``, which ``actor`` must be able to see.
    ``custom`` ({key: raw}) is checked against the opportunity's custom fields, required ones
    included (ConversionError, field "cf_<key>").

    Refused (ConversionError, with the field) for an empty name, a name the customer already
    has (the tenant's opportunity_name_unique rule, ignoring case), an amount, date, currency
    or probability out of range, an inactive stage, a lost stage without a loss reason, a
    contact of another customer, an owner ``actor`` may not hand work to. The probability
    follows the stage unless given; a won or lost stage sets ``closed_at``."""
    if not customers_visible_to(actor).filter(pk=customer.pk).exists():
        raise ConversionError(_("Choose a customer you can open."), field="customer")
    name = _name(name)
    stage = stage_parse(stage)
    owner = owner or actor
    if owner != actor and not owners_assignable_by(actor).filter(pk=owner.pk).exists():
        raise ConversionError(_("You can give opportunities only to yourself or your team."))
    values = {
        "amount": amount_parse(amount),
        "currency": currency_parse(currency),
        "expected_close_date": close_date_parse(expected_close_date),
        "contact": _contact_of(customer, contact, actor),
        "loss_reason": _loss_reason(stage, loss_reason),
    }
    chosen = probability_parse(probability)
    custom = custom_clean(record="opportunity", data=custom or {}, partial=False)
    with transaction.atomic():
        # The customer's row serialises two people adding the same name at once.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        opportunity_name_check(customer=customer, name=name)
        opportunity = Opportunity(
            customer=customer,
            name=name,
            stage=stage,
            probability=stage.probability if chosen is None else chosen,
            owner=owner,
            created_by=actor,
            notes=str(notes or "")[:NOTES_MAX],
            closed_at=timezone.now() if stage.outcome != OpportunityStage.Outcome.OPEN else None,
            custom_data=custom,
            **values,
        )
        opportunity._history_user = actor
        opportunity.save()
    return opportunity


def opportunity_update(
    *,
    opportunity: Opportunity,
    actor: User,
    name: str,
    amount,
    currency: str,
    expected_close_date,
    stage,
    contact: Contact | None = None,
    owner: User | None = None,
    notes: str = "",
    probability=None,
    loss_reason: LossReason | None = None,
    custom: dict | None = None,
) -> Opportunity:
    """Change an opportunity's values (the same rules as opportunity_create; ``custom``, None
    for unchanged, sets the custom fields given and keeps the other keys).

    1. check the values (a stage may stay the inactive one it is in)
    2. lock the row, refuse if ``actor`` may not write it (opportunity_can_write)
    3. the name stays unique under the customer (itself excepted)
    4. probability: the one given, else the stage's; closed_at set on reaching won or lost
       (kept if it was already closed), cleared on reopening
    Never a read-then-save: the values are applied to the locked row."""
    name = _name(name)
    if isinstance(stage, OpportunityStage) and stage.pk == opportunity.stage_id:
        pass
    else:
        stage = stage_parse(stage)
    chosen = probability_parse(probability)
    parsed = {
        "amount": amount_parse(amount),
        "currency": currency_parse(currency, default=opportunity.currency),
        "expected_close_date": close_date_parse(expected_close_date),
        "loss_reason": _loss_reason(stage, loss_reason),
    }
    cleaned_custom = None
    if custom is not None:
        cleaned_custom = custom_clean(record="opportunity", data=custom, partial=True)
    with transaction.atomic():
        locked = (
            Opportunity.objects.select_for_update()
            .select_related("customer")
            .get(pk=opportunity.pk)
        )
        if not opportunity_can_write(actor, locked):
            raise ConversionError(_("You may not change this opportunity."))
        owner = owner or locked.owner or actor
        if (
            owner.pk != locked.owner_id
            and owner != actor
            and not owners_assignable_by(actor).filter(pk=owner.pk).exists()
        ):
            raise ConversionError(_("You can give opportunities only to yourself or your team."))
        opportunity_name_check(customer=locked.customer, name=name, exclude=locked)
        closed = stage.outcome != OpportunityStage.Outcome.OPEN
        for field, value in parsed.items():
            setattr(locked, field, value)
        locked.name = name
        locked.stage = stage
        locked.probability = stage.probability if chosen is None else chosen
        locked.contact = _contact_of(locked.customer, contact, actor)
        locked.owner = owner
        locked.notes = str(notes or "")[:NOTES_MAX]
        locked.closed_at = (locked.closed_at or timezone.now()) if closed else None
        if cleaned_custom is not None:
            locked.custom_data = custom_merge(locked.custom_data, cleaned_custom, set(custom))
        locked._history_user = actor
        locked.save()
    return locked
