"""The weekly digest e-mail: who gets it, that its figures are the reader's dashboard for the
week, the three biggest changes, the reader's language, at most one per person and week,
one tenant's figures never in another's mail, the profile opt-out, and the beat task in a
real worker."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from celery.result import AsyncResult
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from analytics import digest as digest_module
from analytics.digest import (
    DigestWeek,
    biggest_changes,
    digest_recipients,
    digest_week_due,
    digests_send_due,
)
from analytics.filters import ReportFilters
from analytics.kpis import KPI_LABELS, kpi_number
from analytics.models import DigestSent
from analytics.selectors.dashboard import Kpi, dashboard_kpis
from analytics.tasks import digest_weekly_send
from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leads.models import Lead, LeadStatus
from tests.conftest import _load_cast, tenant_client

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the test tenants' time zone (Tenant.time_zone default)
WEEK = DigestWeek.from_key("2026-W47")  # Monday 16 to Sunday 22 November 2026
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)  # the Monday after, 08:00 local


def _lead(owner, name, *, day, **fields):
    """A lead created at noon (tenant time) on ``day``; timedelta fields count from then."""
    lead = Lead.objects.create(name=name, owner=owner, status=fields.pop("status", "pending"))
    created = datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=12)
    Lead.objects.filter(pk=lead.pk).update(
        created_at=created,
        assigned_at=created,
        **{k: (created + v if isinstance(v, timedelta) else v) for k, v in fields.items()},
    )
    return lead


@pytest.fixture
def week_data(in_tenant_a):
    """Last week: 4 new leads of the manager's line, 3 contacted, 2 qualified, 1 converted.
    The week before: 3 new, none contacted. One more lead of the admin's own, last week, is
    outside the manager's line (only the admin's dashboard counts it)."""
    cast = in_tenant_a
    first, before = WEEK.first, WEEK.first - timedelta(days=7)
    hours = timedelta(hours=3)
    _lead(cast.rep, "Won", day=first, status=LeadStatus.CONVERTED, first_follow_up_at=hours,
          converted_at=timedelta(days=2))  # fmt: skip
    _lead(cast.rep, "Qualified", day=first + timedelta(days=2), status=LeadStatus.QUALIFIED,
          first_follow_up_at=hours)  # fmt: skip
    _lead(cast.teammate, "Called", day=first + timedelta(days=4), first_follow_up_at=hours)
    _lead(cast.teammate, "Waiting", day=WEEK.last)
    for i in range(3):
        _lead(cast.rep, f"Before {i}", day=before + timedelta(days=i))
    _lead(cast.admin, "The admin's own", day=first + timedelta(days=1))
    _lead(cast.rep, "This week, not in the digest", day=WEEK.last + timedelta(days=1))
    return cast


def _send(**kwargs):
    kwargs.setdefault("week", WEEK)
    return digests_send_due(now=NOW, **kwargs)


def _mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def _html(message) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


# Who gets it --------------------------------------------------------------------------------


def test_managers_and_tenant_admins_get_it_reps_opted_out_and_inactive_people_do_not(
    in_tenant_a,
):
    cast = in_tenant_a
    opted_out = User.objects.create(email="quiet@alpha.example.com", full_name="Quiet Manager",
                                    roles=[Role.MANAGER], weekly_digest=False)  # fmt: skip
    gone = User.objects.create(email="gone@alpha.example.com", full_name="Gone Manager",
                               roles=[Role.MANAGER], is_active=False)  # fmt: skip
    no_address = User.objects.create(email="", full_name="No Address", roles=[Role.MANAGER])
    both = User.objects.create(email="both@alpha.example.com", full_name="Rep And Manager",
                               roles=[Role.SALES_REP, Role.MANAGER])  # fmt: skip
    assert set(digest_recipients()) == {cast.admin, cast.manager, both}

    summary = _send()

    assert (summary.sent, summary.failed, summary.week) == (3, 0, "2026-W47")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.admin.email, cast.manager.email, both.email]
    )
    for nobody in (cast.rep, cast.teammate, cast.pool_admin, opted_out, gone, no_address):
        assert not _mails_to(nobody)


# What it says -------------------------------------------------------------------------------


def _dashboard(user) -> list[Kpi]:
    with timezone.override(SHANGHAI):
        filters = ReportFilters.from_query({"period": "7d"}, today=WEEK.last)
        return dashboard_kpis(user, filters, now=NOW)


def test_the_figures_are_the_readers_dashboard_for_the_week(week_data):
    cast = week_data
    _send()
    for reader, new_leads in ((cast.manager, 4), (cast.admin, 5)):
        kpis = _dashboard(reader)
        assert {k.key: k.value for k in kpis}["new"] == new_leads  # scoped to the reader
        (message,) = _mails_to(reader)
        for kpi in kpis:
            assert f"- {KPI_LABELS[kpi.key]}: {kpi_number(kpi)}" in message.body, kpi.key
            cells = f'<th scope="row">{KPI_LABELS[kpi.key]}</th><td class="num">{kpi_number(kpi)}'
            assert cells in _html(message), kpi.key
    (manager_mail,) = _mails_to(cast.manager)
    assert manager_mail.subject == "Your weekly lead report: November 16 – November 22"
    assert "- New leads: 4 ▲ 33.3 % (week before: 3)" in manager_mail.body
    assert "- Contact rate: 75.0 % ▲ 75.0 pt (week before: 0.0 %)" in manager_mail.body
    assert "- Waiting in pools: 0 (now)" in manager_mail.body


def test_the_three_biggest_changes_on_a_fixed_week(week_data):
    kpis = _dashboard(week_data.manager)
    # new +33.3 %, contact +75 pt, qualification +50 pt, conversion +25 pt; cycle, response
    # and won have no change (no figure, or 0, the week before).
    assert [k.key for k in biggest_changes(kpis)] == ["contact", "qualification", "new"]
    _send()
    (message,) = _mails_to(week_data.manager)
    section = message.body.split("The three biggest changes")[1].split("Key figures")[0]
    assert [line.split(":")[0] for line in section.strip().splitlines()] == [
        "- Contact rate",
        "- Qualification rate",
        "- New leads",
    ]


def test_biggest_changes_compare_percent_and_points_and_skip_what_did_not_move():
    kpis = [
        Kpi("new", 30, 20),  # +50 %
        Kpi("pooled", 7),  # a figure of the moment: no change
        Kpi("contact", 0.5, 0.1, unit="rate"),  # +40 points
        Kpi("cycle", 2.0, 4.0, unit="days", higher_is_better=False),  # -50 %
        Kpi("won", Decimal(900), Decimal(0), unit="amount"),  # from 0: no relative change
        Kpi("conversion", 0.2, 0.2, unit="rate"),  # did not move
        Kpi("response", 1.0, 1.1, unit="hours", higher_is_better=False),  # -9.1 %
    ]
    # Equal moves (new and cycle, 50 each) keep the dashboard's order.
    assert [k.key for k in biggest_changes(kpis)] == ["new", "cycle", "contact"]
    assert [k.key for k in biggest_changes(kpis[:3])] == ["new", "contact"]


def test_the_links_open_that_week_on_the_dashboard_and_the_profile_on_the_tenants_host(
    in_tenant_a,
):
    _send()
    (message,) = _mails_to(in_tenant_a.manager)
    dashboard = "https://alpha.localhost/analytics/?period=custom&from=2026-11-16&to=2026-11-22"
    assert dashboard in message.body
    assert "https://alpha.localhost/accounts/profile/" in message.body
    html = _html(message)
    assert f'href="{dashboard.replace("&", "&amp;")}"' in html
    assert 'href="https://alpha.localhost/accounts/profile/"' in html
    # Nothing outside the message: no images, style sheets or scripts to fetch.
    assert "<img" not in html
    assert "<link" not in html
    assert "<script" not in html


def test_a_chinese_manager_reads_it_in_chinese(week_data):
    cast = week_data
    cast.manager.language = "zh-hans"
    cast.manager.save(update_fields=["language"])
    _send()
    (message,) = _mails_to(cast.manager)
    html = _html(message)
    with translation.override("zh-hans"):
        chinese = {key: str(label) for key, label in KPI_LABELS.items()}
    english = {key: str(label) for key, label in KPI_LABELS.items()}
    for key in KPI_LABELS:
        assert chinese[key] != english[key]
        assert chinese[key] in message.body
        assert chinese[key] in html
        assert english[key] not in message.body
        assert english[key] not in html
    assert "11月16日 – 11月22日" in message.subject  # dates in the Chinese format
    assert '<html lang="zh-hans">' in html
    (admin_mail,) = _mails_to(cast.admin)
    assert english["new"] in admin_mail.body  # the admin has no language: the tenant's (en)


# At most once -------------------------------------------------------------------------------


def test_running_twice_sends_each_manager_one_digest(in_tenant_a):
    cast = in_tenant_a
    first, second = _send(), _send()
    assert (first.sent, first.skipped, second.sent, second.skipped) == (2, 0, 0, 2)
    assert len(_mails_to(cast.manager)) == len(_mails_to(cast.admin)) == 1
    assert set(DigestSent.objects.values_list("user_id", "week")) == {
        (cast.manager.pk, "2026-W47"),
        (cast.admin.pk, "2026-W47"),
    }
    # The next week is a new digest.
    assert _send(week=DigestWeek.from_key("2026-W48")).sent == 2


def test_a_failure_for_one_manager_does_not_stop_the_others_and_is_retried(
    in_tenant_a, monkeypatch, caplog
):
    cast = in_tenant_a
    compose = digest_module.digest_compose

    def broken_for_the_admin(*, user, **kwargs):
        if user == cast.admin:
            raise RuntimeError("mail server says no")
        return compose(user=user, **kwargs)

    monkeypatch.setattr(digest_module, "digest_compose", broken_for_the_admin)
    summary = _send()
    assert (summary.sent, summary.failed) == (1, 1)
    assert [m.to for m in mail.outbox] == [[cast.manager.email]]
    assert f"digest failed user={cast.admin.pk} week=2026-W47 tenant=alpha" in caplog.text
    assert not DigestSent.objects.filter(user=cast.admin).exists()

    monkeypatch.setattr(digest_module, "digest_compose", compose)
    assert (_send().sent, len(_mails_to(cast.admin))) == (1, 1)


def test_it_is_due_on_monday_from_seven_in_the_tenants_time_zone(in_tenant_a):
    monday = datetime(2026, 11, 23, tzinfo=SHANGHAI)
    assert digest_week_due(monday + timedelta(hours=6, minutes=59)) is None
    assert digest_week_due(monday + timedelta(hours=7)) == WEEK
    assert digest_week_due(monday + timedelta(hours=23, minutes=30)) == WEEK
    assert digest_week_due(monday + timedelta(days=1, hours=8)) is None
    # 23:30 UTC on Sunday is already Monday 07:30 in Shanghai.
    assert digest_week_due(datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("UTC"))) == WEEK
    assert digests_send_due(now=monday + timedelta(hours=6)).sent == 0
    assert mail.outbox == []


# Tenants ------------------------------------------------------------------------------------


def test_a_manager_never_gets_another_tenants_figures(week_data, cast_b):
    with tenant_context(cast_b.tenant):
        for i in range(7):
            _lead(cast_b.rep, f"Beta lead {i}", day=WEEK.first + timedelta(days=i))
        summary_b = _send()
    assert summary_b.sent == 2
    with tenant_context(week_data.tenant):
        _send()
    (a_mail,) = _mails_to(week_data.manager)
    (b_mail,) = _mails_to(cast_b.manager)
    assert "- New leads: 4 " in a_mail.body
    assert "- New leads: 7 " not in a_mail.body
    assert "- New leads: 7 " in b_mail.body
    assert "- New leads: 4 " not in b_mail.body
    assert "https://beta.localhost/" in b_mail.body
    assert "alpha.localhost" not in b_mail.body
    assert "https://alpha.localhost/" in a_mail.body
    assert "beta.localhost" not in a_mail.body
    assert {m.to[0].split("@")[1] for m in mail.outbox} == {
        "alpha.example.com",
        "beta.example.com",
    }
    assert len(mail.outbox) == 4  # each tenant's admin and manager, once


# The opt-out ----------------------------------------------------------------------------------


def test_the_profile_turns_the_weekly_e_mail_off_and_on(cast_a):
    client = tenant_client(cast_a, cast_a.manager)
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    assert 'name="weekly_digest"' in page.text
    assert "checked" in page.text
    assert "Weekly report e-mail" in page.text

    response = client.post("/accounts/profile/", {})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        assert User.objects.get(pk=cast_a.manager.pk).weekly_digest is False
        assert cast_a.manager not in digest_recipients()

    client.post("/accounts/profile/", {"weekly_digest": "on"})
    with tenant_context(cast_a.tenant):
        assert User.objects.get(pk=cast_a.manager.pk).weekly_digest is True


def test_the_profile_is_only_ones_own_and_needs_signing_in(cast_a):
    response = tenant_client(cast_a).post("/accounts/profile/", {})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    with tenant_context(cast_a.tenant):
        assert User.objects.get(pk=cast_a.manager.pk).weekly_digest is True
    # A rep's post changes the rep only.
    tenant_client(cast_a, cast_a.rep).post("/accounts/profile/", {})
    with tenant_context(cast_a.tenant):
        assert User.objects.get(pk=cast_a.rep.pk).weekly_digest is False
        assert User.objects.get(pk=cast_a.manager.pk).weekly_digest is True


# Beat and the worker --------------------------------------------------------------------------


def test_the_beat_runs_the_task_hourly_in_every_tenant():
    entry = settings.CELERY_BEAT_SCHEDULE["analytics-weekly-digest"]
    assert entry["task"] == digest_weekly_send.name == "analytics.tasks.digest_weekly_send"
    assert entry["schedule"] == 60 * 60
    assert "tenant_schemas" not in entry  # every tenant, not a chosen few


@pytest.mark.worker
def test_the_task_runs_through_the_worker_in_its_tenant_once(celery_worker, committed_db):
    cast = _load_cast("alpha")
    week = "2026-W40"
    try:
        with tenant_context(cast.tenant):
            first = digest_weekly_send.delay(week=week)
        assert AsyncResult(first.id).get(timeout=30) == {
            "sent": 2,
            "skipped": 0,
            "failed": 0,
            "week": week,
        }
        with tenant_context(cast.tenant):
            again = digest_weekly_send.delay(week=week)
        assert AsyncResult(again.id).get(timeout=30)["sent"] == 0
        with tenant_context(cast.tenant):
            assert set(DigestSent.objects.filter(week=week).values_list("user_id", flat=True)) == {
                cast.manager.pk,
                cast.admin.pk,
            }
    finally:
        with tenant_context(cast.tenant):
            DigestSent.objects.filter(week=week).delete()
