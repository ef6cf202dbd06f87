from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TENANT_ADMIN = "tenant_admin", _("Tenant admin")
    MANAGER = "manager", _("Manager")
    POOL_ADMIN = "pool_admin", _("Pool admin")
    SALES_REP = "sales_rep", _("Sales rep")
