from django.conf import settings
from django_tenants.utils import get_public_schema_name


def tenant(request):
    """The current tenant (None on the public site) and the base domain, for every template."""
    current = getattr(request, "tenant", None)
    if current is not None and current.schema_name == get_public_schema_name():
        current = None
    return {"current_tenant": current, "base_domain": settings.LEADCRM_BASE_DOMAIN}


#: The bell shows "99+" beyond this, so it never needs to count further.
UNREAD_SHOWN_MAX = 100


def notifications_unread(request):
    """The signed-in user's unread notification count (the bell), on tenant hosts only.

    Lazy: its one query runs only if a template shows the count (HTMX partials don't), at
    most once per request. It reads at most UNREAD_SHOWN_MAX ids from the partial index of
    unread notifications instead of counting them all (and pages stay free of COUNT queries).
    """
    from functools import cache

    from leadcrm.notifications.models import Notification

    def unread() -> int:
        ids = Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("pk")
        return len(ids[:UNREAD_SHOWN_MAX])

    current = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if current is None or current.schema_name == get_public_schema_name():
        return {}
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": cache(unread)}
