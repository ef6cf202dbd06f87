"""Provisioning tenants: one service used by the sign-up page and the management command."""

import logging
import time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists, tenant_context

from leadcrm.accounts.errors import AccountsError
from leadcrm.accounts.roles import Role
from leadcrm.accounts.services import user_check_new, user_create
from leadcrm.ratelimit import window_count
from leadcrm.tenancy.errors import ProvisioningError
from leadcrm.tenancy.models import Domain, Tenant
from leadcrm.tenancy.signals import tenant_created
from leadcrm.tenancy.validators import schema_name_for, subdomain_clean

logger = logging.getLogger(__name__)


def tenant_domain_for(subdomain: str) -> str:
    return f"{subdomain}.{settings.LEADCRM_BASE_DOMAIN}"


#: Workspaces one client address may create: each is a schema of ~50 tables made in seconds,
#: so an anonymous loop must not be able to make thousands.
SIGNUPS_PER_HOUR = 3
SIGNUPS_PER_DAY = 10


def signup_allowed(*, address: str) -> bool:
    """Count a sign-up attempt from ``address``; False once it is over SIGNUPS_PER_HOUR in the
    hour or SIGNUPS_PER_DAY in the day (counted in the cache, on the public schema)."""
    return all(
        window_count(f"signup:{address}:{seconds}", seconds) <= limit
        for limit, seconds in ((SIGNUPS_PER_HOUR, 3600), (SIGNUPS_PER_DAY, 86400))
    )


def tenant_provision(
    *,
    subdomain: str,
    name: str,
    admin_email: str,
    admin_password: str,
    admin_full_name: str = "",
    default_language: str = "en",
) -> Tenant:
    """Create a tenant: its row, its schema with every tenant table, its domain and its admin.

    All-or-nothing: the steps run in one transaction, and Postgres DDL is transactional, so a
    failure at any step (a taken subdomain, a weak password, a crash in a migration) leaves no
    tenant row, no domain and no schema behind. Raises ProvisioningError with the field at fault.

    1. validate the subdomain and derive the schema name from it (never taken raw)
    2. refuse a taken subdomain, domain or schema
    3. in one transaction: tenant row, CREATE SCHEMA + migrations, domain, admin user
    """
    started = time.monotonic()
    subdomain = subdomain_clean(subdomain)
    schema_name = schema_name_for(subdomain)
    name = (name or "").strip()
    if not name:
        raise ProvisioningError(_("Enter your company's name."), field="name")
    domain = tenant_domain_for(subdomain)
    if (
        Tenant.objects.filter(slug=subdomain).exists()
        or Tenant.objects.filter(schema_name=schema_name).exists()
        or Domain.objects.filter(domain=domain).exists()
        or schema_exists(schema_name)
    ):
        raise ProvisioningError(_("This subdomain is already taken."), field="subdomain")

    try:  # cheap checks first: a weak password must not cost a schema creation
        user_check_new(email=admin_email, full_name=admin_full_name, password=admin_password)
    except AccountsError as exc:
        field = {"email": "admin_email", "password": "admin_password"}.get(exc.field or "")
        raise ProvisioningError(exc.message, field=field) from exc

    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(
                schema_name=schema_name,
                slug=subdomain,
                name=name,
                default_language=default_language,
            )
            tenant.create_schema(check_if_exists=False, verbosity=0)
            Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
            with tenant_context(tenant):
                user_create(
                    email=admin_email,
                    full_name=admin_full_name or admin_email.split("@")[0],
                    password=admin_password,
                    roles=[Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN],
                    language=default_language,
                )
                tenant_created.send(sender=Tenant, tenant=tenant)
    except AccountsError as exc:
        field = {"email": "admin_email", "password": "admin_password"}.get(exc.field or "")
        raise ProvisioningError(exc.message, field=field) from exc
    except IntegrityError as exc:  # a concurrent sign-up took the same subdomain first
        raise ProvisioningError(_("This subdomain is already taken."), field="subdomain") from exc
    finally:
        connection.set_schema_to_public()
    logger.info(
        "tenant provisioned schema=%s seconds=%.2f", schema_name, time.monotonic() - started
    )
    return tenant


def public_tenant_ensure() -> Tenant:
    """Make sure the public schema has its tenant row and the base domain (idempotent)."""
    tenant, _created = Tenant.objects.get_or_create(
        schema_name="public", defaults={"name": "LeadCRM", "slug": "public"}
    )
    Domain.objects.get_or_create(
        domain=settings.LEADCRM_BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
    )
    return tenant
