"""Where the current tenant's site is, for absolute links in e-mails.

It reads the domain model through django-tenants (``get_tenant_domain_model``) rather than by
importing leadcrm.tenancy: accounts and notifications build links, and tenancy's provisioning
creates users through accounts, so an import here would close a cycle."""

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_tenant_domain_model


def tenant_origin() -> str:
    """The current tenant's origin for links in emails (notification_send, user_invite), in a
    request or a job alike: ``https://acme.example.com``, with LEADCRM_URL_SCHEME and
    LEADCRM_URL_PORT when set (``http://acme.localhost:8000`` on a developer's machine).
    Empty when unknown.

    Looked up by schema name: under schema_context (commands, shells) the connection holds a
    stand-in tenant without domains, while the worker and requests hold the real one."""
    domain = (
        get_tenant_domain_model()
        .objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    if not domain:
        return ""
    port = f":{settings.LEADCRM_URL_PORT}" if settings.LEADCRM_URL_PORT else ""
    return f"{settings.LEADCRM_URL_SCHEME}://{domain}{port}"
