"""Rules for subdomains and the schema names the server derives from them."""

import re

from django.utils.translation import gettext as _

from leadcrm.tenancy.errors import ProvisioningError

SUBDOMAIN_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SCHEMA_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
SUBDOMAIN_MAX_LENGTH = 40

# Names that would clash with infrastructure, Postgres, or look like our own pages.
RESERVED = frozenset(
    {
        "public",
        "information_schema",
        "postgres",
        "template0",
        "template1",
        "default",
        "admin",
        "administrator",
        "api",
        "app",
        "assets",
        "auth",
        "billing",
        "blog",
        "cdn",
        "dashboard",
        "demo-admin",
        "dev",
        "docs",
        "ftp",
        "help",
        "imap",
        "localhost",
        "login",
        "logout",
        "mail",
        "media",
        "mx",
        "ns",
        "ns1",
        "ns2",
        "pop",
        "pop3",
        "root",
        "signup",
        "smtp",
        "static",
        "status",
        "support",
        "system",
        "test",
        "www",
        "www1",
        "www2",
        "leadcrm",
    }
)


def subdomain_clean(raw: str) -> str:
    """Return the normalised subdomain or raise ProvisioningError saying what is wrong."""
    subdomain = (raw or "").strip().lower()
    if not subdomain:
        raise ProvisioningError(_("Choose a subdomain."), field="subdomain")
    if len(subdomain) < 2 or len(subdomain) > SUBDOMAIN_MAX_LENGTH:
        raise ProvisioningError(
            _("A subdomain has 2 to %(max)d characters.") % {"max": SUBDOMAIN_MAX_LENGTH},
            field="subdomain",
        )
    if not SUBDOMAIN_RE.match(subdomain):
        raise ProvisioningError(
            _(
                "Use lower-case letters, digits and single hyphens, starting with a letter "
                "(for example acme or acme-asia)."
            ),
            field="subdomain",
        )
    if subdomain in RESERVED or subdomain.startswith("pg-") or subdomain.startswith("xn--"):
        raise ProvisioningError(_("This subdomain is reserved."), field="subdomain")
    return subdomain


def schema_name_for(subdomain: str) -> str:
    """Derive the Postgres schema name from an already cleaned subdomain.

    The schema name is never taken raw from user input: it is rebuilt from the cleaned
    subdomain and checked again against the schema rules.
    """
    schema = subdomain_clean(subdomain).replace("-", "_")
    if not SCHEMA_RE.match(schema) or schema.startswith("pg_") or schema in RESERVED:
        raise ProvisioningError(_("This subdomain cannot be used."), field="subdomain")
    return schema
