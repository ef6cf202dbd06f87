"""Customers and contacts by hand: creating and changing them, the duplicate checks they share
with lead_convert, and the log of calls, e-mails, meetings and notes on a customer.

The reads their pages need (the lists, the timeline) are at the end of this module; they
decide nothing and belong with conversion.selectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from conversion.custom_fields import custom_clean, custom_merge
from conversion.errors import ConversionError, DuplicateError
from conversion.models import (
    Contact,
    ConversionSettings,
    Customer,
    CustomerActivity,
    Opportunity,
    OpportunityStage,
)
from conversion.selectors import (
    contacts_visible_to,
    customer_can_write,
    customers_visible_to,
)
from leadcrm.accounts.models import User
from leadcrm.parsing import uuid_or_none
from leads.identity.keys import keys_for
from leads.identity.normalize import company_key
from leads.models import Activity, Comment, Lead, Task, default_region
from leads.selectors import leads_visible_to, owner_ids_visible_to, owners_assignable_by
from leads.services.attachments import attachments_of_leads

NAME_MAX = 200
#: What a person may change on a customer page (custom_data is carried over from leads).
CUSTOMER_FIELDS = (
    "name",
    "industry",
    "website",
    "phone",
    "country",
    "region",
    "city",
    "address",
    "notes",
)
CONTACT_FIELDS = ("name", "job_title", "email", "phone", "mobile", "notes")
#: How far ahead an activity may be dated (a meeting planned for next month is fine).
ACTIVITY_AHEAD = timedelta(days=366)
ACTIVITY_EARLIEST = date(2000, 1, 1)


# --- Customers -----------------------------------------------------------------------------


def customer_match(*, name: str, exclude: Customer | None = None) -> Customer | None:
    """An existing customer whose normalised company name equals ``name``'s (the company key
    the lead duplicate check uses: legal forms, full-width characters, Chinese suffixes)."""
    key = company_key(name or "")[:200]
    if not key:
        return None
    found = Customer.objects.filter(name_key=key)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("created_at").first()


def _refuse_duplicate_name(*, name: str, actor: User, exclude: Customer | None = None) -> None:
    """With the tenant's customer duplicate check on, refuse a name whose company key matches
    another customer: named when the actor may see it, never hinted otherwise."""
    if not ConversionSettings.load().customer_duplicate_check:
        return
    match = customer_match(name=name, exclude=exclude)
    if match is None:
        return
    if customers_visible_to(actor).filter(pk=match.pk).exists():
        raise DuplicateError(
            _("The customer %(name)s already exists.") % {"name": match.name},
            field="name",
            existing=match,
        )
    raise DuplicateError(
        _(
            "A customer with this name already exists and belongs to someone else: "
            "ask its owner or an admin to give you access."
        ),
        field="name",
    )


def owner_assignable(*, actor: User, owner: User | None) -> bool:
    """May ``actor`` make ``owner`` the owner of a customer: themselves or someone they may
    assign leads to (leads.selectors.owners_assignable_by)."""
    if owner is None:
        return actor.is_tenant_admin
    return owner.pk == actor.pk or owners_assignable_by(actor).filter(pk=owner.pk).exists()


def _clean_name(raw) -> str:
    name = " ".join(str(raw or "").split())[:NAME_MAX]
    if not name:
        raise ConversionError(_("The customer needs a name."), field="name")
    return name


def customer_create(
    *,
    actor: User,
    owner: User | None,
    values: dict,
    custom: dict | None = None,
    owner_checked: bool = False,
    custom_fitted: bool = False,
) -> Customer:
    """Create a customer: a name is required; with the tenant's duplicate check on, a name
    whose company key matches another customer is refused (DuplicateError naming it when the
    actor may see it). The owner must be the actor or someone they may assign to, unless the
    caller chose it by its own rule (``owner_checked``: lead_convert gives the lead's owner).
    ``custom`` ({key: raw}) is checked against the customer's custom fields, required ones
    included (ConversionError, field "cf_<key>"), unless the caller fitted it already
    (``custom_fitted``: lead_convert keeps only the mapped values that fit)."""
    name = _clean_name(values.get("name"))
    if not custom_fitted:
        custom = custom_clean(record="customer", data=custom or {}, partial=False)
    if not owner_checked and not owner_assignable(actor=actor, owner=owner):
        raise ConversionError(
            _("You can give customers only to yourself or your team."), field="owner"
        )
    _refuse_duplicate_name(name=name, actor=actor)
    customer = Customer(
        name=name,
        name_key=company_key(name)[:200],
        owner=owner,
        created_by=actor,
        custom_data=custom or {},
        **{
            k: str(v).strip()[: _max_length(Customer, k)]
            for k, v in values.items()
            if k != "name" and v is not None
        },
    )
    customer._history_user = actor
    customer.save()
    return customer


def customer_update(
    *, customer: Customer, actor: User, custom: dict | None = None, **values
) -> Customer:
    """Change a customer's fields (CUSTOMER_FIELDS, and ``owner``). Row-locked: of two people
    saving at once the second waits and writes over the first, consistently, with both changes
    in the history. A rename is refused like a new customer when its company key matches
    another customer's (tenant's duplicate check on); an owner must be the actor or someone
    they may assign to; only someone who may write the customer may change it. ``custom``
    ({key: raw}, None for unchanged) sets the custom fields given (an empty required one is
    refused); other keys of the custom data stay as they are."""
    unknown = set(values) - set(CUSTOMER_FIELDS) - {"owner"}
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    cleaned_custom = None
    if custom is not None:
        cleaned_custom = custom_clean(record="customer", data=custom, partial=True)
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if not customer_can_write(actor, locked):
            raise ConversionError(_("You may not change this customer."))
        if "name" in values:
            name = _clean_name(values["name"])
            key = company_key(name)[:200]
            if key != locked.name_key:
                _refuse_duplicate_name(name=name, actor=actor, exclude=locked)
            locked.name, locked.name_key = name, key
        if "owner" in values and values["owner"] != locked.owner:
            if not owner_assignable(actor=actor, owner=values["owner"]):
                raise ConversionError(
                    _("You can give customers only to yourself or your team."), field="owner"
                )
            locked.owner = values["owner"]
        for field in CUSTOMER_FIELDS:
            if field != "name" and field in values:
                value = str(values[field] or "").strip()[: _max_length(Customer, field)]
                setattr(locked, field, value)
        if cleaned_custom is not None:
            locked.custom_data = custom_merge(locked.custom_data, cleaned_custom, set(custom))
        locked._history_user = actor
        locked.save()
    return locked


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length or 10_000


# --- Contacts ------------------------------------------------------------------------------


def contact_keys(values: dict, country: str) -> tuple[str, str]:
    """The e-mail and mobile duplicate keys of a contact (the lead identity keys)."""
    keys = keys_for(
        {"email": values.get("email", ""), "mobile": values.get("mobile", ""), "country": country},
        default_region(),
    )
    return keys["email_key"], keys["mobile_key"].split(";")[0]


def contact_duplicate(
    customer: Customer, email_key: str, mobile_key: str, *, exclude: Contact | None = None
) -> Contact | None:
    """A contact of ``customer`` with the same e-mail or mobile key."""
    same = Q(pk__in=[])
    if email_key:
        same |= Q(email_key=email_key)
    if mobile_key:
        same |= Q(mobile_key=mobile_key)
    found = customer.contacts.filter(same)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("created_at").first()


def _refuse_duplicate_contact(customer, email_key, mobile_key, exclude=None) -> None:
    if not ConversionSettings.load().contact_duplicate_check:
        return
    existing = contact_duplicate(customer, email_key, mobile_key, exclude=exclude)
    if existing is not None:
        raise DuplicateError(
            _("%(name)s is already a contact of %(customer)s with the same e-mail or mobile.")
            % {"name": existing.name, "customer": customer.name},
            field="email" if email_key and existing.email_key == email_key else "mobile",
            existing=existing,
        )


def contact_can_write(user: User, contact: Contact) -> bool:
    """Who may change a contact: who may write its customer, or its own owner's writers."""
    if customer_can_write(user, contact.customer):
        return True
    _readable, writable = owner_ids_visible_to(user)
    return contact.owner_id is not None and contact.owner_id in writable


def _contact_values(values: dict) -> dict:
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not contact fields: {sorted(unknown)}")
    cleaned = {k: str(v or "").strip()[: _max_length(Contact, k)] for k, v in values.items()}
    if "name" in cleaned and not cleaned["name"]:
        raise ConversionError(_("The contact needs a name."), field="name")
    return cleaned


def contact_create(
    *, customer: Customer, actor: User, custom: dict | None = None, **values
) -> Contact:
    """Add a contact to ``customer`` (CONTACT_FIELDS; a name is required), owned by the
    customer's owner. Only someone who may write the customer may; with the tenant's contact
    duplicate check on, the same e-mail or mobile as another contact of the customer is
    refused (DuplicateError naming that contact). The customer's row is locked, so two people
    adding the same person at once make one contact. ``custom`` ({key: raw}) is checked
    against the contact's custom fields, required ones included."""
    cleaned = _contact_values({"name": "", **values})
    custom = custom_clean(record="contact", data=custom or {}, partial=False)
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if not customer_can_write(actor, locked):
            raise ConversionError(_("You may not add contacts to this customer."))
        email_key, mobile_key = contact_keys(cleaned, locked.country)
        _refuse_duplicate_contact(locked, email_key, mobile_key)
        contact = Contact(
            customer=locked,
            owner=locked.owner or actor,
            created_by=actor,
            email_key=email_key,
            mobile_key=mobile_key,
            custom_data=custom,
            **cleaned,
        )
        contact._history_user = actor
        contact.save()
    return contact


def contact_update(
    *, contact: Contact, actor: User, custom: dict | None = None, **values
) -> Contact:
    """Change a contact's fields (CONTACT_FIELDS). Its keys are recomputed and the duplicate
    check applies as on creation (another contact of the customer with the same e-mail or
    mobile). The customer's row is locked first (the same lock as contact_create), then the
    contact's. ``custom`` as in customer_update (None: unchanged)."""
    cleaned = _contact_values(values)
    cleaned_custom = None
    if custom is not None:
        cleaned_custom = custom_clean(record="contact", data=custom, partial=True)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=contact.customer_id)
        locked = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
        if not contact_can_write(actor, locked):
            raise ConversionError(_("You may not change this contact."))
        for field, value in cleaned.items():
            setattr(locked, field, value)
        email_key, mobile_key = contact_keys(
            {"email": locked.email, "mobile": locked.mobile}, customer.country
        )
        if (email_key, mobile_key) != (locked.email_key, locked.mobile_key):
            _refuse_duplicate_contact(customer, email_key, mobile_key, exclude=locked)
        locked.email_key, locked.mobile_key = email_key, mobile_key
        if cleaned_custom is not None:
            locked.custom_data = custom_merge(locked.custom_data, cleaned_custom, set(custom))
        locked._history_user = actor
        locked.save()
    return locked


# --- Activity on a customer ----------------------------------------------------------------


def customer_activity_log(
    *,
    customer: Customer,
    actor: User,
    kind: str,
    body: str = "",
    at: datetime | None = None,
    contact: Contact | None = None,
) -> CustomerActivity:
    """Log a call, e-mail, meeting or note on a customer. ``at`` (default now) may not be
    before 2000 nor more than a year ahead; a note needs its text; the contact, if given, must
    be one of the customer's. Only someone who may write the customer may."""
    if kind not in CustomerActivity.Kind.values:
        raise ConversionError(_("Choose a call, an e-mail, a meeting or a note."), field="kind")
    body = (body or "").strip()[:10_000]
    if kind == CustomerActivity.Kind.NOTE and not body:
        raise ConversionError(_("Write the note."), field="body")
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if timezone.localtime(at).date() < ACTIVITY_EARLIEST or at > now + ACTIVITY_AHEAD:
        raise ConversionError(
            _("Enter a time between the year 2000 and one year from now."), field="at"
        )
    if contact is not None and contact.customer_id != customer.pk:
        raise ConversionError(_("Choose a contact of this customer."), field="contact")
    if not customer_can_write(actor, customer):
        raise ConversionError(_("You may not log activity on this customer."))
    return CustomerActivity.objects.create(
        customer=customer, contact=contact, kind=kind, body=body, at=at, created_by=actor
    )


# --- Reads for the pages -------------------------------------------------------------------


def _date_or_none(raw) -> date | None:
    """A date from the URL between the years 2000 and 2100; anything else is ignored."""
    try:
        value = date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None


CUSTOMER_SORTS = ("name", "newest", "opportunities", "amount")
CONTACT_SORTS = ("name", "newest", "customer")


@dataclass(frozen=True)
class ListFilters:
    """What a customer or contact list shows, parsed from the URL (bad values are ignored)."""

    q: str = ""
    owner: str = ""  # a user's uuid
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "name"
    #: Dates given in the URL that were not valid dates between 2000 and 2100.
    ignored_dates: bool = False

    @classmethod
    def from_query(cls, query, *, sorts=CUSTOMER_SORTS) -> ListFilters:
        raw_from, raw_to = query.get("created_from", ""), query.get("created_to", "")
        created_from, created_to = _date_or_none(raw_from), _date_or_none(raw_to)
        sort = query.get("sort", "name")
        return cls(
            q=" ".join(query.get("q", "").split())[:100],
            owner=str(uuid_or_none(query.get("owner")) or ""),
            created_from=created_from,
            created_to=created_to,
            sort=sort if sort in sorts else "name",
            ignored_dates=bool(
                (raw_from.strip() and created_from is None)
                or (raw_to.strip() and created_to is None)
            ),
        )


def owners_visible_to(user: User) -> QuerySet[User]:
    """The people whose customers ``user`` may see (the owner filter of the lists)."""
    people = User.objects.filter(is_active=True)
    if not user.is_tenant_admin:
        readable, _writable = owner_ids_visible_to(user)
        people = people.filter(pk__in=readable)
    return people.order_by("full_name")


def _narrow_common(records: QuerySet, *, user: User, filters: ListFilters) -> QuerySet:
    if filters.owner:
        records = records.filter(owner__in=owners_visible_to(user).filter(uuid=filters.owner))
    if filters.created_from:
        records = records.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        records = records.filter(created_at__date__lte=filters.created_to)
    return records


def customer_list(*, user: User, filters: ListFilters) -> QuerySet[Customer]:
    """The customers ``user`` may see, narrowed and sorted, with their contacts count and their
    open opportunities' count and amount (subqueries: one row per customer)."""
    open_opportunities = Opportunity.objects.filter(
        customer=OuterRef("pk"), stage__outcome=OpportunityStage.Outcome.OPEN
    ).values("customer")
    contacts = Contact.objects.filter(customer=OuterRef("pk")).values("customer")
    customers = _narrow_common(customers_visible_to(user), user=user, filters=filters).annotate(
        contacts_count=Coalesce(
            Subquery(contacts.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()
        ),
        open_count=Coalesce(
            Subquery(open_opportunities.annotate(n=Count("pk")).values("n")),
            0,
            output_field=IntegerField(),
        ),
        open_amount=Coalesce(
            Subquery(open_opportunities.annotate(total=Sum("amount")).values("total")),
            Decimal(0),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
    )
    if filters.q:
        q = filters.q
        customers = customers.filter(
            Q(name__icontains=q) | Q(phone__contains=q) | Q(city__icontains=q)
        )
    order = {
        "name": ("name", "id"),
        "newest": ("-created_at", "-id"),
        "opportunities": ("-open_count", "-open_amount", "name"),
        "amount": ("-open_amount", "-open_count", "name"),
    }[filters.sort]
    return customers.order_by(*order).select_related("owner")


def contact_list(*, user: User, filters: ListFilters) -> QuerySet[Contact]:
    """The contacts ``user`` may see, narrowed and sorted."""
    contacts = _narrow_common(contacts_visible_to(user), user=user, filters=filters)
    if filters.q:
        q = filters.q
        contacts = contacts.filter(
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(phone__contains=q)
            | Q(mobile__contains=q)
        )
    order = {
        "name": ("name", "id"),
        "newest": ("-created_at", "-id"),
        "customer": ("customer__name", "name", "id"),
    }[filters.sort]
    return contacts.order_by(*order).select_related("customer", "owner")


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a customer's timeline: a lead's activity or comment, or the customer's own
    logged activity."""

    at: datetime
    kind: str  # call | email | meeting | note | comment
    label: str
    subject: str
    body: str
    who: User | None
    lead: Lead | None = None
    contact: Contact | None = None


def customer_converted_leads(*, user: User, customer: Customer) -> QuerySet[Lead]:
    """The leads converted into ``customer`` that ``user`` may see."""
    return leads_visible_to(user).filter(conversion__customer=customer)


def customer_timeline(*, user: User, customer: Customer, limit: int = 100) -> list:
    """Newest first: the customer's logged activities, and the activities and comments of the
    leads converted into it that ``user`` may see."""
    leads = customer_converted_leads(user=user, customer=customer)
    entries = [
        TimelineEntry(
            at=a.at,
            kind=a.kind,
            label=a.get_kind_display(),
            subject="",
            body=a.body,
            who=a.created_by,
            contact=a.contact,
        )
        for a in customer.activities.select_related("created_by", "contact")[:limit]
    ]
    entries += [
        TimelineEntry(
            at=a.occurred_at,
            kind=a.kind,
            label=a.get_kind_display(),
            subject=a.subject,
            body=a.body,
            who=a.created_by,
            lead=a.lead,
        )
        for a in Activity.objects.filter(lead__in=leads.values("pk"))
        .select_related("created_by", "lead")
        .order_by("-occurred_at", "-id")[:limit]
    ]
    entries += [
        TimelineEntry(
            at=c.created_at,
            kind="comment",
            label=_("Comment"),
            subject="",
            body=c.body,
            who=c.author,
            lead=c.lead,
        )
        for c in Comment.objects.filter(lead__in=leads.values("pk"))
        .select_related("author", "lead")
        .order_by("-created_at", "-id")[:limit]
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def customer_open_followups(*, user: User, customer: Customer) -> QuerySet[Task]:
    """The open follow-ups of the leads converted into ``customer`` (the tenant keeps them
    open on conversion: "they show on the customer"), soonest first."""
    leads = customer_converted_leads(user=user, customer=customer)
    return (
        Task.objects.filter(lead__in=leads.values("pk"), status=Task.Status.OPEN)
        .select_related("assignee", "lead")
        .order_by("due_at", "id")
    )


def customer_files(*, user: User, customer: Customer, limit: int = 50) -> list:
    """The files of the leads converted into ``customer`` that ``user`` may see, newest first.
    They stay on their leads (linked, not copied: one file, one set of access rules, and
    nothing counted twice against the tenant's space), as the leads' activities do."""
    leads = customer_converted_leads(user=user, customer=customer)
    return list(attachments_of_leads(user=user, leads=leads)[:limit])


def customer_history(customer: Customer, limit: int = 50):
    """The customer's change history, newest first."""
    return list(
        Customer.history.filter(id=customer.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


def contact_history(contact: Contact, limit: int = 50):
    return list(
        Contact.history.filter(id=contact.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
