from django.conf import settings
from django_tenants.utils import get_public_schema_name


def tenant(request):
    """The current tenant (None on the public site) and the base domain, for every template."""
    current = getattr(request, "tenant", None)
    if current is not None and current.schema_name == get_public_schema_name():
        current = None
    return {"current_tenant": current, "base_domain": settings.LEADCRM_BASE_DOMAIN}


def notifications_unread(request):
    """The signed-in user's unread notification count (the bell), on tenant hosts only.

    Lazy: its one query runs only if a template shows the count (HTMX partials don't), at
    most once per request. The count is the bell's own (notifications.selectors, capped at
    99+), the same one the bell's poll answers with.
    """
    from functools import cache

    from leadcrm.notifications.selectors import notification_unread_count

    current = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if current is None or current.schema_name == get_public_schema_name():
        return {}
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": cache(lambda: notification_unread_count(user=user))}
