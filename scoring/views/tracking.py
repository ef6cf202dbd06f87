"""Tracking endpoints (public, no sign-in) and the lead panel's "create a tracked link".

The public ones answer the same for an unknown, malformed, expired or other tenant's token
as for nothing at all (a 404 for the link and the website, the 1x1 image for the pixel), so
they reveal nothing; what counts as an event is decided by ``scoring.events.event_record``.
"""

import base64
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.parsing import data_clean
from leads.selectors import lead_get_for_user
from scoring import events
from scoring.hooks_events import lead_events_context
from scoring.models import BehaviourEvent

#: The website's JSON body: a kind and a URL fit well within this.
MAX_BODY = 2048
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _visitor(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:400]


def _not_found() -> HttpResponse:
    return HttpResponseNotFound(b"Not found", content_type="text/plain")


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def track_link(request, token):
    found = events.tracking_token_resolve(token)
    if found is None or not found.target_url:
        return _not_found()
    if request.method == "GET":  # HEAD: a scanner checking the link
        events.event_record(
            token=found,
            kind=BehaviourEvent.Kind.LINK_CLICK,
            visitor=_visitor(request),
            user_agent=_agent(request),
        )
    # Only the target stored with the token, an http(s) URL checked when it was made.
    return HttpResponseRedirect(found.target_url)


@never_cache
@require_http_methods(["GET", "HEAD"])
def track_pixel(request, token):
    found = events.tracking_token_resolve(token)
    if found is not None and request.method == "GET":
        events.event_record(
            token=found,
            kind=BehaviourEvent.Kind.EMAIL_OPEN,
            visitor=_visitor(request),
            user_agent=_agent(request),
        )
    return HttpResponse(PIXEL, content_type="image/gif")


@csrf_exempt  # posted by the tenant's website: the token, the size limit and rate limits guard it
@never_cache
@require_http_methods(["POST", "OPTIONS"])
def track_event(request, token):
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _cors(HttpResponse(status=413))
    found = events.tracking_token_resolve(token)
    if found is None:
        return _cors(_not_found())
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return _cors(HttpResponse(status=400))  # JSON only (a form was parsed already)
    try:
        body = data_clean(json.loads(request.body or b"{}"))
    except (ValueError, UnicodeDecodeError):
        return _cors(HttpResponse(status=400))
    kind = body.get("kind") if isinstance(body, dict) else None
    url = body.get("url") if isinstance(body, dict) else None
    if kind not in events.WEBSITE_KINDS or not isinstance(url, str | type(None)):
        return _cors(HttpResponse(status=400))
    events.event_record(
        token=found, kind=kind, visitor=_visitor(request), user_agent=_agent(request), url=url or ""
    )
    # The same answer whether it counted or not: a bot learns nothing from it.
    return _cors(HttpResponse(status=204))


@login_required
@require_POST
def tracking_link_create(request, uuid):
    lead = lead_get_for_user(user=request.user, uuid=uuid, write=True)
    created, error = None, None
    try:
        created = events.tracking_link_create(
            lead=lead, actor=request.user, target_url=request.POST.get("target_url", "")
        )
    except events.TrackingRefused as refused:
        error = refused.message
    if not request.htmx:  # without JavaScript: back to the lead page with a message
        if error:
            messages.error(request, error)
        else:
            url = request.build_absolute_uri(reverse("scoring-track-link", args=[created.token]))
            messages.success(request, _("Tracked link created: %(url)s") % {"url": url})
        return redirect("leads-detail", uuid=lead.uuid)
    panel = lead_events_context(lead, request.user) | {
        "created": created,
        "error": error,
        "posted": request.POST.get("target_url", "") if error else "",
    }
    # 200 with the error in the panel: HTMX swaps only successful answers in.
    return render(request, "scoring/partials/_lead_events.html", {"panel": panel, "lead": lead})
