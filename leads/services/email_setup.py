"""Settings → E-mail: the tenant's mail server (with its "Send test") and the e-mail templates,
and the mailer every e-mail to a lead leaves through (``mailer_for``).

Merge fields are filled by a one-pass substitution of the names in MERGE_FIELDS, never by a
template engine: a template (or a lead's name) can hold nothing that runs.
"""

from __future__ import annotations

import ipaddress
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leadcrm.accounts.models import User
from leadcrm.origin import tenant_origin
from leads.errors import LeadError
from leads.models import EmailSettings, EmailTemplate, Lead

#: The class that speaks SMTP to the tenant's server (tests put a recording one in its place).
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
#: Seconds to wait for the tenant's server: the "Send test" waits for it in the request.
SMTP_TIMEOUT = 15
#: The ports a mail server listens on. Any other (a database's, a cache's) is refused, so the
#: settings cannot make the product knock on other services; a developer machine (DEBUG) may
#: use any, e.g. a local catcher on 1025.
SMTP_PORTS = (25, 465, 587, 2525)
NAME_MAX, SUBJECT_MAX, BODY_MAX = 100, 200, 20_000

# --- merge fields ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeField:
    name: str
    label: str
    value: Callable[[Lead, User | None], str]


def _person(user: User | None, attribute: str) -> str:
    return str(getattr(user, attribute, "") or "") if user is not None else ""


MERGE_FIELDS = {
    field.name: field
    for field in (
        MergeField("lead.name", gettext_lazy("Lead's name"), lambda lead, _s: lead.name),
        MergeField("lead.company", gettext_lazy("Company"), lambda lead, _s: lead.company),
        MergeField("lead.job_title", gettext_lazy("Job title"), lambda lead, _s: lead.job_title),
        MergeField("lead.city", gettext_lazy("City"), lambda lead, _s: lead.city),
        MergeField(
            "owner.name",
            gettext_lazy("Owner's name"),
            lambda lead, _s: _person(lead.owner, "full_name"),
        ),
        MergeField(
            "owner.email",
            gettext_lazy("Owner's e-mail"),
            lambda lead, _s: _person(lead.owner, "email"),
        ),
        MergeField(
            "owner.phone",
            gettext_lazy("Owner's phone"),
            lambda lead, _s: _person(lead.owner, "phone"),
        ),
        MergeField(
            "sender.name",
            gettext_lazy("Sender's name"),
            lambda _l, sender: _person(sender, "full_name"),
        ),
        MergeField(
            "sender.email",
            gettext_lazy("Sender's e-mail"),
            lambda _l, sender: _person(sender, "email"),
        ),
    )
}
#: ``{{lead.name}}``, spaces inside the braces allowed.
MERGE_FIELD = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def merge_fields_render(text: str, *, lead: Lead, sender: User | None) -> str:
    """``text`` with each known merge field replaced by the lead's (or person's) value.

    One pass over ``text``: a value put in is never read again, so a lead called
    "{{owner.email}}" stays that text, and ``{% ... %}`` or an unknown ``{{...}}`` is left as
    written. Nothing is escaped here: the e-mail's HTML is escaped when it is built."""

    def value(match: re.Match) -> str:
        field = MERGE_FIELDS.get(match.group(1))
        return match.group(0) if field is None else field.value(lead, sender)

    return MERGE_FIELD.sub(value, text)


def merge_fields_unknown(text: str) -> list[str]:
    """The ``{{...}}`` names in ``text`` that are not merge fields, each once."""
    return list(dict.fromkeys(n for n in MERGE_FIELD.findall(text) if n not in MERGE_FIELDS))


# --- templates ------------------------------------------------------------------------------


def email_template_save(
    *, actor: User, template: EmailTemplate | None = None, name: str, subject: str, body: str
) -> EmailTemplate:
    """Create (``template`` None) or change a template. Raises LeadError for an empty part or a
    ``{{...}}`` that is not a merge field (the message names it)."""
    name, subject, body = name.strip(), " ".join(subject.split()), body.strip()
    for field, value, limit in (
        ("name", name, NAME_MAX),
        ("subject", subject, SUBJECT_MAX),
        ("body", body, BODY_MAX),
    ):
        if not value:
            raise LeadError(_("This field is required."), field=field)
        if len(value) > limit:
            raise LeadError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    for field, value in (("subject", subject), ("body", body)):
        unknown = merge_fields_unknown(value)
        if unknown:
            raise LeadError(
                _("Unknown merge field: %(names)s.")
                % {"names": ", ".join("{{" + n + "}}" for n in unknown)},
                field=field,
            )
    if template is None:
        return EmailTemplate.objects.create(name=name, subject=subject, body=body, created_by=actor)
    template.name, template.subject, template.body = name, subject, body
    template.save(update_fields=["name", "subject", "body", "updated_at"])
    return template


def email_template_delete(*, template: EmailTemplate, actor: User) -> None:
    """Delete a template; e-mails written from it keep their text."""
    template.delete()


# --- the tenant's mail server ---------------------------------------------------------------


def email_settings_save(
    *,
    actor: User,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    forget_password: bool = False,
    from_email: str,
    from_name: str,
) -> EmailSettings:
    """Save the tenant's mail server; an empty ``host`` goes back to the server's mailer.

    The password is write-only: an empty one keeps the saved password (forms never show it
    back), ``forget_password`` removes it. Raises LeadError for a port that is not a mail
    port, a host on the product's own network (both unless DEBUG), or a server without a
    from address."""
    host = host.strip().lower().rstrip(".")
    from_email, from_name = from_email.strip(), " ".join(from_name.split())
    if security not in EmailSettings.Security.values:
        raise LeadError(_("Choose the encryption."), field="security")
    if host:
        if not re.fullmatch(r"[a-z0-9.:\[\]-]{1,255}", host):
            raise LeadError(_("Enter the server's host name, e.g. smtp.example.com."), field="host")
        if not settings.DEBUG and _host_is_internal(host):
            raise LeadError(_("This server is on the product's own network."), field="host")
        if not settings.DEBUG and port not in SMTP_PORTS:
            raise LeadError(
                _("Use a mail port: %(ports)s.") % {"ports": ", ".join(map(str, SMTP_PORTS))},
                field="port",
            )
        if not from_email:
            raise LeadError(_("Say which address the e-mails come from."), field="from_email")
    if not 0 < port < 65536:
        raise LeadError(_("Enter a port between 1 and 65535."), field="port")
    if from_email:
        try:
            validate_email(from_email)
        except ValidationError as exc:
            raise LeadError(_("Enter a valid e-mail address."), field="from_email") from exc
    with transaction.atomic():
        row = EmailSettings.objects.select_for_update().get(pk=EmailSettings.load().pk)
        row.host, row.port, row.security = host, port, security
        row.username, row.from_email, row.from_name = username.strip(), from_email, from_name
        if forget_password:
            row.password = ""
        elif password:
            row.password = password
        row.updated_by, row.updated_at = actor, timezone.now()
        row.tested_at, row.test_error = None, ""  # a test of other settings says nothing
        row.save()
    return row


def _host_is_internal(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: resolved by the mail library when it connects
    return not address.is_global


@dataclass
class Mailer:
    """Where an e-mail leaves through: the connection, the From and Reply-To it carries, and
    ``via`` for the record ("smtp.example.com:587", or "default" for the server's mailer)."""

    backend: BaseEmailBackend
    from_email: str
    via: str

    def send(self, message: EmailMultiAlternatives) -> None:
        self.backend.send_messages([message])


def mailer_for(sender: User | None) -> Mailer:
    """The tenant's mail server if it has one, else the server's configured mailer (the
    console on a developer's machine). The From name is the tenant's, else the sender's."""
    row = EmailSettings.load()
    name = row.from_name or _person(sender, "full_name")
    if not row.configured:
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        return Mailer(mailers.default, formataddr((name, address)), "default")
    backend = import_string(SMTP_BACKEND)(
        alias="tenant-smtp",
        host=row.host,
        port=row.port,
        username=row.username or None,
        password=row.password or None,
        use_tls=row.security == EmailSettings.Security.STARTTLS,
        use_ssl=row.security == EmailSettings.Security.SSL,
        timeout=SMTP_TIMEOUT,
    )
    return Mailer(backend, formataddr((name, row.from_email)), f"{row.host}:{row.port}")


def default_mailer_writes_to_console() -> bool:
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    return backend.endswith("console.EmailBackend")


def smtp_error_text(exc: Exception) -> str:
    """What the server (or the network) said, for the person who set it up."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}"[:500]
    return (str(exc) or type(exc).__name__)[:500]


def smtp_error_is_temporary(exc: Exception) -> bool:
    """Worth trying again later: the server did not answer, hung up, or answered 4xx. A 5xx
    (a refused login, an unknown recipient) or anything else will not change by waiting."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)  # refused, timed out, name not found


def email_settings_test(*, actor: User) -> EmailSettings:
    """Send a test e-mail to ``actor`` through the saved settings, now (the person waits for
    the answer: at most SMTP_TIMEOUT), and keep when and what the server said."""
    mailer = mailer_for(actor)
    origin = tenant_origin()
    with translation.override(actor.language or settings.LANGUAGE_CODE):
        text = _(
            "This e-mail was sent from Settings → E-mail to check the mail server. "
            "E-mails to leads leave the same way."
        )
        if origin:
            text += "\n\n" + origin + reverse("leads-email-settings")
        message = EmailMultiAlternatives(
            subject=_("LeadCRM test e-mail"),
            body=text,
            from_email=mailer.from_email,
            to=[actor.email],
        )
    error = ""
    try:
        mailer.send(message)
    except (smtplib.SMTPException, OSError) as exc:
        error = smtp_error_text(exc) or _("The server did not accept the e-mail.")
    row = EmailSettings.load()
    row.tested_at, row.test_error = timezone.now(), error
    row.save(update_fields=["tested_at", "test_error"])
    return row
