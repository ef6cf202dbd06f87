"""The e-mail links harness: every e-mail the product sends, and every link in it opens.

Each case below makes the product send its e-mails the way a person or a job does (the mails
leave when the transaction commits, so the case wraps the sending step in ``sending()``).
For every e-mail the harness reads each link in the body and checks that it is absolute, on
the tenant's own host, and that the recipient gets a 200 for it on that host, signed in (or
signed out, for the account e-mails of people who cannot sign in yet), following redirects
that stay on the host and landing on the link's own page (not the sign-in page, not a "this
link is invalid" page). A relative link, a link to another host or one that does not open
fails the run.

The harness also checks that it covers what can send e-mail:
- every Notification.Kind is e-mailed by some case, or is declared in IN_APP_ONLY with the
  reason (and then no case may e-mail it): a new kind fails the run until it is one or other;
- every module that sends mail (``send_mail(``, ``email=True`` ...) is listed in SENDERS with
  the cases that exercise it: a new sender fails the run until it has a case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from tests.conftest import PROJECT_DIR, Cast, tenant_client

Kind = Notification.Kind
Sending = Callable[[], AbstractContextManager]


@dataclass(frozen=True)
class Case:
    #: (cast, sending) -> None; runs in tenant A's schema. Set up first, then send inside
    #: ``with sending():`` so the mails leave as on a real commit.
    send: Callable[[Cast, Sending], None]
    #: The notification kinds this case e-mails (each e-mailed notification must be one).
    kinds: frozenset[str] = frozenset()
    #: E-mails that are not notifications (invitation, password reset).
    other_mails: int = 0
    #: Whether the recipient opens the links signed in (account e-mails are for people who
    #: cannot sign in yet), and the path a link must land on if not its own (a regex).
    signed_in: bool = True
    lands_on: str = ""


# The cases ----------------------------------------------------------------------------------


def _rep_lead(cast: Cast, name: str = "Mail Probe Lead"):
    from leads.services.lead import lead_create

    return lead_create(actor=cast.rep, owner=cast.rep, name=name, company="Probe Co")


def _assigned_by_a_person(cast, sending):
    from leads.services.lead import lead_assign

    lead = _rep_lead(cast)
    with sending():
        lead_assign(lead=lead, owner=cast.teammate, actor=cast.manager)


def _route_to_teammate(cast):
    from pools.services.rules import rule_save

    rule_save(
        actor=cast.admin,
        name="Everything to the teammate",
        triggers=["new"],
        conditions=[],
        target_type="user",
        target_user=cast.teammate,
    )


def _routed_to_an_owner(cast, sending):
    from leads.services.lead import lead_create
    from pools.services.routing import leads_route

    _route_to_teammate(cast)
    lead = lead_create(actor=cast.admin, name="Routed Probe")
    with sending():
        leads_route([lead.pk])


def _several_routed_to_an_owner(cast, sending):
    from leads.services.lead import lead_create
    from pools.services.routing import leads_route

    _route_to_teammate(cast)
    leads = [lead_create(actor=cast.admin, name=f"Routed Probe {i}") for i in range(3)]
    with sending():
        leads_route([lead.pk for lead in leads])


def _pool(cast):
    from pools.models import Pool

    pool = Pool.objects.create(name="Mail Probe Pool", mode=Pool.Mode.BOTH)
    pool.members.add(cast.rep, cast.teammate)
    pool.admins.add(cast.pool_admin)
    return pool


def _pooled(cast, pool, name="Pooled Probe"):
    from leads.services.lead import lead_create
    from pools.services.claim import pool_lead_add

    lead = lead_create(actor=cast.pool_admin, name=name)
    pool_lead_add(pool=pool, lead=lead, actor=cast.pool_admin)
    return lead


def _pool_allocates(cast, sending):
    from pools.services.claim import pool_allocate

    pool = _pool(cast)
    lead = _pooled(cast, pool)
    with sending():
        pool_allocate(pool=pool, lead=lead, to_user=cast.teammate, actor=cast.pool_admin)


def _pool_withdraws(cast, sending):
    from pools.services.claim import pool_claim, pool_withdraw

    pool = _pool(cast)
    lead = _pooled(cast, pool)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    with sending():
        pool_withdraw(lead=lead, actor=cast.pool_admin, reason="Rebalancing")


def _pool_warns_then_reclaims(cast, sending):
    from pools.models import PoolEntry
    from pools.services.claim import pool_claim
    from pools.services.reclaim import pool_reclaim_due

    pool = _pool(cast)
    pool.reclaim_no_follow_up_days, pool.reclaim_warning_days = 5, 2
    pool.save()
    for name, days_ago in (("Soon Reclaimed", 4), ("Reclaimed Now", 6)):
        lead = _pooled(cast, pool, name=name)
        pool_claim(pool=pool, lead=lead, actor=cast.rep)
        PoolEntry.objects.filter(lead=lead).update(
            claimed_at=timezone.now() - timedelta(days=days_ago)
        )
    with sending():
        pool_reclaim_due()


def _low_score_handoff(cast, sending):
    from leads.models import Lead
    from pools.models import RoutingSettings
    from pools.services.handoff import low_score_handoff_due
    from pools.services.rules import rule_save

    pool = _pool(cast)  # the rep is a member: the handed-off lead stays in their sight
    rule_save(
        actor=cast.admin,
        name="Low scores to the probe pool",
        triggers=["low_score"],
        conditions=[],
        target_type="pool",
        target_pool=pool,
    )
    RoutingSettings.objects.update_or_create(singleton=True, defaults={"low_score_enabled": True})
    lead = _rep_lead(cast, name="Cold Probe Lead")
    Lead.objects.filter(pk=lead.pk).update(score=5, assigned_at=timezone.now() - timedelta(days=30))
    with sending():
        low_score_handoff_due()


def _bulk_assign(cast, sending):
    from leads.services.bulk import lead_bulk_action

    leads = [_rep_lead(cast, name=f"Bulk Probe {i}") for i in range(2)]
    with sending():
        lead_bulk_action(
            actor=cast.manager,
            uuids=[lead.uuid for lead in leads],
            action="assign",
            owner=cast.teammate,
        )


def _shared_with_a_member(cast, sending):
    from leads.services.sharing import lead_member_add

    lead = _rep_lead(cast)
    with sending():
        lead_member_add(lead=lead, user=cast.teammate, access="read", actor=cast.rep)


def _mentioned_in_a_comment(cast, sending):
    from leads.services.comments import comment_add

    lead = _rep_lead(cast)
    with sending():
        comment_add(lead=lead, author=cast.rep, body=f"@{cast.manager.full_name} call them?")


def _followup_reminders(cast, sending):
    from leads.services.followups import followup_create, followup_reminders_send

    lead = _rep_lead(cast)
    for title, minutes in (("Call soon", 30), ("Call late", -60)):
        followup_create(
            lead=lead,
            actor=cast.rep,
            title=title,
            due_at=timezone.now() + timedelta(minutes=minutes),
        )
    with sending():
        followup_reminders_send()


def _import_finished(cast, sending):
    from leads.importing.services import import_job_create, import_job_start, import_run

    job = import_job_create(actor=cast.admin, filename="probe.csv", data=b"Name\nOne\nTwo\n")
    job = import_job_start(
        job=job,
        actor=cast.admin,
        mapping=job.mapping,
        on_duplicate="skip",
        owner=cast.rep,
        source_detail="Mail probe fair",
        run_rules=False,
    )
    with sending():
        import_run(job.pk)


def _invitation(cast, sending):
    from leadcrm.accounts.services import user_create, user_invite

    user = user_create(
        email="mail.probe@alpha.example.com", full_name="Ivy Probe", roles=["sales_rep"]
    )
    with sending():
        user_invite(user=user, invited_by=cast.admin)


def _password_reset(cast, sending):
    with sending():
        tenant_client(cast).post("/accounts/password-reset/", {"email": cast.rep.email})


def _weekly_digest(cast, sending):
    from analytics.digest import DigestWeek, digests_send_due

    last_week = DigestWeek.containing(timezone.localdate() - timedelta(days=7))
    with sending():
        digests_send_due(week=last_week)  # to the tenant's admin and manager


def _email_to_a_lead(cast, sending):
    from django.urls import reverse

    from leadcrm.origin import tenant_origin
    from leads.models import WebForm
    from leads.services.emails import email_compose, email_deliver

    lead = _rep_lead(cast)
    lead.email = "probe.lead@example.cn"
    lead.save(update_fields=["email"])
    form = WebForm.objects.create(name="Mail probe form")
    page = tenant_origin() + reverse("leads-webform-public", kwargs={"uuid": form.uuid})
    message = email_compose(lead=lead, actor=cast.rep, subject="Probe", body=f"Fill in {page}.")
    with sending():
        email_deliver(message_id=message.pk)  # what the task does once the compose commits


def _email_settings_test(cast, sending):
    from leads.services.email_setup import email_settings_test

    with sending():
        email_settings_test(actor=cast.admin)


#: Where a valid password link lands (an invalid one answers 200 on its own path, saying so).
SET_PASSWORD = r"/accounts/password-reset/[^/]+/set-password/"

CASES: dict[str, Case] = {
    "assigned_by_a_person": Case(_assigned_by_a_person, frozenset({Kind.LEAD_ASSIGNED})),
    "routed_to_an_owner": Case(_routed_to_an_owner, frozenset({Kind.LEAD_ASSIGNED})),
    "several_routed_to_an_owner": Case(
        _several_routed_to_an_owner, frozenset({Kind.LEAD_ASSIGNED})
    ),
    "pool_allocates": Case(_pool_allocates, frozenset({Kind.LEAD_ASSIGNED})),
    "pool_withdraws": Case(_pool_withdraws, frozenset({Kind.LEAD_WITHDRAWN})),
    "pool_warns_then_reclaims": Case(
        _pool_warns_then_reclaims, frozenset({Kind.RECLAIM_WARNING, Kind.LEAD_RECLAIMED})
    ),
    "low_score_handoff": Case(_low_score_handoff, frozenset({Kind.LEAD_RECLAIMED})),
    "bulk_assign": Case(_bulk_assign, frozenset({Kind.LEAD_ASSIGNED})),
    "shared_with_a_member": Case(_shared_with_a_member),  # in the app only
    "mentioned_in_a_comment": Case(_mentioned_in_a_comment, frozenset({Kind.MENTION})),
    "followup_reminders": Case(_followup_reminders, frozenset({Kind.TASK_DUE, Kind.TASK_OVERDUE})),
    # The starter hears it finished in the app; the owner who got the leads by e-mail.
    "import_finished": Case(_import_finished, frozenset({Kind.LEAD_ASSIGNED})),
    "invitation": Case(_invitation, other_mails=1, signed_in=False, lands_on=SET_PASSWORD),
    "password_reset": Case(_password_reset, other_mails=1, signed_in=False, lands_on=SET_PASSWORD),
    # Not a notification: its own e-mail (plain text and HTML), to each manager and admin.
    "weekly_digest": Case(_weekly_digest, other_mails=2),
    # To the lead, who signs in nowhere: its links are tracked ones that redirect (on the
    # tenant's host here) to the page the rep wrote.
    "email_to_a_lead": Case(
        _email_to_a_lead, other_mails=1, signed_in=False, lands_on=r"/f/[0-9a-f-]+/"
    ),
    # Settings → E-mail's "Send test", to the admin who pressed it: back to that page.
    "email_settings_test": Case(_email_settings_test, other_mails=1),
}

#: Kinds that are never e-mailed, and why.
IN_APP_ONLY: dict[str, str] = {
    Kind.LEAD_SHARED: "lead_member_add tells the new team member in the app only",
    Kind.GENERAL: "an import finished, a pool's admins hear of returns and moves: in the app",
}

#: Every module that sends e-mail, and the cases that make it send.
SENDERS: dict[str, tuple[str, ...]] = {
    "leadcrm/notifications/services.py": tuple(n for n, c in CASES.items() if c.kinds),
    "leadcrm/accounts/services.py": ("invitation",),
    "leadcrm/accounts/views.py": ("password_reset",),
    "analytics/digest.py": ("weekly_digest",),
    "leads/services/lead.py": (
        "assigned_by_a_person",
        "routed_to_an_owner",
        "several_routed_to_an_owner",
        "pool_allocates",
        "bulk_assign",
        "import_finished",
    ),
    "leads/services/comments.py": ("mentioned_in_a_comment",),
    "leads/services/followups.py": ("followup_reminders",),
    "pools/services/events.py": ("pool_withdraws", "pool_warns_then_reclaims"),
    "pools/services/handoff.py": ("low_score_handoff",),
    "leads/services/emails.py": ("email_to_a_lead",),
    "leads/services/email_setup.py": ("email_settings_test",),
}

#: What marks a module as one that sends e-mail.
SENDING = re.compile(
    r"\bsend_mail\(|\bsend_mass_mail\(|\bmail_admins\(|\bmail_managers\(|EmailMessage\("
    r"|EmailMultiAlternatives\(|\bemail=True\b|PasswordResetView\)|\.email_user\("
)
SOURCE_DIRS = ("leadcrm", "leads", "pools", "scoring", "conversion", "analytics")


# The harness --------------------------------------------------------------------------------

#: A link: an absolute URL, or a path standing alone (what a relative link looks like).
LINK = re.compile(r"https?://[^\s<>\"']+|(?<!\S)/[^\s<>\"']*")


def _links(body: str) -> list[str]:
    return [link.rstrip(".,;:!?)") for link in LINK.findall(body)]


def _opens(cast: Cast, user: User | None, link: str) -> tuple[int, str]:
    """GET ``link`` on its own host (as ``user`` if given), following redirects that stay on
    that host; returns the final status and path."""
    parts = urlsplit(link)
    client = tenant_client(cast, user)
    secure = parts.scheme == "https"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for _hop in range(5):
        response = client.get(target, HTTP_HOST=parts.netloc, secure=secure)
        if response.status_code not in (301, 302, 303, 307, 308):
            return response.status_code, response.wsgi_request.path
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", parts.netloc), f"{link} redirects off its host"
        target = location.path + (f"?{location.query}" if location.query else "")
    raise AssertionError(f"{link} redirects in circles")


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_every_link_in_every_email_is_absolute_on_the_tenants_host_and_opens(
    case_name, cast_a, mailoutbox, django_capture_on_commit_callbacks
):
    case = CASES[case_name]
    with tenant_context(cast_a.tenant):
        case.send(cast_a, lambda: django_capture_on_commit_callbacks(execute=True))
        emailed = list(Notification.objects.filter(emailed_at__isnull=False))
        users = {u.email: u for u in User.objects.all()}
    assert {n.kind for n in emailed} == set(case.kinds)
    assert not [n.kind for n in emailed if n.kind in IN_APP_ONLY]
    assert len(mailoutbox) == len(emailed) + case.other_mails, [m.subject for m in mailoutbox]
    for message in mailoutbox:
        links = _links(message.body)
        assert links, f"{case_name}: “{message.subject}” carries no link:\n{message.body}"
        for link in links:
            parts = urlsplit(link)
            assert parts.scheme in ("http", "https"), f"{case_name}: {link!r} is not absolute"
            assert parts.hostname == cast_a.host, f"{case_name}: {link} is not on {cast_a.host}"
            (recipient,) = message.to
            reader = users[recipient] if case.signed_in else None
            status, path = _opens(cast_a, reader, link)
            lands_on = case.lands_on or re.escape(parts.path)
            assert (status, bool(re.fullmatch(lands_on, path))) == (200, True), (
                f"{case_name}: {link} answered {status} at {path} for {recipient}"
            )


def test_every_notification_kind_is_emailed_by_a_case_or_declared_in_app_only():
    emailed = set().union(*(case.kinds for case in CASES.values()))
    assert not emailed & set(IN_APP_ONLY), "a kind cannot be both e-mailed and in-app only"
    missing = set(Kind.values) - emailed - set(IN_APP_ONLY)
    assert not missing, (
        f"add a case to tests/test_email_links.py that e-mails {sorted(missing)}, "
        "or declare them in IN_APP_ONLY with the reason"
    )


def test_every_module_that_sends_email_has_cases():
    senders = set()
    for folder in SOURCE_DIRS:
        for path in (PROJECT_DIR / folder).rglob("*.py"):
            if "migrations" not in path.parts and SENDING.search(path.read_text()):
                senders.add(path.relative_to(PROJECT_DIR).as_posix())
    missing = sorted(senders - set(SENDERS))
    assert not missing, f"add cases to tests/test_email_links.py for the mail sent by {missing}"
    gone = sorted(set(SENDERS) - senders)
    assert not gone, f"these modules no longer send mail; drop them from SENDERS: {gone}"
    for module, cases in SENDERS.items():
        assert cases, f"{module} sends mail but no case makes it"
        assert set(cases) <= set(CASES), f"{module} names unknown cases"


def test_the_harness_spots_a_relative_link():
    body = "Assigned by Morgan.\n\n/leads/0b0e/\n\nhttps://alpha.localhost/x/ and ok."
    assert _links(body) == ["/leads/0b0e/", "https://alpha.localhost/x/"]
