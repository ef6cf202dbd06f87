import zoneinfo

from django.utils import timezone


class TenantTimezoneMiddleware:
    """Show times in the tenant's time zone ("today", due times, datetime inputs).

    Stored times stay in UTC; only rendering and parsing of local times use the zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = getattr(getattr(request, "tenant", None), "time_zone", "") or ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone)) if zone else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
