from django.contrib.auth import logout
from django.db import connection
from django.utils import translation

SESSION_TENANT_KEY = "_tenant_schema"


def session_bind_to_tenant(request) -> None:
    """Record in the session which tenant it was created for (call right after login)."""
    request.session[SESSION_TENANT_KEY] = connection.schema_name


class TenantBoundSessionMiddleware:
    """Log out a session that was not created on this tenant.

    Sessions are stored in each tenant's own schema, so a cookie replayed on another tenant's
    host finds nothing there. This is the second wall: should sessions ever move to a shared
    store, a session whose recorded tenant differs from the current one is still refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        bound_to = request.session.get(SESSION_TENANT_KEY)
        if user is not None and user.is_authenticated and bound_to != connection.schema_name:
            logout(request)
        return self.get_response(request)


class UserLanguageMiddleware:
    """Use the signed-in user's chosen language (falls back to LocaleMiddleware's choice)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response
