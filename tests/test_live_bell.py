"""The bell updates itself without a reload, and the keyboard shortcuts are on every page.

The bell polls notifications-bell with what it shows (its count and the newest notification it
knows of): the answer is 204 while nothing changed, else the new bell and a toast, once, for each
new notification. The browser side (app.js, shortcuts.js) was checked by hand in Chromium.
"""

import html as html_lib
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from leadcrm.notifications.services import notification_send
from leadcrm.notifications.texts import text
from leads.services.lead import lead_create
from tests.conftest import tenant_client

BELL = "/notifications/bell/"
HX = {"HX-Request": "true"}


def _bell_count(html: str) -> str | None:
    match = re.search(r'class="bell-count">([^<]+)<', html)
    return match.group(1) if match else None


def _bell_vals(html: str) -> dict:
    """What the bell in ``html`` sends with its next poll (its hx-vals)."""
    bell = re.search(r'<a id="notification-bell"[^>]*>', html).group(0)
    return json.loads(html_lib.unescape(re.search(r"hx-vals='([^']*)'", bell).group(1)))


def _toasts(html: str) -> list[str]:
    return re.findall(r'class="toast-title"[^>]*>([^<]*)<', html)


def _send(user, title, **kwargs):
    return notification_send(recipient=user, kind="general", title=title, **kwargs)


@pytest.fixture
def rep_client(cast_a):
    return tenant_client(cast_a, cast_a.rep)


# The poll ---------------------------------------------------------------------------------


def test_the_poll_answers_with_my_unread_count_only(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        _send(cast_a.rep, "Mine one")
        _send(cast_a.rep, "Mine two")
        for i in range(5):
            _send(cast_a.teammate, f"Teammate secret {i}")
    response = rep_client.get(BELL, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<a id="notification-bell"')
    assert "<html" not in html
    assert _bell_count(html) == "2"
    assert "Teammate secret" not in html
    assert _bell_vals(html)["seen"] == 2


def test_the_poll_on_another_tenant_counts_that_tenants_own_user_only(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        for i in range(3):
            _send(cast_a.rep, f"Alpha secret {i}")
    with tenant_context(cast_b.tenant):
        _send(cast_b.rep, "Beta note")
    html = tenant_client(cast_b, cast_b.rep).get(BELL, headers=HX).content.decode()
    assert _bell_count(html) == "1"
    assert "Alpha secret" not in html
    # A's rep, signed in on A, gets nothing on B's host: the session is bound to its tenant.
    client = tenant_client(cast_a, cast_a.rep)
    client.defaults["HTTP_HOST"] = cast_b.host
    refused = client.get(BELL)
    assert refused.status_code == 302
    assert "/accounts/login/" in refused.headers["Location"]
    assert client.get(BELL, headers=HX).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in_and_a_signed_out_poll_is_refused(cast_a):
    client = tenant_client(cast_a)
    response = client.get(BELL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]
    # A poll from a tab whose session ended must not put the sign-in page in the bell.
    polled = client.get(BELL, headers=HX)
    assert polled.status_code == 403
    assert polled.content == b""


def test_the_poll_is_get_only(rep_client):
    assert rep_client.post(BELL, headers=HX).status_code == 405


def test_the_poll_answers_204_with_nothing_while_nothing_changed(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        _send(cast_a.rep, "Already here")
    vals = _bell_vals(rep_client.get("/").content.decode())
    assert vals["seen"] == 1
    response = rep_client.get(BELL, vals, headers=HX)
    assert response.status_code == 204
    assert response.content == b""


def test_a_new_notification_shows_its_count_and_one_toast_once(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        _send(cast_a.rep, "Old news")
    vals = _bell_vals(rep_client.get("/").content.decode())
    with tenant_context(cast_a.tenant):
        fresh = _send(cast_a.rep, "New lead for you: Wang Fang", url="/leads/")
    response = rep_client.get(BELL, vals, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert _bell_count(html) == "2"
    assert _toasts(html) == ["New lead for you: Wang Fang"]
    assert "Old news" not in html
    assert 'hx-swap-oob="beforeend:#bell-toasts"' in html
    assert f'href="/notifications/{fresh.uuid}/open/"' in html  # opening it marks it read
    # The new bell moved past it: the next poll is quiet, the toast is not shown twice.
    assert rep_client.get(BELL, _bell_vals(html), headers=HX).status_code == 204


def test_the_toast_reads_in_the_readers_language(cast_a, rep_client):
    vals = _bell_vals(rep_client.get("/").content.decode())
    with tenant_context(cast_a.tenant):
        sent = _send(cast_a.rep, text("leads.assigned_one", lead="Wang Fang"))
        User.objects.filter(pk=cast_a.rep.pk).update(language="zh-hans")
    assert sent.title == "New lead for you: Wang Fang"  # written when sent, in English
    html = rep_client.get(BELL, vals, headers=HX).content.decode()
    assert _toasts(html) == ["您有一条新线索：Wang Fang"]


def test_at_most_three_toasts_newest_last_but_the_count_has_them_all(cast_a, rep_client):
    vals = _bell_vals(rep_client.get("/").content.decode())
    with tenant_context(cast_a.tenant):
        for i in range(5):
            _send(cast_a.rep, f"Burst {i}")
    html = rep_client.get(BELL, vals, headers=HX).content.decode()
    assert _bell_count(html) == "5"
    assert _toasts(html) == ["Burst 2", "Burst 3", "Burst 4"]


def test_reading_elsewhere_updates_the_count_without_a_toast(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        first = _send(cast_a.rep, "First")
        _send(cast_a.rep, "Second")
    vals = _bell_vals(rep_client.get("/").content.decode())
    assert vals["seen"] == 2
    with tenant_context(cast_a.tenant):
        Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    html = rep_client.get(BELL, vals, headers=HX).content.decode()
    assert _bell_count(html) == "1"
    assert _toasts(html) == []
    assert _bell_vals(html)["since"] == vals["since"]  # still nothing newer than it knew


def test_a_poll_without_a_valid_moment_shows_the_bell_and_no_toast(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        _send(cast_a.rep, "Present")
    for query in ({}, {"since": "yesterday", "seen": "1"}, {"since": "2026-01-01T00:00:00"}):
        response = rep_client.get(BELL, query, headers=HX)
        assert response.status_code == 200
        assert _bell_count(response.content.decode()) == "1"
        assert _toasts(response.content.decode()) == []


def test_the_polled_count_stops_at_99_plus(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        Notification.objects.bulk_create(
            Notification(recipient=cast_a.rep, title=f"n{i}") for i in range(120)
        )
    html = rep_client.get(BELL, headers=HX).content.decode()
    assert _bell_count(html) == "99+"
    assert _bell_vals(html)["seen"] == 100


def _queries(captured) -> list[str]:
    """The statements that read data (django-tenants sets the search path before each)."""
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET ")]


def _notification_queries(captured) -> list[str]:
    return [sql for sql in _queries(captured) if "notifications_notification" in sql]


def test_the_poll_costs_the_same_few_queries_however_many_notifications(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        _send(cast_a.rep, "Lonely")
    vals = _bell_vals(rep_client.get("/").content.decode())
    with CaptureQueriesContext(connection) as few:
        assert rep_client.get(BELL, vals, headers=HX).status_code == 204
    with tenant_context(cast_a.tenant):
        Notification.objects.bulk_create(
            Notification(recipient=cast_a.rep, title=f"n{i}") for i in range(60)
        )
    with CaptureQueriesContext(connection) as many:
        answer = rep_client.get(BELL, vals, headers=HX)
    assert answer.status_code == 200
    assert len(_toasts(answer.content.decode())) == 3
    # Unchanged: one indexed read of the unread notifications, never a COUNT over them all.
    assert len(_notification_queries(few)) == 1
    assert "COUNT(" not in _notification_queries(few)[0].upper()
    # Changed: that read plus the (at most three) new ones, whatever their number.
    assert len(_notification_queries(many)) == 2
    assert len(_queries(many)) == len(_queries(few)) + 1


# The pages --------------------------------------------------------------------------------


def _lead_path(cast) -> str:
    with tenant_context(cast.tenant):
        lead = lead_create(actor=cast.rep, owner=cast.rep, name="Shortcut Probe")
    return f"/leads/{lead.uuid}/"


@pytest.mark.parametrize("page", ["/", "/leads/", "/notifications/", "lead"])
def test_every_page_carries_the_polling_bell_the_toasts_and_the_shortcuts(cast_a, page):
    path = _lead_path(cast_a) if page == "lead" else page
    response = tenant_client(cast_a, cast_a.rep).get(path)
    html = response.content.decode()
    bell = re.search(r'<a id="notification-bell"[^>]*>', html).group(0)
    assert f'hx-get="{BELL}"' in bell
    assert 'hx-trigger="bell-poll"' in bell
    assert 'hx-swap="outerHTML"' in bell
    assert 'data-poll-seconds="15"' in bell
    assert html.count('id="bell-toasts"') == 1
    assert html.count('id="shortcut-help"') == 1
    assert 'src="/static/js/app.js"' in html
    assert 'src="/static/js/shortcuts.js"' in html
    assert "<script>" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_bell_swapped_in_after_marking_read_keeps_polling(cast_a, rep_client):
    with tenant_context(cast_a.tenant):
        one = _send(cast_a.rep, "One")
    html = rep_client.post(f"/notifications/{one.uuid}/read/", headers=HX).content.decode()
    bell = re.search(r'<a id="notification-bell"[^>]*>', html).group(0)
    assert 'hx-swap-oob="true"' in bell
    assert 'hx-trigger="bell-poll"' in bell
    assert _bell_vals(html)["seen"] == 0
    assert 'id="bell-toasts"' not in html  # the page keeps its own


SHORTCUTS = [
    '<span class="kbd" data-kbd-mod>Ctrl</span>+<span class="kbd">S</span>',
    '<span class="kbd" data-kbd-mod>Ctrl</span>+<span class="kbd">K</span> <span class="kbd">/</span>',
    '<span class="kbd">n</span>',
    '<span class="kbd">?</span>',
    '<span class="kbd">Esc</span>',
    '<span class="kbd">j</span> <span class="kbd">k</span>',
    '<span class="kbd">Enter</span> <span class="kbd">o</span>',
    '<span class="kbd">x</span>',
]


def _dialog_rows(html: str) -> dict[str, str]:
    dialog = re.search(r'<div class="kbd-help" id="shortcut-help".*?</div>\n</div>', html, re.S)
    rows = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", dialog.group(0))
    return dict(rows)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "en",
            [
                "Save the form",
                "Search",
                "New lead",
                "Show or hide this help",
                "Close this help",
                "Next / previous lead in the list",
                "Open the lead",
                "Select or unselect the lead",
            ],
        ),
        (
            "zh-hans",
            [
                "保存表单",
                "搜索",
                "新建线索",
                "显示或隐藏此帮助",
                "关闭此帮助",
                "列表中的下一条 / 上一条线索",
                "打开线索",
                "选择或取消选择线索",
            ],
        ),
    ],
)
def test_the_shortcuts_dialog_lists_each_shortcut_in_the_readers_language(cast_a, language, labels):
    with tenant_context(cast_a.tenant):
        User.objects.filter(pk=cast_a.rep.pk).update(language=language)
    html = tenant_client(cast_a, cast_a.rep).get("/").content.decode()
    assert _dialog_rows(html) == dict(zip(SHORTCUTS, labels, strict=True))
    assert 'data-new-lead-url="/leads/new/"' in html
    assert 'data-search-url="/leads/"' in html
    heading = "键盘快捷键" if language == "zh-hans" else "Keyboard shortcuts"
    assert f'<h2 id="shortcut-help-title">{heading}</h2>' in html
    # The account menu opens it too (shown once shortcuts.js runs).
    assert re.search(rf"<button [^>]*data-shortcuts-open hidden>{heading}", html)


def test_the_sign_in_page_has_no_shortcuts_dialog_and_no_bell(cast_a):
    html = tenant_client(cast_a).get("/accounts/login/").content.decode()
    assert "data-shortcut-help" not in html
    assert "notification-bell" not in html
