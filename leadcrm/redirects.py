"""Where a POST may send the browser back to: a path on this site, never a posted absolute URL
(an open redirect otherwise)."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_or(request, fallback: str) -> str:
    """The POSTed ``next`` when it is a path on this site, else ``fallback``."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
