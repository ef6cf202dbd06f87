"""One-click cleansing: leads whose contact data cannot be right.

- invalid email: an address that is not name@domain.tld;
- impossible phone: a phone or mobile libphonenumber cannot read as a possible number (its
  duplicate key stayed empty although the field is filled);
- no contact data: neither email nor phone nor mobile.

Closed leads (converted, invalid, lost, void) and merged tombstones are left out. The page
previews each group and marks the chosen leads invalid (or void, for admins) through the
bulk service, so each change is checked and kept in the history like a single one.
"""

from django.db.models import Q, QuerySet

from leads.models import Lead, LeadStatus

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$"
KINDS = ("email", "phone", "empty")
CLOSED = (LeadStatus.CONVERTED, LeadStatus.INVALID, LeadStatus.LOST, LeadStatus.VOID)


def cleansing_queryset(leads: QuerySet[Lead], kind: str) -> QuerySet[Lead]:
    leads = leads.filter(merged_into__isnull=True).exclude(status__in=CLOSED)
    if kind == "email":
        return leads.exclude(email="").exclude(email__regex=EMAIL_PATTERN)
    if kind == "phone":
        return leads.filter((~Q(phone="") & Q(phone_key="")) | (~Q(mobile="") & Q(mobile_key="")))
    if kind == "empty":
        return leads.filter(email="", phone="", mobile="")
    raise ValueError(kind)


def cleansing_counts(leads: QuerySet[Lead]) -> dict[str, int]:
    return {kind: cleansing_queryset(leads, kind).count() for kind in KINDS}
