"""Report figures kept a few minutes per reader (analytics.cache): served again until they
expire or the reader asks for fresh ones, never to another reader whose scope differs, never
to another tenant; the page says how fresh they are."""

import uuid

import pytest
from django.test import override_settings
from django_tenants.utils import tenant_context

from leads.models import Lead
from tests.conftest import tenant_client


@pytest.fixture(autouse=True)
def _keep_figures(monkeypatch):
    # Keys of their own, so no other test (or run) reads or leaves these entries.
    monkeypatch.setattr("analytics.cache.VERSION", f"test-{uuid.uuid4().hex}")
    with override_settings(ANALYTICS_CACHE_SECONDS=600):
        yield


def _new_leads(client) -> int:
    response = client.get("/analytics/")
    assert response.status_code == 200
    return next(k["kpi"].value for k in response.context["kpis"] if k["kpi"].key == "new")


def test_kept_figures_are_served_until_refreshed(in_tenant_a):
    cast = in_tenant_a
    Lead.objects.create(name="One", owner=cast.rep)
    client = tenant_client(cast, cast.admin)
    assert _new_leads(client) == 1
    Lead.objects.create(name="Two", owner=cast.rep)
    page = client.get("/analytics/")
    assert next(k["kpi"] for k in page.context["kpis"] if k["kpi"].key == "new").value == 1
    assert "Figures as of" in page.content.decode()
    assert "Refresh now" in page.content.decode()
    fresh = client.get("/analytics/", {"fresh": "1"})
    assert next(k["kpi"] for k in fresh.context["kpis"] if k["kpi"].key == "new").value == 2
    assert "Refresh now" not in fresh.content.decode()
    # The fresh figures are kept in turn.
    assert _new_leads(client) == 2


def test_a_rep_never_gets_figures_kept_for_the_admin(in_tenant_a):
    cast = in_tenant_a
    Lead.objects.create(name="Mine", owner=cast.rep)
    Lead.objects.create(name="Theirs", owner=cast.teammate)
    assert _new_leads(tenant_client(cast, cast.admin)) == 2
    assert _new_leads(tenant_client(cast, cast.rep)) == 1
    assert _new_leads(tenant_client(cast, cast.teammate)) == 1


def test_another_tenant_never_gets_them(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        Lead.objects.create(name="A1", owner=cast_a.rep)
        Lead.objects.create(name="A2", owner=cast_a.rep)
        assert _new_leads(tenant_client(cast_a, cast_a.admin)) == 2
    with tenant_context(cast_b.tenant):
        assert _new_leads(tenant_client(cast_b, cast_b.admin)) == 0


def test_other_filters_are_other_figures(in_tenant_a):
    cast = in_tenant_a
    Lead.objects.create(name="One", owner=cast.rep)
    client = tenant_client(cast, cast.admin)
    assert _new_leads(client) == 1
    response = client.get("/analytics/", {"owner": str(cast.teammate.uuid)})
    assert next(k["kpi"] for k in response.context["kpis"] if k["kpi"].key == "new").value == 0
