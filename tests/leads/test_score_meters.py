"""The score meters of the lead list and the lead page use the tenant's Hot and Warm thresholds
(LeadSettings), loaded once per page, and say the band in words for screen readers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Lead, LeadSettings
from leads.services import config
from leads.services import lead as lead_services
from tests.conftest import tenant_client


def _thresholds(hot: int, warm: int) -> None:
    LeadSettings.objects.update_or_create(
        singleton=True, defaults={"hot_score": hot, "warm_score": warm}
    )


def _lead(cast, name: str, score: int) -> Lead:
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name=name)
    Lead.objects.filter(pk=lead.pk).update(score=score)
    return lead


def test_the_list_and_the_lead_page_show_the_tenants_bands(cast_a):
    with tenant_context(cast_a.tenant):
        _thresholds(hot=80, warm=50)
        hot = _lead(cast_a, "Hot Meter Lead", 82)
        _lead(cast_a, "Warm Meter Lead", 60)
        _lead(cast_a, "Cold Meter Lead", 49)
    client = tenant_client(cast_a, cast_a.rep)
    listing = client.get(reverse("leads-index")).content.decode()
    assert listing.count('low="50" high="80"') == 3
    assert 'low="40"' not in listing
    assert 'title="Hot · 82"' in listing
    assert 'title="Warm · 60"' in listing
    assert 'title="Cold · 49"' in listing
    page = client.get(reverse("leads-detail", kwargs={"uuid": hot.uuid})).content.decode()
    assert 'low="50" high="80" optimum="100" value="82" title="Hot · 82"' in page


def test_the_band_is_read_in_the_readers_language(cast_a):
    with tenant_context(cast_a.tenant):
        _thresholds(hot=80, warm=50)
        lead = _lead(cast_a, "Chinese Meter Lead", 82)
    client = tenant_client(cast_a, cast_a.rep)
    page = client.get(
        reverse("leads-detail", kwargs={"uuid": lead.uuid}), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert 'title="热线索 · 82"' in page


def test_the_list_loads_the_thresholds_once_whatever_the_number_of_rows(cast_a):
    client = tenant_client(cast_a, cast_a.rep)

    def settings_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("leads-index")).status_code == 200
        return sum('"leads_leadsettings"' in q["sql"] for q in queries.captured_queries)

    with tenant_context(cast_a.tenant):
        _lead(cast_a, "Only Lead", 55)
    one_row = settings_queries()
    with tenant_context(cast_a.tenant):
        for i in range(5):
            _lead(cast_a, f"More Lead {i}", 40 + i)
    assert settings_queries() == one_row <= 2


def test_hot_on_the_lead_settings_page_stays_above_warm(in_tenant_a):
    cast = in_tenant_a
    _thresholds(hot=70, warm=50)
    with pytest.raises(LeadError, match="Hot must be above Warm"):
        config.lead_settings_update(
            actor=cast.admin, require_bant_for_qualified=False, hot_score=50
        )
    assert LeadSettings.load().hot_score == 70
    config.lead_settings_update(actor=cast.admin, require_bant_for_qualified=False, hot_score=51)
    assert LeadSettings.load().hot_score == 51
