"""Input that no page should ever see: control characters (NUL and friends) in query strings
and posted forms are removed here, once, before any view, form or search reads them. JSON
bodies get the same through leadcrm.api.api_body (and the tracking endpoint)."""

from django.http import QueryDict

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
