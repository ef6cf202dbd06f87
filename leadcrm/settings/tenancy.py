"""Which apps live in the public schema and which in every tenant schema.

Order matters: django_tenants first, the tenant and domain models next. Everything a tenant
owns (users, teams, sessions, CRM data) is a TENANT_APP, so it lives in the tenant's schema
and nowhere else. The public schema holds only tenants, domains and the public site's sessions.
"""

SHARED_APPS = [
    "django_tenants",
    "leadcrm.tenancy",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "django_htmx",
    "demo",  # no models: only the seed_demo command
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "simple_history",
    "leadcrm.accounts",
    "leadcrm.notifications",
    "leadcrm.jobs",
    "leads",
    "pools",
    "scoring",
    "conversion",
    "analytics",
    "onboarding",
]

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.Tenant"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_URLCONF = "leadcrm.urls_public"
ROOT_URLCONF = "leadcrm.urls_tenants"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
