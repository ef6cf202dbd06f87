import uuid

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A customer company. Its CRM data lives in the Postgres schema ``schema_name``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    #: The subdomain the company chose; the schema name is derived from it by the server.
    slug = models.SlugField(max_length=40, unique=True)
    default_language = models.CharField(max_length=10, default="en")
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    created_at = models.DateTimeField(auto_now_add=True)

    # Provisioning creates the schema explicitly, inside its own transaction (see services).
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    """A host name that routes to a tenant (``acme.leadcrm.example``)."""
