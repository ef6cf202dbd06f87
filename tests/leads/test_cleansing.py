"""One-click cleansing: the three kinds of impossible contact data, preview, then mark."""

from django.urls import reverse

from leads.dedup.cleansing import cleansing_counts, cleansing_queryset
from leads.models import Lead, LeadStatus
from leads.services import lead as lead_services
from tests.conftest import tenant_client


def test_finds_bad_emails_impossible_phones_and_empty_contacts(in_tenant_a):
    cast = in_tenant_a
    # Bad addresses come from older systems (every channel here checks them), so set directly.
    bad_email = lead_services.lead_create(actor=cast.admin, name="Bad Mail", mobile="13800138000")
    Lead.objects.filter(pk=bad_email.pk).update(email="li.na@")
    lead_services.lead_create(
        actor=cast.admin, name="Good", email="ok@example.com", mobile="13800138001"
    )
    bad_phone = lead_services.lead_create(
        actor=cast.admin, name="Bad Phone", mobile="12345", email="p@example.com"
    )
    empty = lead_services.lead_create(
        actor=cast.admin, name="Nobody Reachable", company="Ghost Ltd"
    )
    leads = Lead.objects.all()
    assert list(cleansing_queryset(leads, "email")) == [bad_email]
    assert list(cleansing_queryset(leads, "phone")) == [bad_phone]
    assert empty in cleansing_queryset(leads, "empty")
    assert cleansing_counts(leads)["email"] == 1


def test_preview_and_mark_invalid_in_bulk(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.admin, name="Bad Mail")
    Lead.objects.filter(pk=lead.pk).update(email="x@y")
    client = tenant_client(cast, cast.admin)
    page = client.get(reverse("leads-cleansing") + "?kind=email").content.decode()
    assert "Bad Mail" in page
    client.post(
        reverse("leads-cleansing"), {"kind": "email", "action": "invalid", "lead": [str(lead.uuid)]}
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.INVALID
    assert "Bad Mail" not in client.get(reverse("leads-cleansing") + "?kind=email").content.decode()
    assert tenant_client(cast, cast.rep).get(reverse("leads-cleansing")).status_code == 403
