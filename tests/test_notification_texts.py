"""What the system writes to people reads in the reader's language, whoever caused it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from leadcrm.notifications.services import notification_send
from leadcrm.notifications.texts import at, text, text_list, text_render, texts_known
from leads.services import lead as lead_services
from tests.conftest import tenant_client

HAN = re.compile(r"[\u4e00-\u9fff]")


class _Values(dict):
    """Any placeholder asked for is 7 (and remembered), so a sentence renders without knowing
    its placeholders beforehand."""

    def __missing__(self, name):
        self[name] = 7
        return 7


@pytest.mark.parametrize("key", sorted(texts_known()))
def test_every_system_sentence_reads_in_chinese(key):
    """A sentence the system writes has a Chinese translation (singular and plural), with the
    same placeholders, and no English words left in it."""
    for count in (1, 5):
        asked = _Values(count=count)
        with translation.override("en"):
            in_english = str(texts_known()[key] % asked)
        stored = text(key, **asked)
        with translation.override("zh-hans"):
            in_chinese = text_render(stored)
        assert in_chinese is not None
        assert in_chinese != in_english, f"{key} is not translated"
        assert HAN.search(in_chinese), f"{key} has no Chinese: {in_chinese!r}"
        assert not re.search(r"[A-Za-z]{3,}", in_chinese), f"{key} keeps English: {in_chinese!r}"


def test_a_notice_sent_by_an_english_worker_reads_in_chinese_to_a_chinese_reader(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.admin, name="Wang Fang")
        with translation.override("en"):  # a worker with no language of its own
            lead_services.lead_assigned_notify(owner=cast_a.rep, lead=lead, actor=cast_a.admin)
        User.objects.filter(pk=cast_a.rep.pk).update(language="zh-hans")
    html = tenant_client(cast_a, cast_a.rep).get("/notifications/").content.decode()
    assert "给您的新线索" in html or "新线索" in html
    assert "New lead for you" not in html
    assert "Wang Fang" in html
    # The same notice reads in English for a reader who chose English.
    with tenant_context(cast_a.tenant):
        User.objects.filter(pk=cast_a.rep.pk).update(language="en")
    html = tenant_client(cast_a, cast_a.rep).get("/notifications/").content.decode()
    assert "New lead for you: Wang Fang" in html


def test_dates_in_a_sentence_follow_the_one_date_format(cast_a):
    moment = timezone.now().replace(year=2026, month=12, day=3, hour=9, minute=5)
    stored = text("leads.task_due", due=at(moment), lead="Acme")
    with tenant_context(cast_a.tenant), translation.override("zh-hans"):
        rendered = text_render(stored)
    local = timezone.localtime(moment)
    assert local.strftime("%Y-%m-%d %H:%M") in rendered


def test_reasons_inside_a_sentence_render_in_the_readers_language():
    reason = text_list([text("pools.no_follow_up", days=3), text("pools.not_qualified", days=7)])
    stored = text("pools.reclaimed_why", reason=reason)
    with translation.override("en"):
        assert text_render(stored) == (
            "Reason: no follow-up within 3 days of claiming; not qualified within 7 days of "
            "claiming."
        )
    with translation.override("zh-hans"):
        chinese = text_render(stored)
    assert "；" in chinese
    assert "claiming" not in chinese


@pytest.mark.parametrize(
    "stored", [{"key": "no.such.text"}, {"key": "leads.task_due", "values": {}}, "junk", None]
)
def test_a_stored_sentence_that_cannot_render_falls_back_to_the_written_one(cast_a, stored):
    with tenant_context(cast_a.tenant):
        notice = Notification.objects.create(
            recipient=cast_a.rep, title="Written title", body="Written body",
            message={"title": stored, "body": stored},
        )  # fmt: skip
        assert notice.title_text == "Written title"
        assert notice.body_text == "Written body"


def test_the_email_is_written_in_the_recipients_language(
    cast_a, mailoutbox, django_capture_on_commit_callbacks
):
    with tenant_context(cast_a.tenant), django_capture_on_commit_callbacks(execute=True):
        User.objects.filter(pk=cast_a.rep.pk).update(language="zh-hans")
        rep = User.objects.get(pk=cast_a.rep.pk)
        with translation.override("en"):
            notification_send(
                recipient=rep, kind="general", title=text("leads.import_finished", file="a.xlsx"),
                email=True,
            )  # fmt: skip
    assert mailoutbox
    assert HAN.search(mailoutbox[-1].subject)
    assert "a.xlsx" in mailoutbox[-1].subject


def test_a_reclaim_reason_reads_in_the_readers_language(cast_a):
    from pools.models import Pool, PoolEntry, PoolEvent
    from pools.services.reclaim import pool_reclaim_due

    with tenant_context(cast_a.tenant):
        pool = Pool.objects.create(name="North", reclaim_no_follow_up_days=3)
        lead = lead_services.lead_create(actor=cast_a.admin, name="Li Lei", owner=cast_a.rep)
        PoolEntry.objects.create(
            lead=lead, pool=pool, entered_at=timezone.now() - timedelta(days=9),
            claimed_at=timezone.now() - timedelta(days=5),
        )  # fmt: skip
        with translation.override("en"):
            assert pool_reclaim_due().reclaimed == 1
        event = PoolEvent.objects.get(lead=lead, action=PoolEvent.Action.RECLAIM)
        with translation.override("zh-hans"):
            assert "3" in event.reason_text
            assert "claiming" not in event.reason_text
        with translation.override("en"):
            assert event.reason_text == "no follow-up within 3 days of claiming"
        notice = Notification.objects.get(recipient=cast_a.rep, kind="lead_reclaimed")
        with translation.override("zh-hans"):
            assert "Li Lei" in notice.title_text
            assert "went back" not in notice.title_text
            assert "claiming" not in notice.body_text
