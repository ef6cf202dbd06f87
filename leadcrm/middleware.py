"""The project's own middleware.

- Input that no page should ever see: control characters (NUL and friends) in query strings
  and posted forms are removed here, once, before any view, form or search reads them. JSON
  bodies get the same through leadcrm.api.api_body (and the tracking endpoint).
- Private answers: what a signed-in person (or an API key) is shown is never kept by a shared
  cache, and HTMX partials never stand in for pages."""

from django.http import QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers

from leadcrm.parsing import _CONTROL, text_clean

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _cleaned(data: QueryDict) -> QueryDict:
    if not any(_CONTROL.search(k) or any(_CONTROL.search(v) for v in vs if isinstance(v, str))
               for k, vs in data.lists()):  # fmt: skip
        return data
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean.setlist(text_clean(key), [text_clean(v) if isinstance(v, str) else v for v in values])
    clean._mutable = False
    return clean


class InputCleaningMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _cleaned(request.GET)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            request.POST = _cleaned(request.POST)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """What a signed-in person is shown is theirs: ``Cache-Control: private, no-store`` on
    every answer to a signed-in request (pages, partials, exports), so no shared cache or
    proxy keeps one person's leads for another, and the browser's back button refetches.
    Every answer also varies on ``HX-Request``: one URL answers a whole page or, to HTMX, a
    partial, and a cache must never hand one out for the other."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or (
            "Authorization" in request.headers  # the API: a key instead of a session
        )
        if signed_in and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response
