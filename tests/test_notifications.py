"""The bell and the notifications page: one's own notifications only, read when opened."""

import re

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.notifications.models import Notification
from leadcrm.notifications.services import notification_send
from tests.conftest import tenant_client


def _bell_count(html: str) -> str | None:
    match = re.search(r'class="bell-count">([^<]+)<', html)
    return match.group(1) if match else None


@pytest.fixture
def inbox(cast_a):
    """Three notifications for the rep (the oldest already read), one for the teammate."""
    with tenant_context(cast_a.tenant):
        made = [
            notification_send(recipient=cast_a.rep, kind="general", title=f"Rep note {i}", url=url)
            for i, url in enumerate(["/leads/", "/tasks/", "https://evil.example/phish"])
        ]
        Notification.objects.filter(pk=made[0].pk).update(read_at=timezone.now())
        theirs = notification_send(
            recipient=cast_a.teammate, kind="general", title="Teammate secret", url="/leads/"
        )
    return made, theirs


def test_the_bell_shows_the_unread_count(cast_a, inbox):
    html = tenant_client(cast_a, cast_a.rep).get("/").content.decode()
    assert 'href="/notifications/"' in html
    assert _bell_count(html) == "2"
    assert _bell_count(tenant_client(cast_a, cast_a.manager).get("/").content.decode()) is None


def test_the_bell_count_stops_at_99_plus(cast_a):
    with tenant_context(cast_a.tenant):
        Notification.objects.bulk_create(
            Notification(recipient=cast_a.rep, title=f"n{i}") for i in range(120)
        )
    assert _bell_count(tenant_client(cast_a, cast_a.rep).get("/").content.decode()) == "99+"


def test_the_page_lists_my_notifications_newest_first_with_unread_highlighted(cast_a, inbox):
    html = tenant_client(cast_a, cast_a.rep).get("/notifications/").content.decode()
    assert html.index("Rep note 2") < html.index("Rep note 1") < html.index("Rep note 0")
    assert "Teammate secret" not in html
    unread = re.findall(r'class="notification is-unread"', html)
    assert len(unread) == 2


def test_opening_a_notification_marks_it_read_and_follows_local_links_only(cast_a, inbox):
    made, _theirs = inbox
    client = tenant_client(cast_a, cast_a.rep)
    response = client.get(f"/notifications/{made[1].uuid}/open/")
    assert (response.status_code, response.headers["Location"]) == (302, "/tasks/")
    external = client.get(f"/notifications/{made[2].uuid}/open/")
    assert external.headers["Location"] == "/notifications/"
    with tenant_context(cast_a.tenant):
        assert not Notification.objects.filter(recipient=cast_a.rep, read_at=None).exists()


def test_someone_elses_notification_is_a_404_and_stays_unread(cast_a, inbox):
    _made, theirs = inbox
    client = tenant_client(cast_a, cast_a.rep)
    assert client.get(f"/notifications/{theirs.uuid}/open/").status_code == 404
    assert client.post(f"/notifications/{theirs.uuid}/read/").status_code == 404
    client.post("/notifications/read-all/")
    with tenant_context(cast_a.tenant):
        theirs.refresh_from_db()
        assert theirs.read_at is None


def test_mark_one_read_with_htmx_returns_the_row_and_the_updated_bell(cast_a, inbox):
    made, _theirs = inbox
    html = (
        tenant_client(cast_a, cast_a.rep)
        .post(f"/notifications/{made[2].uuid}/read/", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "<html" not in html
    assert "is-unread" not in html
    assert 'hx-swap-oob="true"' in html
    assert _bell_count(html) == "1"


def test_mark_all_read(cast_a, inbox):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post("/notifications/read-all/")
    assert response.headers["Location"] == "/notifications/"
    assert _bell_count(client.get("/notifications/").content.decode()) is None
    assert client.get("/notifications/read-all/").status_code == 405


def test_signed_out_visitors_are_sent_to_sign_in(cast_a, inbox):
    made, _theirs = inbox
    client = tenant_client(cast_a)
    for response in (
        client.get("/notifications/"),
        client.get(f"/notifications/{made[1].uuid}/open/"),
        client.post(f"/notifications/{made[1].uuid}/read/"),
    ):
        assert response.status_code == 302
        assert "/accounts/login/" in response.headers["Location"]
