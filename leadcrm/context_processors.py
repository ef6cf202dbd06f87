from django.conf import settings
from django_tenants.utils import get_public_schema_name


def tenant(request):
    """The current tenant (None on the public site) and the base domain, for every template."""
    current = getattr(request, "tenant", None)
    if current is not None and current.schema_name == get_public_schema_name():
        current = None
    return {"current_tenant": current, "base_domain": settings.LEADCRM_BASE_DOMAIN}
