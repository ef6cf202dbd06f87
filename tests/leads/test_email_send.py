"""E-mail from the lead page: templates and merge fields (filled once, nothing runs), the
outbox sent once by a real worker and on retries, the Email activity, the tenant's mail server
and its "Send test" (Django's locmem backend standing in for SMTP), the write-only password,
open and click tracking through scoring's tokens (no open redirect, 404 for forged or other
tenants' tokens), and who may send."""

from __future__ import annotations

import itertools
import smtplib
import time

import pytest
from django.core.mail.backends import locmem
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Activity, EmailSettings, EmailTemplate, Lead, LeadEmail
from leads.services import email_setup
from leads.services import emails as email_services
from leads.services import lead as lead_services
from leads.services.merge import lead_merge
from scoring.models import BehaviourEvent
from tests.conftest import _load_cast, tenant_client

CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
BROCHURE = "https://www.example.com/brochure.pdf?utm_source=crm&x=1"
_addresses = itertools.count(1)


class RecordingSMTP(locmem.EmailBackend):
    """Django's locmem backend in the place of the SMTP one: it takes the server settings the
    SMTP backend would, keeps them in ``made``, and raises the errors queued in ``fail_with``."""

    made: list[dict] = []
    fail_with: list[Exception] = []

    def __init__(self, *, host, port, username, password, use_tls, use_ssl, timeout, **kwargs):
        super().__init__(**kwargs)
        RecordingSMTP.made.append(
            {
                "host": host,
                "port": port,
                "username": username,
                "password": password,
                "use_tls": use_tls,
                "use_ssl": use_ssl,
            }
        )

    def send_messages(self, messages):
        if RecordingSMTP.fail_with:
            raise RecordingSMTP.fail_with.pop(0)
        return super().send_messages(messages)


@pytest.fixture
def smtp(monkeypatch):
    monkeypatch.setattr(email_setup, "SMTP_BACKEND", f"{__name__}.RecordingSMTP")
    RecordingSMTP.made, RecordingSMTP.fail_with = [], []
    return RecordingSMTP


def _server(cast, **changes):
    values = {
        "host": "smtp.alpha-mail.example.com",
        "port": 587,
        "security": "starttls",
        "username": "sales@alpha.example.com",
        "password": "pa55-Word-Secret",
        "from_email": "sales@alpha.example.com",
        "from_name": "Alpha Sales",
    }
    return email_setup.email_settings_save(actor=cast.admin, **(values | changes))


def _lead(cast, **fields):
    values = {"name": "Zhao Min", "company": "Suzhou Hengli Valves", "email": "zhao@hengli.cn"}
    return lead_services.lead_create(actor=cast.rep, owner=cast.rep, **(values | fields))


def _compose(cast, lead=None, body=f"Our brochure: {BROCHURE}.", **fields):
    return email_services.email_compose(
        lead=lead or _lead(cast), actor=cast.rep, subject="Valves for Suzhou", body=body, **fields
    )


def _browser(cast):
    """A person's browser on ``cast``'s host, from an address of its own."""
    client = tenant_client(cast)
    n = next(_addresses)
    client.defaults.update(HTTP_USER_AGENT=CHROME, REMOTE_ADDR=f"203.0.{n // 250}.{n % 250 + 1}")
    return client


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- merge fields ----------------------------------------------------------------------------


def test_merge_fields_fill_in_the_leads_and_the_owners_values(in_tenant_a):
    lead = _lead(in_tenant_a, job_title="Buyer")
    text = "Dear {{lead.name}} ({{ lead.job_title }}, {{lead.company}}): {{owner.name}} <{{owner.email}}>, sent by {{sender.name}}"
    filled = email_setup.merge_fields_render(text, lead=lead, sender=in_tenant_a.manager)
    assert filled == (
        f"Dear Zhao Min (Buyer, Suzhou Hengli Valves): {in_tenant_a.rep.full_name} "
        f"<{in_tenant_a.rep.email}>, sent by {in_tenant_a.manager.full_name}"
    )


def test_merge_fields_are_filled_once_and_nothing_in_the_text_runs(in_tenant_a):
    lead = _lead(
        in_tenant_a, name="{{owner.email}}", company="{% debug %}{{ settings.SECRET_KEY }}"
    )
    text = "Hi {{lead.name}} at {{lead.company}} {{lead.secret}} {% now 'Y' %}"
    filled = email_setup.merge_fields_render(text, lead=lead, sender=in_tenant_a.rep)
    assert filled == (
        "Hi {{owner.email}} at {% debug %}{{ settings.SECRET_KEY }} {{lead.secret}} {% now 'Y' %}"
    )
    assert in_tenant_a.rep.email not in filled


def test_a_template_with_an_unknown_merge_field_is_refused_and_names_it(in_tenant_a):
    with pytest.raises(LeadError) as refused:
        email_setup.email_template_save(
            actor=in_tenant_a.admin, name="Intro", subject="Hi", body="Dear {{lead.nmae}}"
        )
    assert (refused.value.field, "{{lead.nmae}}" in refused.value.message) == ("body", True)
    assert not EmailTemplate.objects.exists()


def test_the_html_part_escapes_what_the_rep_and_the_lead_wrote(in_tenant_a):
    lead = _lead(in_tenant_a, name="<b>Zhao</b>")
    message = _compose(in_tenant_a, lead, body="Hello <script>alert(1)</script> & welcome")
    assert "<script>" not in message.html_sent
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; welcome" in message.html_sent


# --- sending ---------------------------------------------------------------------------------


@pytest.mark.worker
def test_the_email_goes_out_through_the_worker_and_is_logged_as_an_email_activity(
    celery_worker, committed_db
):
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        lead = _lead(cast, name="Worker Mail Lead")
    try:
        with tenant_context(cast.tenant):
            message = _compose(cast, lead)  # queued on commit: the worker takes it
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                message.refresh_from_db()
                if message.status != LeadEmail.Status.QUEUED:
                    break
                time.sleep(0.2)
            assert (message.status, message.attempts, message.sent_via) == ("sent", 1, "default")
            activity = Activity.objects.get(lead=lead)
            assert message.activity == activity
            assert (activity.kind, activity.subject, activity.created_by) == (
                "email",
                "Valves for Suzhou",
                cast.rep,
            )
    finally:
        with tenant_context(cast.tenant):
            Lead.history.filter(id=lead.pk).delete()
            Lead.objects.filter(pk=lead.pk).delete()  # its e-mail, activity and tokens too


def test_a_retried_delivery_sends_the_email_once_and_logs_one_activity(in_tenant_a, mailoutbox):
    message = _compose(in_tenant_a)
    email_services.email_deliver(message_id=message.pk)
    email_services.email_deliver(message_id=message.pk)  # the task delivered again
    assert len(mailoutbox) == 1
    assert Activity.objects.filter(lead=message.lead, kind="email").count() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    (sent,) = mailoutbox
    assert sent.to == ["zhao@hengli.cn"]
    assert sent.reply_to == [in_tenant_a.rep.email]
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert message.lead.activities.get().email == message


def test_the_email_leaves_through_the_tenants_server_with_its_settings(
    in_tenant_a, smtp, mailoutbox
):
    _server(in_tenant_a)
    message = _compose(in_tenant_a)
    email_services.email_deliver(message_id=message.pk)
    assert smtp.made == [
        {
            "host": "smtp.alpha-mail.example.com",
            "port": 587,
            "username": "sales@alpha.example.com",
            "password": "pa55-Word-Secret",
            "use_tls": True,
            "use_ssl": False,
        }
    ]
    assert mailoutbox[0].from_email == "Alpha Sales <sales@alpha.example.com>"
    message.refresh_from_db()
    assert message.sent_via == "smtp.alpha-mail.example.com:587"


def test_a_server_that_hangs_up_leaves_the_email_queued_and_the_retry_sends_it_once(
    in_tenant_a, smtp, mailoutbox
):
    _server(in_tenant_a)
    smtp.fail_with = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]
    message = _compose(in_tenant_a)
    with pytest.raises(email_services.DeliveryFailed) as failed:
        email_services.email_deliver(message_id=message.pk)
    assert failed.value.temporary
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == (
        "queued",
        1,
        "Connection unexpectedly closed",
    )
    assert not Activity.objects.filter(lead=message.lead).exists()
    email_services.email_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error, len(mailoutbox)) == ("sent", 2, "", 1)


def test_a_refused_recipient_fails_the_email_without_a_retry(in_tenant_a, smtp, mailoutbox):
    _server(in_tenant_a)
    smtp.fail_with = [
        smtplib.SMTPRecipientsRefused({"zhao@hengli.cn": (550, b"5.1.1 No such user")})
    ]
    message = _compose(in_tenant_a)
    with pytest.raises(email_services.DeliveryFailed) as failed:
        email_services.email_deliver(message_id=message.pk)
    assert not failed.value.temporary
    message.refresh_from_db()
    assert (message.status, message.error) == ("failed", "550 5.1.1 No such user")
    assert email_services.email_deliver(message_id=message.pk).status == "failed"  # not again
    assert mailoutbox == []


def test_giving_up_marks_a_queued_email_not_sent_but_never_a_sent_one(in_tenant_a, mailoutbox):
    queued, sent = _compose(in_tenant_a), _compose(in_tenant_a)
    email_services.email_deliver(message_id=sent.pk)
    assert email_services.email_give_up(message_id=queued.pk, error="timed out")
    assert not email_services.email_give_up(message_id=sent.pk, error="timed out")
    queued.refresh_from_db()
    sent.refresh_from_db()
    assert (queued.status, queued.error, sent.status) == ("failed", "timed out", "sent")


def test_emails_follow_the_survivor_of_a_merge(in_tenant_a):
    keep, gone = _lead(in_tenant_a), _lead(in_tenant_a, name="Zhao Min (2)")
    message = _compose(in_tenant_a, gone)
    lead_merge(survivor=keep, others=[gone], values=None, actor=in_tenant_a.admin)
    message.refresh_from_db()
    assert message.lead == keep


# --- writing from the lead page ---------------------------------------------------------------


def test_a_rep_writes_from_a_template_on_the_emails_tab_and_sends(in_tenant_a):
    lead = _lead(in_tenant_a)
    template = email_setup.email_template_save(
        actor=in_tenant_a.admin,
        name="First contact",
        subject="Valves for {{lead.company}}",
        body="Dear {{lead.name}},\n\nI am {{owner.name}}.",
    )
    client = tenant_client(in_tenant_a, in_tenant_a.rep)
    page = client.get(f"/leads/{lead.uuid}/?tab=emails&template={template.uuid}").content.decode()
    assert "Valves for Suzhou Hengli Valves" in page
    assert f"I am {in_tenant_a.rep.full_name}." in page
    response = client.post(
        f"/leads/{lead.uuid}/emails/",
        {"template": template.uuid, "subject": "Valves for you", "body": "Dear Zhao Min"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "E-mail queued" in response.content.decode()
    message = LeadEmail.objects.get(lead=lead)
    assert (message.template, message.status, message.sender) == (
        template,
        "queued",
        in_tenant_a.rep,
    )


def test_the_tab_says_when_mail_only_reaches_the_console_or_the_lead_has_no_address(
    in_tenant_a, monkeypatch
):
    monkeypatch.setattr(email_setup, "default_mailer_writes_to_console", lambda: True)
    client = tenant_client(in_tenant_a, in_tenant_a.rep)
    page = client.get(f"/leads/{_lead(in_tenant_a).uuid}/?tab=emails").content.decode()
    assert "the e-mail is only written to the server" in page
    _server(in_tenant_a)  # a real server: no such warning
    page = client.get(f"/leads/{_lead(in_tenant_a).uuid}/?tab=emails").content.decode()
    assert "console" not in page
    no_address = _lead(in_tenant_a, email="")
    page = client.get(f"/leads/{no_address.uuid}/?tab=emails").content.decode()
    assert "This lead has no e-mail address." in page
    assert 'name="subject"' not in page  # no form to write in


def test_a_rep_who_may_not_see_the_lead_cannot_send_and_a_reader_is_refused(in_tenant_a):
    lead = _lead(in_tenant_a)
    post = {"subject": "Hi", "body": "Hello"}
    teammate = tenant_client(in_tenant_a, in_tenant_a.teammate)
    assert teammate.post(f"/leads/{lead.uuid}/emails/", post).status_code == 404
    from leads.services.sharing import lead_member_add

    lead_member_add(lead=lead, user=in_tenant_a.teammate, access="read", actor=in_tenant_a.rep)
    assert teammate.post(f"/leads/{lead.uuid}/emails/", post).status_code == 403
    assert "Write an e-mail" not in teammate.get(f"/leads/{lead.uuid}/?tab=emails").content.decode()
    assert not LeadEmail.objects.exists()


def test_masked_contacts_cannot_be_emailed_by_someone_who_sees_them_masked(in_tenant_a):
    from leads.services.sharing import lead_member_add
    from pools.models import Pool
    from pools.services.claim import pool_lead_add

    pool = Pool.objects.create(name="Mail Pool", mode=Pool.Mode.BOTH)
    pool.members.add(in_tenant_a.rep)
    lead = lead_services.lead_create(
        actor=in_tenant_a.admin, name="Pooled Wang", email="wang.secret@pooled.cn"
    )
    pool_lead_add(pool=pool, lead=lead, actor=in_tenant_a.admin)
    lead_member_add(lead=lead, user=in_tenant_a.rep, access="write", actor=in_tenant_a.admin)
    with pytest.raises(LeadError, match="hidden"):
        email_services.email_compose(lead=lead, actor=in_tenant_a.rep, subject="Hi", body="Hello")
    client = tenant_client(in_tenant_a, in_tenant_a.rep)
    response = client.post(f"/leads/{lead.uuid}/emails/", {"subject": "Hi", "body": "Hello"})
    assert "wang.secret@pooled.cn" not in response.content.decode()
    assert "hidden from you" in response.content.decode()
    assert not LeadEmail.objects.exists()


# --- tracking ---------------------------------------------------------------------------------


def test_the_open_pixel_records_an_open_once_and_the_tab_shows_it(in_tenant_a, mailoutbox):
    message = _compose(in_tenant_a)
    email_services.email_deliver(message_id=message.pk)
    assert 'width="1" height="1"' in mailoutbox[0].alternatives[0].content
    (pixel,) = [u for u in message.html_sent.split('"') if u.endswith("/p.gif")]
    browser = _browser(in_tenant_a)
    for _twice in range(2):
        response = browser.get(_path(pixel))
        assert (response.status_code, response["Content-Type"]) == (200, "image/gif")
    opens = BehaviourEvent.objects.filter(lead=message.lead, kind="email_open")
    assert opens.count() == 1
    (row,) = email_services.lead_emails(message.lead)
    assert row.opens == [opens.get().at]
    page = tenant_client(in_tenant_a, in_tenant_a.rep).get(
        f"/leads/{message.lead.uuid}/?tab=emails"
    )
    assert "Opened once" in page.content.decode()


def test_a_click_goes_only_to_its_stored_address_and_a_forged_token_is_a_404(in_tenant_a):
    message = _compose(in_tenant_a)
    (link,) = message.links
    assert link["url"] == BROCHURE  # the full stop after it is the sentence's
    tracked = next(w for w in message.body_sent.split() if "/t/" in w).rstrip(".")
    assert message.body_sent == f"Our brochure: {tracked}."
    browser = _browser(in_tenant_a)
    response = browser.get(
        _path(tracked) + "?next=https://evil.example.net/&url=//evil.example.net"
    )
    assert (response.status_code, response["Location"]) == (302, BROCHURE)
    (click,) = BehaviourEvent.objects.filter(lead=message.lead, kind="link_click")
    (row,) = email_services.lead_emails(message.lead)
    assert row.links[0].clicks == [click.at]
    forged = _path(tracked)[:-1] + ("A" if not tracked.endswith("A") else "B")
    assert browser.get(forged).status_code == 404
    assert browser.get(f"/t/{message.pixel_token}").status_code == 404  # a pixel is no link


def test_another_tenants_token_is_a_404_on_this_host_and_records_nothing(cast_a, cast_b):
    with tenant_context(cast_b.tenant):
        message_b = _compose(cast_b)
        (link_b,) = message_b.links
    browser = _browser(cast_a)
    assert browser.get(f"/t/{link_b['token']}").status_code == 404
    browser.get(f"/t/{message_b.pixel_token}/p.gif")
    with tenant_context(cast_b.tenant):
        assert not BehaviourEvent.objects.filter(lead=message_b.lead).exists()


# --- Settings → E-mail --------------------------------------------------------------------------


def test_send_test_goes_through_the_saved_server_and_says_what_happened(
    in_tenant_a, smtp, mailoutbox
):
    _server(in_tenant_a)
    client = tenant_client(in_tenant_a, in_tenant_a.admin)
    page = client.post("/settings/email/test/", follow=True).content.decode()
    assert f"Test e-mail sent to {in_tenant_a.admin.email}" in page
    assert [m.to for m in mailoutbox] == [[in_tenant_a.admin.email]]
    assert smtp.made[0]["host"] == "smtp.alpha-mail.example.com"
    smtp.fail_with = [smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials")]
    page = client.post("/settings/email/test/", follow=True).content.decode()
    assert "535 5.7.8 Bad credentials" in page
    assert EmailSettings.load().test_error == "535 5.7.8 Bad credentials"


def test_without_a_server_the_page_says_the_products_own_mail_settings_are_used(in_tenant_a):
    page = tenant_client(in_tenant_a, in_tenant_a.admin).get("/settings/email/").content.decode()
    assert "No mail server set up" in page


def test_the_smtp_password_is_never_rendered_back_and_an_empty_one_keeps_it(in_tenant_a):
    client = tenant_client(in_tenant_a, in_tenant_a.admin)
    form = {
        "host": "smtp.alpha-mail.example.com",
        "port": "587",
        "security": "starttls",
        "username": "sales",
        "password": "pa55-Word-Secret",
        "from_email": "sales@alpha.example.com",
        "from_name": "",
    }
    assert client.post("/settings/email/", form).status_code == 302
    assert "pa55-Word-Secret" not in client.get("/settings/email/").content.decode()
    refused = client.post("/settings/email/", form | {"port": "6379"})  # a cache, not mail
    assert "Use a mail port" in refused.content.decode()
    assert "pa55-Word-Secret" not in refused.content.decode()
    assert client.post("/settings/email/", form | {"password": ""}).status_code == 302
    assert EmailSettings.load().password == "pa55-Word-Secret"
    client.post("/settings/email/", form | {"password": "", "forget_password": "on"})
    assert EmailSettings.load().password == ""


def test_a_server_on_the_products_own_network_is_refused(in_tenant_a):
    for host in ("localhost", "127.0.0.1", "10.0.0.5", "169.254.169.254", "[::1]"):
        with pytest.raises(LeadError, match="own network"):
            _server(in_tenant_a, host=host)


def test_email_settings_are_for_tenant_admins_only(in_tenant_a):
    rep = tenant_client(in_tenant_a, in_tenant_a.rep)
    assert rep.get("/settings/email/").status_code == 403
    assert rep.post("/settings/email/test/").status_code == 403
    assert rep.post("/settings/email/templates/new/", {"name": "x"}).status_code == 403
    assert not EmailTemplate.objects.exists()


def test_a_tenant_admin_manages_templates(in_tenant_a):
    client = tenant_client(in_tenant_a, in_tenant_a.admin)
    data = {"name": "Follow-up", "subject": "After our call", "body": "Hi {{lead.name}}"}
    assert client.post("/settings/email/templates/new/", data).status_code == 302
    template = EmailTemplate.objects.get()
    page = client.get("/settings/email/").content.decode()
    assert "Follow-up" in page
    edit = client.post(f"/settings/email/templates/{template.uuid}/", data | {"body": "{{x.y}}"})
    assert "Unknown merge field" in edit.content.decode()
    client.post(f"/settings/email/templates/{template.uuid}/delete/")
    assert not EmailTemplate.objects.exists()
    assert "No templates yet" in client.get("/settings/email/").content.decode()
