"""Converting a lead: the one transactional step from a lead to a customer, a contact and an
opportunity."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from conversion.custom_fields import custom_fit
from conversion.errors import AlreadyConvertedError, ConversionError, DuplicateError
from conversion.mapping import mapped_values, mapping_effective
from conversion.models import (
    Contact,
    Conversion,
    ConversionSettings,
    Customer,
    Opportunity,
    OpportunityStage,
)
from conversion.selectors import contacts_visible_to, customers_visible_to
from conversion.services.customers import (
    contact_duplicate,
    contact_keys,
    customer_create,
    customer_match,
)
from conversion.services.records import (
    amount_parse,
    close_date_parse,
    opportunity_name_check,
    stage_parse,
)
from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import Lead, Task
from leads.selectors import lead_can_write, lead_contacts_masked, lead_is_administered_by
from leads.services.followups import lead_followups_cancel
from leads.services.lead import CONVERTIBLE, lead_mark_converted

NAME_MAX = 200


@dataclass
class ConvertRequest:
    """What the person chose in the wizard (or sent to the API). Empty means "the default":
    link the matching customer or create one from the lead; create a contact; no opportunity.
    """

    #: Link this existing customer instead of creating one.
    customer: Customer | None = None
    #: Create a new customer with these values (over the mapped ones), even when the tenant's
    #: duplicate check finds one with the same name (then refused: link that one instead).
    new_customer: dict | None = None
    #: Link this existing contact of the customer instead of creating one.
    contact: Contact | None = None
    create_contact: bool = True
    contact_values: dict = field(default_factory=dict)
    #: Create an opportunity with these values (name, amount, currency, expected_close_date,
    #: stage); None: no opportunity.
    opportunity: dict | None = None


def lead_may_convert(user: User, lead: Lead) -> bool:
    """The owner, the owner's managers, read-write members and shares, tenant admins (all
    through lead_can_write) and the admins of the lead's pool."""
    return lead_can_write(user, lead) or lead_is_administered_by(user, lead)


def lead_convert(*, lead: Lead, actor: User, request: ConvertRequest | None = None) -> Conversion:
    """Convert ``lead`` into a customer (created or linked), optionally a contact and an
    opportunity, and mark it Converted.

    All or nothing: one transaction; any refusal (ConversionError: a duplicate contact or
    opportunity, a customer the actor may not see, a masked contact) or database error leaves
    no record and no status change behind. Exactly once: the lead's row is locked first, so of
    two people converting the same lead at the same moment the second waits and is then told
    who converted it (AlreadyConvertedError); a retried request gets the same answer.

    1. lock the lead; refuse if already converted, merged, not convertible, not allowed,
       or its contacts are masked for the actor
    2. the customer: the one chosen (visible to the actor), or a new one from the mapping
       (refused when the duplicate check finds one with the same company name)
    3. the contact: the one chosen (of that customer) or a new one (refused when the same
       e-mail or mobile already exists under the customer and the check is on)
    4. the opportunity, if asked (refused when the customer already has one of that name and
       the check is on)
    5. open follow-ups: kept (they show on the customer) or cancelled, by the tenant's setting
    6. the lead is marked Converted (leads.services.lead.lead_mark_converted) and the
       conversion recorded

    Mapped custom data is kept only where it fits the record's custom fields (a value that
    does not is left out of the record and stays on the lead, never a refusal; required
    record fields are not asked for): conversion.custom_fields.custom_fit.
    """
    request = request or ConvertRequest()
    settings_row = ConversionSettings.load()
    mapping = mapping_effective(settings_row.field_mapping)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        _check_convertible(locked, actor)
        now = timezone.now()
        customer, customer_created = _customer(locked, actor, request, settings_row, mapping)
        contact, contact_created = _contact(locked, actor, request, settings_row, mapping, customer)
        opportunity = _opportunity(locked, actor, request, settings_row, mapping, customer, contact)
        closed = 0
        if settings_row.open_followups == ConversionSettings.Followups.CLOSE:
            closed = lead_followups_cancel(lead=locked, actor=actor)
        try:
            lead_mark_converted(lead=locked, actor=actor, at=now)
        except LeadError as exc:
            raise ConversionError(exc.message) from exc
        return Conversion.objects.create(
            lead=locked,
            customer=customer,
            contact=contact,
            opportunity=opportunity,
            customer_created=customer_created,
            contact_created=contact_created,
            converted_by=actor,
            converted_at=now,
            followups_closed=closed,
        )


def _check_convertible(lead: Lead, actor: User) -> None:
    done = Conversion.objects.filter(lead=lead).select_related("converted_by").first()
    if done is not None:
        who = done.converted_by.full_name if done.converted_by else _("someone")
        raise AlreadyConvertedError(
            _("This lead was already converted by %(name)s on %(date)s.")
            % {"name": who, "date": date_format(timezone.localtime(done.converted_at))},
            existing=done,
        )
    if lead.merged_into_id is not None:
        raise ConversionError(
            _("This lead was merged into another; convert the lead it was merged into.")
        )
    if lead.status not in CONVERTIBLE:
        raise ConversionError(
            _("A lead that is %(status)s cannot be converted.")
            % {"status": lead.get_status_display()}
        )
    if not lead_may_convert(actor, lead):
        raise ConversionError(_("You may not convert this lead."))
    if lead_contacts_masked(user=actor, lead=lead):
        raise ConversionError(
            _("Claim the lead before converting it: its contacts are hidden from you.")
        )


def _customer(lead, actor, request, settings_row, mapping) -> tuple[Customer, bool]:
    if request.customer is not None:
        customer = customers_visible_to(actor).filter(pk=request.customer.pk).first()
        if customer is None:
            raise ConversionError(_("Choose a customer you can open."), field="customer")
        return customer, False
    values, custom = mapped_values(lead, mapping["customer"])
    custom = custom_fit(record="customer", data=custom)
    values.setdefault("name", lead.company or lead.name)
    values.update({k: v for k, v in (request.new_customer or {}).items() if v not in (None,)})
    if settings_row.customer_duplicate_check:
        match = customer_match(name=values.get("name", ""))
        if match is not None:
            if customers_visible_to(actor).filter(pk=match.pk).exists():
                if request.new_customer is None:
                    return match, False  # the default: link the customer that exists
                raise DuplicateError(
                    _("The customer %(name)s already exists: link it instead.")
                    % {"name": match.name},
                    field="customer_name",
                    existing=match,
                )
            raise DuplicateError(
                _(
                    "A customer with this name already exists and belongs to someone else: "
                    "ask its owner or an admin to give you access."
                ),
                field="customer_name",
            )
    owner = lead.owner or actor
    try:
        customer = customer_create(
            actor=actor,
            owner=owner,
            values=values,
            custom=custom,
            owner_checked=True,
            custom_fitted=True,
        )
    except ConversionError as exc:
        if exc.field == "name":  # the wizard's field for the new customer's name
            exc.field = "customer_name"
        raise
    return customer, True


def _contact(lead, actor, request, settings_row, mapping, customer) -> tuple[Contact | None, bool]:
    if request.contact is not None:
        contact = (
            contacts_visible_to(actor).filter(pk=request.contact.pk, customer=customer).first()
        )
        if contact is None:
            raise ConversionError(_("Choose a contact of this customer."), field="contact")
        return contact, False
    if not request.create_contact:
        return None, False
    values, custom = mapped_values(lead, mapping["contact"])
    custom = custom_fit(record="contact", data=custom)
    values.update({k: v for k, v in request.contact_values.items() if v is not None})
    values = {k: str(v).strip() for k, v in values.items()}
    if not values.get("name"):
        raise ConversionError(_("The contact needs a name."), field="contact_name")
    email_key, mobile_key = contact_keys(values, lead.country)
    if settings_row.contact_duplicate_check:
        existing = contact_duplicate(customer, email_key, mobile_key)
        if existing is not None:
            raise DuplicateError(
                _(
                    "%(name)s is already a contact of %(customer)s with the same e-mail or "
                    "mobile: link that contact instead."
                )
                % {"name": existing.name, "customer": customer.name},
                field="contact",
                existing=existing,
            )
    contact = Contact(
        customer=customer,
        owner=lead.owner or actor,
        created_by=actor,
        email_key=email_key,
        mobile_key=mobile_key,
        custom_data=custom,
        **{k: v[: _max_length(Contact, k)] for k, v in values.items()},
    )
    contact._history_user = actor
    contact.save()
    return contact, True


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length or 10_000


def _opportunity(lead, actor, request, settings_row, mapping, customer, contact):
    if request.opportunity is None:
        return None
    values, custom = mapped_values(lead, mapping["opportunity"])
    custom = custom_fit(record="opportunity", data=custom)
    given = request.opportunity
    name = (given.get("name") or values.get("name") or "").strip()[:NAME_MAX]
    if not name:
        raise ConversionError(_("The opportunity needs a name."), field="opportunity_name")
    opportunity_name_check(customer=customer, name=name)
    stage = stage_parse(given.get("stage"))
    amount = amount_parse(given.get("amount", values.get("amount")))
    currency = (given.get("currency") or settings_row.default_currency or "CNY").upper()[:3]
    opportunity = Opportunity(
        customer=customer,
        contact=contact,
        name=name,
        amount=amount,
        currency=currency,
        expected_close_date=close_date_parse(given.get("expected_close_date")),
        stage=stage,
        probability=stage.probability,
        owner=lead.owner or actor,
        created_by=actor,
        notes=str(values.get("notes", ""))[:5000],
        custom_data=custom,
        closed_at=timezone.now() if stage.outcome != OpportunityStage.Outcome.OPEN else None,
    )
    opportunity._history_user = actor
    opportunity.save()
    return opportunity


def lead_open_followups_count(lead: Lead) -> int:
    return Task.objects.filter(lead=lead, status=Task.Status.OPEN).count()
