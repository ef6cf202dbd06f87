"""Saved views: a user's named filters, shown above the list, private to their owner."""

import pytest
from django.utils import translation
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import SavedView
from leads.services.saved_views import saved_view_query_clean, saved_view_save
from tests.conftest import tenant_client


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def test_saving_keeps_the_filters_without_the_page_and_lists_the_view(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        "/leads/views/", {"name": " Hot  this week ", "query": "page=3&hot=1&period=week&q="}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/leads/?hot=1&period=week"
    with tenant_context(cast_a.tenant):
        view = SavedView.objects.get(user=cast_a.rep)
        assert (view.name, view.query) == ("Hot this week", "hot=1&period=week")
    html = client.get(response.headers["Location"]).content.decode()
    assert "View &quot;Hot this week&quot; saved." in html
    assert 'href="?hot=1&amp;period=week"' in html
    assert 'aria-current="true">Hot this week</a>' in html  # the view being shown


def test_saving_under_the_same_name_replaces_the_filters(in_tenant_a):
    cast = in_tenant_a
    saved_view_save(user=cast.rep, name="Mine", query="status=new")
    saved_view_save(user=cast.rep, name="Mine", query="status=qualified")
    assert list(SavedView.objects.values_list("query", flat=True)) == ["status=qualified"]


def test_a_view_needs_a_name(in_tenant_a):
    with pytest.raises(LeadError, match="name"):
        saved_view_save(user=in_tenant_a.rep, name="  ", query="hot=1")
    assert not SavedView.objects.exists()


def test_query_is_cleaned_to_a_stable_order():
    assert saved_view_query_clean("?sort=due&hot=1&page=2&format=csv") == "hot=1&sort=due"


def test_owner_deletes_their_view(cast_a):
    with tenant_context(cast_a.tenant):
        view = saved_view_save(user=cast_a.rep, name="Temp", query="hot=1")
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(f"/leads/views/{view.uuid}/delete/", {"next": "hot=1"})
    assert response.headers["Location"] == "/leads/?hot=1"
    with tenant_context(cast_a.tenant):
        assert not SavedView.objects.exists()


def test_another_users_view_is_not_shown_and_cannot_be_deleted(cast_a):
    with tenant_context(cast_a.tenant):
        view = saved_view_save(user=cast_a.rep, name="Riley's secret view", query="hot=1")
    for user in (cast_a.teammate, cast_a.admin):
        client = tenant_client(cast_a, user)
        assert "Riley&#x27;s secret view" not in client.get("/leads/").content.decode()
        assert client.post(f"/leads/views/{view.uuid}/delete/").status_code == 404
    with tenant_context(cast_a.tenant):
        assert SavedView.objects.filter(pk=view.pk).exists()
